#!/bin/bash
# Installs the MCP servers the integration tests (tests/mcp.rs, tests/cli/mcp.rs)
# talk to:
# - @modelcontextprotocol/server-everything (npm, pinned) under
#   tests/mcp/node_modules-root, run with node;
# - mcp-server-time (PyPI, pinned) in the virtualenv tests/mcp/venv.
# Idempotent: nothing is reinstalled when the pinned versions are present.
# Needs node/npm and python3 with the venv module (Debian: python3-venv).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
everything_version="2026.8.31"
time_version="2026.10.19"

prefix="$here/node_modules-root"
installed="$prefix/node_modules/@modelcontextprotocol/server-everything/package.json"
if [ -f "$installed" ] && grep -q "\"version\": \"$everything_version\"" "$installed"; then
    echo "install-peers: server-everything $everything_version is installed"
else
    echo "install-peers: installing @modelcontextprotocol/server-everything@$everything_version"
    mkdir -p "$prefix"
    npm install --no-audit --no-fund --prefix "$prefix" \
        "@modelcontextprotocol/server-everything@$everything_version"
fi

venv="$here/venv"
if [ -x "$venv/bin/mcp-server-time" ] \
    && "$venv/bin/pip" show mcp-server-time 2>/dev/null | grep -x "Version: $time_version" >/dev/null; then
    echo "install-peers: mcp-server-time $time_version is installed"
else
    echo "install-peers: installing mcp-server-time==$time_version in $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "mcp-server-time==$time_version"
fi
