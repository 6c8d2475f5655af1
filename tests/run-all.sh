#!/bin/bash
# The project's test command: configures meson (development profile: debug
# cargo build, app id io.github.valechat.ValeChat.Devel) in ./build, or
# reconfigures it, then runs every meson test — desktop/metainfo/schema
# validation, POTFILES check, and `cargo test` inside tests/run-in-session.sh.
# Extra arguments go to `meson test` (e.g. a test name, or --list).
# CARGO_TARGET_DIR defaults to ./target, shared with plain cargo.
set -euo pipefail
cd "$(dirname "$0")/.."

builddir=${VALECHAT_BUILDDIR:-build}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

if [ -f "$builddir/build.ninja" ]; then
    meson setup --reconfigure "$builddir" -Dprofile=development >/dev/null
else
    meson setup "$builddir" -Dprofile=development
fi

status=0
meson test -C "$builddir" --print-errorlogs -t 4 "$@" || status=$?

# A plain closing line summing up meson's verdicts.
log="$builddir/meson-logs/testlog.json"
if [ -f "$log" ]; then
    python3 - "$log" <<'PY' || true
import json, sys
counts = {}
with open(sys.argv[1]) as f:
    for line in f:
        result = json.loads(line).get("result", "")
        counts[result] = counts.get(result, 0) + 1
passed = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
failed = sum(n for r, n in counts.items() if r not in ("OK", "EXPECTEDFAIL", "SKIP"))
print(f"meson: {passed} passed, {failed} failed, {counts.get('SKIP', 0)} skipped")
PY
fi
exit "$status"
