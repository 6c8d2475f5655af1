#!/usr/bin/python3
"""UI test of Preferences → Server (issue 15, part 2: the window runs the
local API server while it is open), through AT-SPI and real HTTP:

1. the page shows the server off; a free port is set in the Port row and
   "Serve While ValeChat Is Open" switched on: the Status row says
   "Serving at http://127.0.0.1:PORT/v1";
2. Show Token reveals the token (`vc-…`); `GET /v1/models` with it answers
   the fake provider's models as `provider/model` ids, without it 401;
   Connected Apps lists the app that asked (urllib) with its one request;
   the Open Web Client button shows, and `GET /` answers the web client's
   page without the token;
3. Regenerate… asks, then makes a new token: the shown token changes, the
   restarted server accepts the new one and refuses the old one;
4. switched off, nothing listens on the port any more.

Usage: tests/ui/test_api_server.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (api-server-*.png).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, showing, text_of, wait_for  # noqa: E402
from test_local_models import open_preferences_again  # noqa: E402


def cli(binary, data_dir, *args):
    result = subprocess.run([binary, *args], env=dict(os.environ, VALECHAT_DATA_DIR=data_dir, RUST_LOG="off"), capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise Failure(f"valechat {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_models(port, token):
    """(status, body) of GET /v1/models with `token` (None: no header)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/models")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def eventually(what, check, timeout=30):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except OSError as e:
            last = e
        time.sleep(0.25)
    raise Failure(f"timed out waiting for {what} (last: {last!r})")


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat"))
    server = fake_openai.start()
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-api-server-")
    cli(binary, data_dir, "providers", "add", "--name", "Fake", "--base-url", f"http://127.0.0.1:{server.server_address[1]}/v1")
    port = free_port()

    app = App(binary, data_dir)
    try:
        prefs = open_preferences_again(app)
        in_prefs = lambda: prefs  # noqa: E731
        app.click(wait_for("the Server page", lambda n: role(n) in ("toggle button", "radio button", "push button", "page tab") and name(n) == "Server" and showing(n), in_prefs))
        wait_for("the Status row saying Off", lambda n: role(n) == "label" and text_of(n) == "Off" and showing(n), in_prefs)

        # 1. A free port, then on.
        spin = wait_for("the Port spin button", lambda n: role(n) == "spin button" and name(n) == "Port" and showing(n), in_prefs)
        spin.queryValue().currentValue = float(port)
        switch = wait_for("the Serve switch", lambda n: role(n) in ("switch", "toggle button", "check box") and name(n).startswith("Serve While ValeChat Is Open") and showing(n), in_prefs)
        app.click(switch)
        url = f"http://127.0.0.1:{port}/v1"
        wait_for(f"the Status row saying it serves at {url}", lambda n: role(n) == "label" and text_of(n) == f"Serving at {url}" and showing(n), in_prefs)
        screenshot("api-server-01-serving")

        # 2. The token, and the API behind it.
        app.click(wait_for("the Show Token button", lambda n: role(n) in ("toggle button", "push button") and name(n) == "Show Token" and showing(n), in_prefs))
        token = text_of(wait_for("the token", lambda n: role(n) == "label" and text_of(n).startswith("vc-") and showing(n), in_prefs))
        status, body = get_models(port, token)
        ids = sorted(m["id"] for m in body.get("data", []))
        if status != 200 or not any(i.endswith("/fake-small") for i in ids):
            raise Failure(f"GET /v1/models with the token: {status} {body}")
        status, body = get_models(port, None)
        if status != 401:
            raise Failure(f"GET /v1/models without a token answered {status} {body}")
        print(f"serving at {url}: {len(ids)} models {ids}; 401 without the token")
        # The app that asked (urllib's User-Agent) is listed; the refused
        # request is not counted.
        wait_for("Python-urllib under Connected Apps", lambda n: role(n) == "label" and text_of(n) == "Python-urllib" and showing(n), in_prefs)
        wait_for("its one request", lambda n: role(n) == "label" and text_of(n).startswith("OpenAI-compatible API · 1 request · last at") and showing(n), in_prefs)

        # The web client: its button while serving, its page without the token.
        wait_for("the Open Web Client button", lambda n: role(n) == "push button" and name(n) == "Open Web Client" and showing(n), in_prefs)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            if page.status != 200 or b"<title>ValeChat</title>" not in page.read():
                raise Failure(f"GET / did not answer the web client: {page.status}")

        # 3. A new token.
        app.click(wait_for("the Regenerate… button", lambda n: role(n) == "push button" and name(n) == "Regenerate…" and showing(n), in_prefs))
        app.click(app.button("Regenerate"))
        new = text_of(wait_for("the new token", lambda n: role(n) == "label" and text_of(n).startswith("vc-") and text_of(n) != token and showing(n), in_prefs))
        eventually("the restarted server to accept the new token", lambda: get_models(port, new)[0] == 200)
        status, _ = get_models(port, token)
        if status != 401:
            raise Failure(f"the old token still answered {status}")
        print("a new token: accepted; the old one: 401")
        screenshot("api-server-02-token")

        # 4. Off.
        app.click(switch)
        wait_for("the Status row saying Off", lambda n: role(n) == "label" and text_of(n) == "Off" and showing(n), in_prefs)

        def refused():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                return False
            except ConnectionRefusedError:
                return True

        eventually("the port to be closed", refused)
        print("switched off: the port is closed")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("api-server-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    shutil.rmtree(data_dir, ignore_errors=True)
    print("ui-api-server: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
