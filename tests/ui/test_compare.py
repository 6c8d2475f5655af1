#!/usr/bin/python3
"""Side by side (issue 14, part 2) in the window, through AT-SPI, against
tests/ui/fake_openai.py:

1. A prompt is typed and Ctrl+Shift+Enter opens the compare view in
   place of the messages; the composer's menu offers Compare Models… too.
2. fake-small and fake-large are ticked and compared: both columns stream
   at the same time (each shows text while Stop is still offered), each
   headed by its model, and each ends with its figures (time to first
   token, tokens per second, tokens, cost).
   At 480 px the columns become tabs; at 1000 px side by side again.
3. "Continue with this one" on the second column goes back to the
   conversation, which shows that reply with `2/2` (the first column's
   reply is its other version, reachable with ‹).

A screenshot of the columns is taken (`compare`).

Usage: tests/ui/test_compare.py [path/to/valechat]
"""

import os
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, add_fake_provider, ancestors, dump, menu_item, name, role, screenshot, set_text, showing, text_of, wait_until  # noqa: E402
from test_shortcuts import CONTROL, SHIFT, main_frame, point_at, press, resize_window  # noqa: E402

KEY_RETURN = 36
PROMPT = "Compare this slowly, please"
REPLY = "Hello from the fake model"


def sensitive(node):
    return node.getState().contains(pyatspi.STATE_SENSITIVE)


def showing_buttons(app, label):
    return app.find_all(lambda n: role(n) == "push button" and name(n) == label and showing(n))


def reply_labels(app):
    """The showing labels whose text starts like the fake model's reply."""
    return app.find_all(lambda n: role(n) == "label" and text_of(n).startswith(REPLY) and showing(n))


def check_box(app, label):
    return app.find(f"the check box {label!r}", lambda n: role(n) == "check box" and name(n) == label and showing(n))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-compare-")
    app = App(binary, data_dir)
    try:
        add_fake_provider(app, base_url)
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry") and showing(n))

        # 1. The composer's menu offers Compare Models…; Ctrl+Shift+Enter
        # opens the compare view with the prompt.
        app.click(app.find("the composer's menu", lambda n: name(n) == "More Message Options" and showing(n)))
        menu_item(app, "Compare Models…")
        pyatspi.Registry.generateKeyboardEvent(9, None, pyatspi.KEY_PRESSRELEASE)  # Escape closes the menu
        set_text(composer, PROMPT)
        point_at(main_frame(app))
        # A click in the field gives it the keyboard focus.
        ext = composer.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        pyatspi.Registry.generateMouseEvent(ext.x + ext.width // 2, ext.y + ext.height // 2, "b1c")
        time.sleep(0.3)
        press(CONTROL, SHIFT, KEY_RETURN)
        app.find("the compare view", lambda n: role(n) == "label" and text_of(n) == "Compare Models" and showing(n))
        app.find("the prompt in the compare view", lambda n: role(n) == "label" and text_of(n) == PROMPT and showing(n))

        # 2. Two models, compared: both columns stream at once.
        compare = app.button("Compare")
        assert not sensitive(compare), "Compare is offered before two models are chosen"
        app.click(check_box(app, "fake-small"))
        app.click(check_box(app, "fake-large"))
        wait_until("Compare to be offered", lambda: sensitive(app.button("Compare")))
        app.click(app.button("Compare"))
        for model in ("fake-small", "fake-large"):
            app.find(f"the column of {model}", lambda n, m=model: role(n) == "label" and text_of(n) == m and showing(n))
        wait_until("both columns streaming", lambda: len(reply_labels(app)) == 2)
        assert showing_buttons(app, "Stop"), "both columns had text only after the comparison ended"
        lengths = [len(text_of(n)) for n in reply_labels(app)]
        time.sleep(1.5)
        grown = [len(text_of(n)) for n in reply_labels(app)]
        assert all(b > a for a, b in zip(lengths, grown)), f"not both columns grew while streaming: {lengths} -> {grown}"

        # Each column ends with its figures and offers Continue.
        continues = lambda: [b for b in showing_buttons(app, "Continue with this one") if sensitive(b)]  # noqa: E731
        wait_until("both columns done", lambda: len(continues()) == 2, timeout=60)
        figures = app.find_all(lambda n: role(n) == "label" and "ms to first token" in text_of(n) and "tokens/s" in text_of(n) and showing(n))
        assert len(figures) == 2, f"{len(figures)} columns show their figures"
        assert all("12 in, 40 out" in text_of(f) for f in figures), [text_of(f) for f in figures]
        # The first-run toast ("Added Fake Server") would cover the buttons
        # in the screenshot.
        for dismiss in showing_buttons(app, "Dismiss"):
            app.click(dismiss)
        time.sleep(0.5)
        screenshot("compare")

        # A narrow window shows the columns as tabs; a wide one side by side
        # (the tabs exist only while the columns are in them).
        frame = main_frame(app)
        tabs = lambda: app.find_all(lambda n: role(n) == "page tab" and name(n) in ("fake-small", "fake-large"))  # noqa: E731
        assert not tabs(), "the columns are tabs on a wide window"
        resize_window(app.pid, 480, 700)
        wait_until("the columns as tabs", lambda: len(tabs()) == 2)
        app.click([t for t in tabs() if name(t) == "fake-small"][0])
        time.sleep(0.5)
        screenshot("compare-narrow")
        resize_window(app.pid, 1000, 700)
        wait_until("the columns side by side", lambda: not tabs())
        point_at(frame)
        wait_until("both columns offering Continue", lambda: len(continues()) == 2)

        # 3. Continue with the second column's reply.
        app.click(continues()[1])
        app.wait_gone("the compare view", lambda n: role(n) == "label" and text_of(n) == "Compare Models" and showing(n))
        in_list = lambda n: role(n) == "label" and showing(n) and any(role(a) == "list" and name(a) == "GtkListView" for a in ancestors(n))  # noqa: E731
        app.find("the switcher at 2/2", lambda n: in_list(n) and text_of(n).strip() == "2/2")
        app.find("the reply in the conversation", lambda n: in_list(n) and text_of(n).startswith(REPLY))
        app.find("the prompt in the conversation", lambda n: in_list(n) and text_of(n).strip() == PROMPT)
        # ‹ shows the first column's reply, the other version.
        app.click(app.find("Previous Version", lambda n: role(n) == "push button" and name(n) == "Previous Version" and showing(n)))
        app.find("the switcher at 1/2", lambda n: in_list(n) and text_of(n).strip() == "1/2")
        print("compare: OK")
    except Exception:
        dump(app.root(), os.path.join(tempfile.gettempdir(), "valechat-compare-tree.txt"))
        raise
    finally:
        app.quit()
        server.shutdown()


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
