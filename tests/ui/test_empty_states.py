#!/usr/bin/python3
"""Empty states, the composer's placeholder and where toasts go, through
AT-SPI (issue 18, Polish).

1. First run, no conversation yet: the sidebar shows "No Conversations Yet".
2. The provider is added through the welcome page's form: the "Added …"
   toast shows over the messages, wholly above the composer (a toast at the
   window's foot covered the field and Send). With no model chosen yet, the
   empty conversation says so, and the composer's placeholder asks for one.
3. A model is chosen: the new, empty conversation names it with a hint on
   how to send; the empty field shows "Message fake-small…", which is also
   its accessible description; typed text hides the placeholder.
4. Sent, the reply shows and the sidebar lists the conversation; once
   the field is empty again, so is the placeholder back.

Usage: tests/ui/test_empty_states.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (empty-*.png).
"""

import os
import shutil
import sys
import tempfile

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, set_text, showing, text_of, wait_until  # noqa: E402

PLACEHOLDER = "Message fake-small…"
HINT = "Ask anything. Enter sends, Shift+Enter starts a new line."


def bounds(node):
    e = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    return e.x, e.y, e.width, e.height


def label(app, text, what=None):
    return app.find(what or f"the label {text!r}", lambda n: role(n) == "label" and text_of(n) == text and showing(n))


def description(node):
    try:
        return node.description or ""
    except Exception:
        return ""


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat")
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-empty-")
    app = App(binary, data_dir)
    try:
        # 1. The empty sidebar.
        app.find("the welcome page", lambda n: name(n) == "Welcome to ValeChat")
        label(app, "No Conversations Yet", "the sidebar's empty page")

        # 2. The toast of the added provider lies above the composer.
        for field, value in (("Name", "Fake Server"), ("Base URL", base_url)):
            set_text(app.find(f"entry {field!r}", lambda n, f=field: role(n) in ("text", "entry") and name(n) == f and showing(n)), value)
        app.click(app.button("Add Provider"))
        toast = label(app, "Added Fake Server", "the toast")
        composer = app.find("the message field", lambda n: role(n) == "text" and name(n) == "Message" and showing(n))
        send = app.button("Send")
        _, toast_y, _, toast_h = bounds(toast)
        _, field_y, _, _ = bounds(composer)
        _, send_y, _, _ = bounds(send)
        print(f"toast: y {toast_y}..{toast_y + toast_h}; message field from y {field_y}; Send from y {send_y}")
        if toast_h <= 0 or toast_y + toast_h > min(field_y, send_y):
            screenshot("empty-failure-toast")
            raise Failure(f"the toast (y {toast_y}..{toast_y + toast_h}) covers the composer (from y {min(field_y, send_y)})")
        screenshot("empty-01-toast")
        label(app, "No Model Chosen", "the empty conversation without a model")
        wait_until("the placeholder asking for a model", lambda: description(composer) == "Choose a model to send a message")

        # 3. A model is chosen: the empty conversation and the placeholder name it.
        app.click(app.find("model fake-small in the picker", lambda n: name(n) == "fake-small" and role(n) in ("list item", "row", "list box row") and showing(n)))
        app.button("fake-small")
        label(app, "fake-small", "the model on the empty conversation page")
        label(app, HINT, "the hint on how to send")
        label(app, PLACEHOLDER, "the composer's placeholder")
        wait_until("the field's description to be the placeholder", lambda: description(composer) == PLACEHOLDER)
        screenshot("empty-02-new-conversation")
        set_text(composer, "Hello there")
        wait_until("the placeholder to hide", lambda: not placeholder_shown(app))

        # 4. Sending replaces the empty page with the messages.
        app.click(app.button("Send"))
        app.find("the reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from the fake model"))
        app.find("the conversation in the sidebar", lambda n: role(n) == "label" and text_of(n) == "Hello there" and showing(n))
        app.button("Send")
        wait_until("the placeholder to show again once the field is empty", lambda: placeholder_shown(app))
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("empty-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    shutil.rmtree(data_dir, ignore_errors=True)
    print("ui-empty-states: OK")


def placeholder_shown(app):
    """Whether the composer shows its placeholder (looked up afresh: a
    node kept from before may report a stale state)."""
    return bool(app.find_all(lambda n: role(n) == "label" and text_of(n) == PLACEHOLDER and showing(n)))


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-empty-states: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
