#!/usr/bin/python3
"""End-to-end: signing in to a streamable HTTP MCP server with OAuth 2.1
in the (fake) web browser, through AT-SPI.

tests/ui/fake_oauth_mcp.py is both the authorization server and the MCP
server; tests/ui/fake_browser.py is made GIO's default http(s) handler
(a desktop file in $XDG_DATA_HOME/applications and mimeapps.list in
$XDG_CONFIG_HOME, both fresh for this test), and records each URL it is
asked to open. It loads the page (following the authorization server's
redirect to the app's loopback /callback) only once the test creates its
`go` marker, so the sign-in dialog can be looked at first.

1. `valechat mcp add "Acme Docs" --url …/mcp`; the app starts, gets 401,
   registers, and asks the browser: the "Sign In to Acme Docs" dialog shows
   its texts, Copy Link and Cancel (screenshot oauth-sign-in.png). Released,
   the browser completes the flow; MCP Servers shows "Ready · 1 tool · …"
   (screenshot oauth-servers.png) and the details page the echo tool and
   Sign Out.
2. Restart of the app, the access token expired meanwhile: Ready again
   through the keyring's refresh token, the browser not asked; a chat turn with tests/ui/fake_openai.py calls the server's
   echo tool (allowed once, a second call denied) with that token.
3. Sign Out: the browser is asked again, and the server is Ready again.
4. Sign Out with a browser that never answers, Cancel in the dialog: the
   server "Needs Sign-In: the sign-in was cancelled" (screenshot
   oauth-needs-sign-in.png);
   Restart then signs in again.

Usage: tests/ui/test_oauth.py [path/to/valechat]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import fake_oauth_mcp  # noqa: E402
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, showing, text_of, wait_for, wait_until, walk  # noqa: E402
from test_first_slice import set_text  # noqa: E402
from test_tools import approval_button, is_button, open_servers, settle  # noqa: E402
from test_two_providers import choose_model, cli  # noqa: E402

SERVER_NAME = "Acme Docs"
BROWSER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_browser.py")


class Browser:
    """The fake browser's control directory: `go`/`stop` markers and the
    files it writes (one line per invocation, one per page load)."""

    def __init__(self, root):
        self.dir = os.path.join(root, "browser")
        os.makedirs(self.dir)

    def _lines(self, file):
        try:
            with open(os.path.join(self.dir, file)) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def invocations(self):
        return self._lines("invocations")

    def results(self):
        return self._lines("results")

    def marker(self, label, present):
        path = os.path.join(self.dir, label)
        if present:
            open(path, "w").close()
        elif os.path.exists(path):
            os.remove(path)


def install_browser(root, browser):
    """Makes fake_browser.py GIO's default handler for http(s) URLs in fresh
    XDG_DATA_HOME / XDG_CONFIG_HOME directories (set in os.environ, which
    the app and `gio` inherit), and checks that GIO picks it."""
    data, config = os.path.join(root, "xdg-data"), os.path.join(root, "xdg-config")
    os.makedirs(os.path.join(data, "applications"))
    os.makedirs(config)
    with open(os.path.join(data, "applications", "fake-browser.desktop"), "w") as f:
        f.write(
            "[Desktop Entry]\nType=Application\nName=Fake Browser\nNoDisplay=true\n"
            f"Exec={sys.executable} {BROWSER} {browser.dir} %u\n"
            "MimeType=x-scheme-handler/http;x-scheme-handler/https;\n"
        )
    with open(os.path.join(config, "mimeapps.list"), "w") as f:
        f.write("[Default Applications]\nx-scheme-handler/http=fake-browser.desktop\nx-scheme-handler/https=fake-browser.desktop\n")
    os.environ["XDG_DATA_HOME"], os.environ["XDG_CONFIG_HOME"] = data, config
    answer = subprocess.run(["gio", "mime", "x-scheme-handler/http"], capture_output=True, text=True, timeout=30).stdout
    if "fake-browser.desktop" not in answer.splitlines()[0]:
        raise Failure(f"GIO does not pick the fake browser for http URLs:\n{answer}")


def label_starting(prefix):
    return lambda n: role(n) == "label" and text_of(n).startswith(prefix) and showing(n)


def sign_in_dialog(app, timeout=30):
    """The "Sign In to Acme Docs" dialog (an AdwMessageDialog)."""
    heading = f"Sign In to {SERVER_NAME}"
    return app.find(
        "the sign-in dialog",
        lambda n: role(n) == "dialog" and showing(n) and any(role(c) == "label" and text_of(c) == heading for c in walk(n)),
        timeout=timeout,
    )


def open_details(app, servers):
    """Clicks the server's row (retried: the stack may still be sliding)."""
    row = app.find("the server's row", lambda n: role(n) in ("list item", "row", "list box row") and name(n) == SERVER_NAME and showing(n))
    for attempt in range(5):
        time.sleep(0.5)
        app.click(row)
        try:
            app.find("the echo tool in the details", label_starting("Echo (echo)"), timeout=5)
            return
        except Failure:
            if attempt == 4:
                raise


