#!/bin/bash
# Prints how long ValeChat takes to open (build, measure and draw) one long
# conversation and the memory it holds then, for each message count given
# (default 10000), in a private session (tests/run-in-session.sh: Xvfb,
# D-Bus, AT-SPI, GSK_RENDERER=cairo). See tools/bench-conversation.py.
# Usage: tools/bench-conversation.sh [release|dev] [MESSAGES ...]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release}
shift || true
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
if [ "$profile" = release ]; then
    cargo build --release --bin valechat >/dev/null
    binary=$CARGO_TARGET_DIR/release/valechat
else
    cargo build --bin valechat >/dev/null
    binary=$CARGO_TARGET_DIR/debug/valechat
fi
exec tests/run-in-session.sh /usr/bin/python3 tools/bench-conversation.py "$binary" "$@"
