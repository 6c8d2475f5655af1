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
   Each column's reply is rendered from Markdown as the conversation's
   messages are: the emphasis is markup, not asterisks, the list items
   and the code block are widgets of their own.
3. "Continue with this one" on the second column goes back to the
   conversation, which shows that reply with `2/2` (the first column's
   reply is its other version, reachable with ‹).
4. With both models priced and a hard daily limit of $0.01, a comparison
   is refused before anything is sent: the "Spending Limit Reached" dialog
   names the limit, what is spent and what is left. Cancel keeps the
   chooser with the prompt; Compare again and "Send Anyway" runs the
   comparison once over the limit, both columns answering with a cost.

Screenshots: the columns (`compare`), narrow (`compare-narrow`), the
refusal (`compare-refused`) and the comparison sent anyway
(`compare-sent-anyway`).

Usage: tests/ui/test_compare.py [path/to/valechat]
"""

import os
import sqlite3
import subprocess
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, add_fake_provider, ancestors, dump, menu_item, name, role, screenshot, set_text, showing, text_of, wait_for, wait_until, walk  # noqa: E402
from test_limits import dialog_button, set_price  # noqa: E402
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


def column_texts(app):
    """Each showing column's whole reply: the text of every label in the
    scrolled card holding a paragraph that starts like the reply."""
    texts = []
    for label in reply_labels(app):
        card = next((a for a in ancestors(label) if role(a) == "scroll pane"), None)
        if card is not None:
            texts.append("\n".join(text_of(n) for n in walk(card) if role(n) == "label"))
    return texts


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
        lengths = [len(t) for t in column_texts(app)]
        time.sleep(1.5)
        grown = [len(t) for t in column_texts(app)]
        assert all(b > a for a, b in zip(lengths, grown)), f"not both columns grew while streaming: {lengths} -> {grown}"

        # Each column ends with its figures and offers Continue.
        continues = lambda: [b for b in showing_buttons(app, "Continue with this one") if sensitive(b)]  # noqa: E731
        wait_until("both columns done", lambda: len(continues()) == 2, timeout=60)
        figures = app.find_all(lambda n: role(n) == "label" and "ms to first token" in text_of(n) and "tokens/s" in text_of(n) and showing(n))
        assert len(figures) == 2, f"{len(figures)} columns show their figures"
        assert all("12 in, 40 out" in text_of(f) for f in figures), [text_of(f) for f in figures]
        # Markdown, as in the conversation: the emphasis is markup, the list
        # items and the code line are labels and a code view of their own.
        for text in column_texts(app):
            assert f"You said: {PROMPT}" in text and "*" not in text, text
            assert "first item" in text.split("\n"), text
        code = app.find_all(lambda n: role(n) in ("text", "entry") and 'print("hello, world")' in text_of(n) and showing(n))
        assert len(code) == 2, f"{len(code)} columns show the code block as code"
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

        # 4. A hard limit refuses the comparison; Send Anyway runs it once.
        env = dict(os.environ, VALECHAT_DATA_DIR=data_dir, RUST_LOG="off")
        for model in ("fake-small", "fake-large"):
            set_price(os.path.join(data_dir, "valechat.db"), "fake-server", model)
        subprocess.run([binary, "limits", "set", "--scope", "global-day", "--amount", "0.01"], env=env, check=True, timeout=30)
        set_text(composer, "Compare this over the limit")
        app.click(app.find("the composer's menu", lambda n: name(n) == "More Message Options" and showing(n)))
        app.click(menu_item(app, "Compare Models…"))
        app.find("the compare view again", lambda n: role(n) == "label" and text_of(n) == "Compare Models" and showing(n))
        app.click(check_box(app, "fake-small"))
        app.click(check_box(app, "fake-large"))
        wait_until("Compare to be offered", lambda: sensitive(app.button("Compare")))
        app.click(app.button("Compare"))
        is_dialog = lambda n: role(n) in ("dialog", "alert", "frame", "window") and name(n) == "Spending Limit Reached"  # noqa: E731
        dialog = app.find("the Spending Limit Reached dialog", is_dialog)
        body = wait_for(
            "the refusal's explanation",
            lambda n: role(n) == "label" and "the daily spending limit" in text_of(n),
            lambda: dialog,
        )
        for part in ("$0.01", "left", "spent"):
            assert part in text_of(body), (part, text_of(body))
        screenshot("compare-refused")
        app.click(dialog_button(dialog, "Cancel"))
        app.wait_gone("the dialog", is_dialog)
        # Nothing was sent: the chooser, its models still ticked.
        wait_until("Compare offered again", lambda: sensitive(app.button("Compare")))
        app.find("the prompt kept", lambda n: role(n) == "label" and text_of(n) == "Compare this over the limit" and showing(n))
        app.click(app.button("Compare"))
        dialog = app.find("the dialog again", is_dialog)
        app.click(dialog_button(dialog, "Send Anyway"))
        app.wait_gone("the dialog", is_dialog)
        wait_until("both columns done over the limit", lambda: len(continues()) == 2, timeout=60)
        costs = app.find_all(lambda n: role(n) == "label" and "tokens/s" in text_of(n) and "$" in text_of(n) and showing(n))
        assert len(costs) == 2, f"{len(costs)} columns show a cost"
        for dismiss in showing_buttons(app, "Dismiss"):
            app.click(dismiss)
        time.sleep(0.5)
        screenshot("compare-sent-anyway")
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
