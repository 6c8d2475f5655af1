#!/usr/bin/python3
"""End-to-end: MCP prompts and resources in the composer, through AT-SPI.

1. `valechat providers add` points at tests/ui/fake_openai.py, `valechat
   mcp add everything -- node …/server-everything/dist/index.js stdio`
   configures @modelcontextprotocol/server-everything (installed by
   tests/mcp/install-peers.sh), and `valechat chat` creates a conversation.
2. Typing "/args" in the composer opens the prompt menu, which lists
   "everything: args-prompt — …" (screenshot slash-prompts.png); Enter
   opens the arguments dialog, "Lyon" goes into the required "city" entry,
   and Use Prompt puts "What's weather in Lyon?" into the composer.
3. Attach Resource… opens the resource browser (screenshot
   resource-browser.png); attaching architecture.md adds a chip to the
   composer; sending shows the chip on the user's message and the fake
   model answers.

Usage: tests/ui/test_prompts.py [path/to/valechat]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, showing, text_of  # noqa: E402
from test_tools import SCRIPT  # noqa: E402

PROMPT_ROW = "everything: args-prompt — A prompt with two arguments, one required and one optional"
EXPECTED = "What's weather in Lyon?"


def click_at(node):
    """A real pointer click at the centre of `node`: focuses it, and X gives
    the keyboard to the window under the pointer (no window manager)."""
    ext = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    pyatspi.Registry.generateMouseEvent(ext.x + ext.width // 2, ext.y + ext.height // 2, "abs")
    time.sleep(0.2)
    pyatspi.Registry.generateMouseEvent(ext.x + ext.width // 2, ext.y + ext.height // 2, "b1c")
    time.sleep(0.3)


def xdotool(*args):
    subprocess.run(["xdotool", *args], check=True)
    time.sleep(0.3)


def composer_text(app):
    return text_of(app.find("the message field", lambda n: name(n) == "Message" and showing(n)))


def open_prompt_menu(app):
    """Types "/args" into the empty composer until the menu offers
    args-prompt (the server may still be starting: the menu then says
    "No prompt matches", and the draft is typed again)."""
    field = app.find("the message field", lambda n: name(n) == "Message" and showing(n))
    deadline = time.monotonic() + 60
    while True:
        click_at(field)
        xdotool("key", "ctrl+a", "BackSpace")
        xdotool("type", "--delay", "60", "/args")
        try:
            return app.find("args-prompt in the menu", lambda n: role(n) == "label" and text_of(n) == PROMPT_ROW and showing(n), timeout=5)
        except Failure:
            if time.monotonic() > deadline:
                raise


def start_with_everything(binary, title, server_ids=("everything",)):
    """Checks that server-everything is installed, starts the fake model,
    stores (with the CLI, in a new data folder) a provider for it, one
    server-everything per id in `server_ids` and a first conversation
    `title`, then starts the app. Returns `(app, fake model server)`."""
    if not os.path.isfile(SCRIPT) or not shutil.which("node"):
        raise Failure(f"server-everything is not installed ({SCRIPT}); run tests/mcp/install-peers.sh")
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-mcp-ui-")
    env = dict(os.environ, VALECHAT_DATA_DIR=data_dir)
    subprocess.run([binary, "providers", "add", "--name", "Fake", "--base-url", base_url], env=env, check=True)
    for id in server_ids:
        subprocess.run([binary, "mcp", "add", id, "--", "node", SCRIPT, "stdio"], env=env, check=True)
    subprocess.run([binary, "chat", "--provider", "fake", "--model", "fake-large", title], env=env, check=True, stdout=subprocess.DEVNULL)
    app = App(binary, data_dir)
    time.sleep(2)
    if app.proc.poll() is not None:  # the session's display sometimes refuses the first client
        app = App(binary, data_dir)
    return app, server


def dump_failure(app, stem):
    """Saves the accessibility tree as $VALECHAT_SCREENSHOT_DIR/<stem>-tree.txt."""
    out = os.environ.get("VALECHAT_SCREENSHOT_DIR")
    if out and app.root() is not None:
        os.makedirs(out, exist_ok=True)
        dump(app.root(), os.path.join(out, f"{stem}-tree.txt"))


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat")
    app, server = start_with_everything(binary, "Prompts")
    try:
        app.click(app.find("the conversation", lambda n: name(n) == "Prompts" and showing(n)))
        app.find("the first reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and showing(n))

        # The / menu, then the arguments dialog.
        open_prompt_menu(app)
        time.sleep(0.5)
        screenshot("slash-prompts")
        xdotool("key", "Return")
        city = app.find("the city entry", lambda n: name(n) == "city (required)" and showing(n))
        click_at(city)
        xdotool("type", "--delay", "60", "Lyon")
        time.sleep(0.5)
        app.click(app.button("Use Prompt"))
        deadline = time.monotonic() + 15
        while composer_text(app) != EXPECTED:
            if time.monotonic() > deadline:
                raise Failure(f"the composer holds {composer_text(app)!r}, not {EXPECTED!r}")
            time.sleep(0.25)
        print(f"composer: {EXPECTED!r}")

        # The resource browser: attach a document.
        time.sleep(2.5)  # the answered dialog is destroyed after 2 s
        app.click(app.button("Attach Resource…"))
        attach = app.find("the Attach button of architecture.md", lambda n: name(n) == "Attach “architecture.md”" and showing(n), timeout=30)
        time.sleep(0.5)
        screenshot("resource-browser")
        app.click(attach)
        app.find("the pending resource", lambda n: name(n) == "Remove “architecture.md”" and showing(n))

        app.click(app.button("Send"))
        app.find("the reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and EXPECTED in text_of(n) and showing(n), timeout=30)
        app.find("the resource on the user's message", lambda n: role(n) == "label" and text_of(n) == "architecture.md (everything)" and showing(n))
        if app.find_all(lambda n: name(n).startswith("Remove “") and showing(n)):
            raise Failure("the pending resource was not cleared after sending")
        print("test_prompts: ok")
    except Failure:
        dump_failure(app, "prompts-failure")
        raise
    finally:
        app.quit()
        server.shutdown()


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        screenshot("prompts-failure")
        print(f"test_prompts: FAIL: {e}", file=sys.stderr)
        sys.exit(1)