def expect(what, actual, expected):
    if actual != expected:
        raise Failure(f"{what}: expected {expected!r}, got {actual!r}")


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat")
    session = os.environ.get("VALECHAT_SESSION_DIR")
    if not session or not os.environ.get("HOME", "").startswith(session):
        raise Failure("run this test through tests/run-in-session.sh (it uses the session's keyring)")
    root = tempfile.mkdtemp(prefix="valechat-oauth-")
    browser = Browser(root)
    install_browser(root, browser)
    server, auth = fake_oauth_mcp.start()
    openai_server = fake_openai.start()
    data_dir = os.path.join(root, "data")
    os.makedirs(data_dir)
    cli(binary, data_dir, "providers", "add", "--name", "Local Fake", "--base-url", f"http://127.0.0.1:{openai_server.server_address[1]}/v1")
    server_id = cli(binary, data_dir, "mcp", "add", SERVER_NAME, "--url", f"{auth.base}/mcp").strip()

    app = App(binary, data_dir)
    try:
        # 1. First start: the browser is asked, the dialog waits for it.
        dialog = sign_in_dialog(app)
        wait_for("the dialog's body", label_starting("Continue in your web browser."), lambda: dialog)
        copy = wait_for("the Copy Link button", lambda n: is_button(n, "Copy Link"), lambda: dialog)
        wait_for("the Cancel button", lambda n: is_button(n, "Cancel"), lambda: dialog)
        wait_until("the browser to be asked", lambda: len(browser.invocations()) == 1)
        url = browser.invocations()[0]
        for part in (f"{auth.base}/authorize?", "code_challenge_method=S256", "redirect_uri=http%3A%2F%2F127.0.0.1%3A"):
            if part not in url:
                raise Failure(f"the authorization URL lacks {part!r}: {url}")
        time.sleep(0.5)
        screenshot("oauth-sign-in")
        app.click(copy)
        wait_for("the Link Copied label", lambda n: is_button(n, "Link Copied"), lambda: dialog)
        browser.marker("go", True)
        wait_until("the browser to load the page", lambda: browser.results())
        page = browser.results()[0]
        if not page.startswith("200 http://127.0.0.1:") or "/callback?code=" not in page:
            raise Failure(f"the browser did not end on the app's callback page: {page}")
        app.wait_gone("the sign-in dialog", lambda n: n == dialog and showing(n), timeout=10)
        settle()

        servers = open_servers(app)
        ready = app.find("the server Ready with one tool", label_starting("Ready · 1 tool · "), timeout=30)
        print(f"servers page: {text_of(ready)!r}")
        time.sleep(0.5)
        screenshot("oauth-servers")
        open_details(app, servers)
        app.find("the Sign Out button", lambda n: is_button(n, "Sign Out"))
        counts = auth.counts()
        expect("client registrations", counts["registrations"], 1)
        expect("authorization code grants", counts["code_grants"], 1)
        expect("PKCE failures", counts["pkce_failures"], 0)
        app.quit()

        # 2. Second start, the access token expired meanwhile: the keyring's
        # refresh token, no browser.
        auth.expire_access_tokens()
        app = App(binary, data_dir)
        servers = open_servers(app)
        app.find("the server Ready again after a restart", label_starting("Ready · 1 tool · "), timeout=30)
        expect("browser invocations after the restart", len(browser.invocations()), 1)
        counts = auth.counts()
        expect("authorizations after the restart", counts["authorizations"], 1)
        expect("refresh grants after the restart", counts["refresh_grants"], 1)
        if app.find_all(lambda n: role(n) == "dialog" and showing(n) and name(n).startswith("Sign In")):
            raise Failure("a sign-in dialog opened although tokens were stored")

        # A tool call in the chat goes through with the stored token.
        app.click(wait_for("the MCP Servers window's Close button", lambda n: is_button(n, "Close"), lambda: servers))
        app.wait_gone("the MCP Servers window", lambda n: n == servers and showing(n), timeout=10)
        choose_model(app, "fake-small")
        set_text(app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry")), "Please call echo twice")
        app.click(app.button("Send"))
        app.click(approval_button(app, "first echo", "Allow Once"))
        settle()
        app.click(approval_button(app, "second echo", "Deny"))
        settle()
        final = text_of(app.find("the final reply", label_starting("Tool results: ")))
        if "Echo: first echo" not in final:
            raise Failure(f"the final reply lacks the tool's answer: {final!r}")
        expect("tools/call requests", auth.methods().count("tools/call"), 1)
        servers = open_servers(app)

        # 3. Sign Out: the next connection asks the browser again.
        open_details(app, servers)
        app.click(app.find("the Sign Out button", lambda n: is_button(n, "Sign Out")))
        wait_until("the browser to be asked again", lambda: len(browser.invocations()) == 2)
        wait_until("the second page load", lambda: len(browser.results()) == 2)
        wait_until("the second code grant", lambda: auth.counts()["code_grants"] == 2)
        app.find("the server Ready after signing in again", label_starting("Ready · 1 tool · "))
        app.find("the Sign Out button after signing in again", lambda n: is_button(n, "Sign Out"))
        expect("client registrations", auth.counts()["registrations"], 2)

        # 4. A browser that never answers; Cancel in the dialog.
        browser.marker("go", False)
        app.click(app.find("the Sign Out button", lambda n: is_button(n, "Sign Out")))
        dialog = sign_in_dialog(app)
        wait_until("the browser to be asked a third time", lambda: len(browser.invocations()) == 3)
        cancel = wait_for("the Cancel button", lambda n: is_button(n, "Cancel"), lambda: dialog)
        app.click(cancel)
        settle()
        needs = app.find("the Needs Sign-In state", label_starting("Needs Sign-In: "))
        expect("the state after Cancel", text_of(needs), "Needs Sign-In: the sign-in was cancelled")
        app.wait_gone("the sign-in dialog", lambda n: n == dialog and showing(n), timeout=10)
        if any(is_button(n, "Sign Out") for n in app.find_all(lambda n: role(n) == "push button")):
            raise Failure("Sign Out is still offered after signing out")
        browser.marker("stop", True)
        wait_until("the waiting browser to give up", lambda: len(browser.results()) == 3)
        time.sleep(0.5)
        screenshot("oauth-needs-sign-in")

        # Restart (in the list) signs in again.
        app.click(wait_for("the Back button", lambda n: is_button(n, "Back"), lambda: servers))
        browser.marker("stop", False)
        browser.marker("go", True)
        app.click(wait_for("the Restart button", lambda n: is_button(n, "Restart"), lambda: servers))
        wait_until("the browser to be asked a fourth time", lambda: len(browser.invocations()) == 4)
        app.find("the server Ready after Restart", label_starting("Ready · 1 tool · "), timeout=30)
        counts = auth.counts()
        expect("authorization code grants", counts["code_grants"], 3)
        expect("PKCE failures", counts["pkce_failures"], 0)
    except Exception:
        tree = app.root()
        if tree is not None:
            dump(tree, os.path.join(root, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {root}/a11y-tree.txt", file=sys.stderr)
        print(f"browser invocations: {browser.invocations()}\nbrowser results: {browser.results()}\nserver: {auth.counts()}", file=sys.stderr)
        screenshot("oauth-failure")
        raise
    finally:
        browser.marker("stop", True)
        if app.proc.poll() is None:
            app.quit()

    listed = cli(binary, data_dir, "mcp", "list")
    if server_id not in listed:
        raise Failure(f"`valechat mcp list` lacks {server_id}:\n{listed}")
    server.shutdown()
    openai_server.shutdown()
    shutil.rmtree(root, ignore_errors=True)
    print("ui-oauth: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-oauth: FAILED: {e}", file=sys.stderr)
        print("ui-oauth: 0 passed, 1 failed")
        sys.exit(1)
