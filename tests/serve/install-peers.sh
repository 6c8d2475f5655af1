#!/bin/bash
# Installs the clients tests/cli/serve_api.rs drives `valechat serve` with,
# in the virtualenv tests/serve/venv:
# - openai (PyPI, pinned): the official OpenAI Python client, against the
#   OpenAI-compatible /v1 API (tests/serve/openai_client.py);
# - websockets (PyPI, pinned): for the WebSocket stream at /v1/ws;
# - selenium (PyPI, pinned): drives Debian's chromium through its
#   chromium-driver against the reference web client (tests/serve/web_client.py).
# Idempotent: nothing is reinstalled when the pinned versions are present.
# Needs python3 with the venv module (Debian package python3-venv).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
openai_version="3.63.0"
websockets_version="17.4"
selenium_version="4.51.0"
venv="$here/venv"

installed() {
    "$venv/bin/pip" show "$1" 2>/dev/null | grep -x "Version: $2" >/dev/null
}

if [ -x "$venv/bin/python" ] && installed openai "$openai_version" \
    && installed websockets "$websockets_version" \
    && installed selenium "$selenium_version" \
    && "$venv/bin/python" -c "import openai, websockets, selenium" 2>/dev/null; then
    echo "install-peers: openai $openai_version, websockets $websockets_version and selenium $selenium_version are installed"
    exit 0
fi

echo "install-peers: installing openai==$openai_version, websockets==$websockets_version and selenium==$selenium_version in $venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet --no-cache-dir \
    "openai==$openai_version" "websockets==$websockets_version" "selenium==$selenium_version"
"$venv/bin/python" -c "import openai, websockets; print('install-peers: openai', openai.__version__, 'websockets', websockets.__version__)"
