#!/usr/bin/python3
"""The main flow from the keyboard alone, through AT-SPI (issue 6,
"Accessibility"): no pointer clicks, only key events the X server delivers
to the focused widget.

Set up with the CLI (same data directory): a provider for
tests/ui/fake_openai.py and @modelcontextprotocol/server-everything as an
MCP server. Then, keys only:

1. Ctrl+N starts a new conversation; Ctrl+K opens the model picker, typing
   "fake-small" filters it and Enter chooses the model (focus goes to the
   message field);
2. typing "call echo twice" and Enter sends it; the model asks for two tool
   calls and each approval dialog is answered with Enter (its default,
   Allow Once); the final answer quotes both tool results;
3. a slow reply ("slowly") is stopped with Escape: the reply is marked as
   stopped.

Usage: tests/ui/test_keyboard.py [path/to/valechat]
"""

import os
import subprocess
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, showing, text_of  # noqa: E402
from test_shortcuts import CONTROL, KEY_ESCAPE, main_frame, point_at, press  # noqa: E402
from test_tools import FINAL_PREFIX, SCRIPT  # noqa: E402

KEY_N, KEY_K, KEY_RETURN = 57, 45, 36


def walk_all(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        try:
            stack.extend(n[i] for i in range(n.childCount))
        except Exception:
            pass


def count_done(app):
    root = app.root()
    return 0 if root is None else sum(1 for n in walk_all(root) if role(n) == "label" and text_of(n).startswith("Done ·"))


def type_text(text):
    pyatspi.Registry.generateKeyboardEvent(0, text, pyatspi.KEY_STRING)
    time.sleep(0.3)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    if not os.path.exists(SCRIPT):
        raise Failure(f"server-everything is not installed ({SCRIPT}); run tests/mcp/install-peers.sh")
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-keyboard-")
    env = dict(os.environ, VALECHAT_DATA_DIR=data_dir, RUST_LOG="off")
    for args in (
        ["providers", "add", "--name", "Fake Server", "--base-url", base_url],
        ["mcp", "add", "everything", "--", "node", SCRIPT, "stdio"],
    ):
        subprocess.run([binary, *args], env=env, check=True, stdout=subprocess.DEVNULL, timeout=60)

    app = App(binary, data_dir)
    try:
        frame = main_frame(app)
        # With no window manager, X gives the keyboard to the window under
        # the pointer: the pointer rests on the window; nothing is clicked.
        point_at(frame)

        press(CONTROL, KEY_N)
        press(CONTROL, KEY_K)
        app.find("the model picker's search field", lambda n: role(n) in ("text", "entry") and name(n) in ("Search models", "GtkSearchEntry") and showing(n), timeout=10)
        type_text("fake-small")
        time.sleep(1)  # the list loads and filters
        press(KEY_RETURN)
        app.find("the chosen model on the picker button", lambda n: role(n) in ("push button", "toggle button") and name(n) == "fake-small" and showing(n))
        print("ui-keyboard: model chosen with Ctrl+K, typing and Enter")

        type_text("Please call echo twice")
        press(KEY_RETURN)
        is_dialog = lambda d: role(d) in ("dialog", "alert") and name(d).startswith("Run “") and name(d).endswith("from everything?") and showing(d)  # noqa: E731
        for n, word in ((1, "first"), (2, "second")):
            app.find(f"approval dialog {n}", lambda d: is_dialog(d) and any(f'"{word} echo"' in text_of(c) for c in walk_all(d)), timeout=30)
            point_at(app.find("the dialog", is_dialog))
            press(KEY_RETURN)
            app.find(f"{n} tool call(s) done", lambda r, n=n: role(r) == "label" and text_of(r).startswith("Done") and count_done(app) >= n, timeout=30)
            time.sleep(1)  # GTK 4.8: let the dialog go before reading the tree again
            point_at(frame)
        final = app.find("the final answer", lambda n: role(n) == "label" and text_of(n).startswith(FINAL_PREFIX) and showing(n), timeout=30)
        answer = text_of(final)
        assert "Echo: first echo" in answer and "Echo: second echo" in answer, answer
        print(f"ui-keyboard: both calls allowed with Enter: {answer}")
        screenshot("keyboard-tools")

        type_text("Answer slowly please")
        press(KEY_RETURN)
        app.find("a reply streaming", lambda n: role(n) == "push button" and name(n) in ("Stop", "Stop Stop") and showing(n), timeout=15)
        time.sleep(0.6)
        press(KEY_ESCAPE)
        app.find("the stopped reply", lambda n: role(n) == "label" and text_of(n) == "The reply was stopped before it ended." and showing(n), timeout=15)
        print("ui-keyboard: Escape stopped the reply")
        screenshot("keyboard-stopped")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("keyboard-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    print("ui-keyboard: ok")


if __name__ == "__main__":
    main()
