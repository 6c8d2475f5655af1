#!/bin/bash
# Installs the clients the tests drive `valechat serve` with, in the
# virtualenv tests/serve/venv (PyPI, pinned):
# - openai: the official OpenAI Python client, against the OpenAI-compatible
#   /v1 API (tests/serve/openai_client.py);
# - websockets: the WebSocket stream at /v1/ws (tests/serve/ws_client.py);
# - jsonschema: every message of that stream checked against its schema in
#   data/schema/ws/;
# - selenium: drives Debian's chromium through its chromium-driver against
#   the reference web client (tests/serve/web_client.py).
# Idempotent: nothing is reinstalled when the pinned versions are present.
# Needs python3 with the venv module (Debian package python3-venv).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/venv"
pins=("openai==3.63.0" "websockets==17.4" "jsonschema==4.26.0" "selenium==4.51.0")

installed() {
    local pin name version
    for pin in "${pins[@]}"; do
        name="${pin%%==*}"
        version="${pin##*==}"
        "$venv/bin/pip" show "$name" 2>/dev/null | grep -x "Version: $version" >/dev/null || return 1
    done
    "$venv/bin/python" -c "import openai, websockets, jsonschema, selenium" 2>/dev/null
}

if [ -x "$venv/bin/python" ] && installed; then
    echo "install-peers: ${pins[*]} are installed"
    exit 0
fi

echo "install-peers: installing ${pins[*]} in $venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet --no-cache-dir "${pins[@]}"
installed
echo "install-peers: ${pins[*]} installed"
