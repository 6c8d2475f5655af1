#!/usr/bin/python3
"""The end of the conversation stays reachable (issue 18, bugs 1 and 2),
through AT-SPI.

1. A conversation of 60 messages is opened: once it is laid out, the last
   reply's code block lies inside the scrolled view. (Before the fix the
   view was moved to the end inside the allocation that made the content
   taller, and that move was lost: the view stopped a few messages short,
   with the scrollbar at the bottom.)
2. The user scrolls up with the mouse wheel: the view stays where they are
   and "Jump to the End" appears.
3. A message is sent while scrolled up: the view goes to the end, and the
   message and the whole streamed reply (to its code block) are shown.
4. Scrolled up again with the pointer on a code block (which used to take
   the wheel from the conversation: issue 18, bug 6), "Jump to the End"
   brings the end back into view.
5. A slow reply is stopped: the note "The reply was stopped before it
   ended." and its Retry button, which appear under the partial reply as
   it ends, lie inside the view (they used to stay below it until the
   window was resized).

Usage: tests/ui/test_conversation_end.py [path/to/valechat]
"""

import os
import subprocess
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
import long_conversation  # noqa: E402
from test_first_slice import SLOW_PROMPT, STOPPED_NOTE, App, Failure, role, name, screenshot, set_text, showing, text_of, wait_until, walk  # noqa: E402
from test_shortcuts import main_frame, point_at, row_of  # noqa: E402

MESSAGES = 60
TITLE = "A long conversation"
PROMPT = "One more question at the end"


def extents(node):
    return node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)


def conversation_pane(app):
    """The scroll pane holding the messages (the one around the last
    question)."""
    last = f"Question {MESSAGES // 2}:"
    question = app.find("the last question in the view", lambda n: role(n) == "label" and text_of(n).startswith(last))
    pane = question
    while pane is not None and role(pane) != "scroll pane":
        pane = pane.parent
    if pane is None:
        raise Failure("the messages are not in a scroll pane")
    return pane


def last_code_block(pane):
    """The last code view (role text) inside the conversation."""
    blocks = [n for n in walk(pane) if role(n) == "text"]
    if not blocks:
        raise Failure("no code block in the conversation")
    return blocks[-1]


def inside(node, pane):
    n, p = extents(node), extents(pane)
    return n.height > 0 and n.y >= p.y and n.y + n.height <= p.y + p.height


def wait_inside(what, node_fn, pane):
    try:
        wait_until(f"{what} to lie inside the view", lambda: inside(node_fn(), pane), timeout=20)
    except Failure:
        n, p = extents(node_fn()), extents(pane)
        raise Failure(
            f"{what} lies at y={n.y}..{n.y + n.height}, the view at y={p.y}..{p.y + p.height}"
        ) from None


def scroll_up(over, clicks=15):
    """Turns the mouse wheel up (X button 4, through xdotool: GTK 4 takes no
    wheel from AT-SPI's synthesized clicks) with the pointer on `over`."""
    e = over.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    x, y = e.x + 10, e.y + e.height // 2
    subprocess.run(["xdotool", "mousemove", str(x), str(y)], check=True)
    time.sleep(0.3)
    for _ in range(clicks):
        subprocess.run(["xdotool", "click", "4"], check=True)
        time.sleep(0.05)
    time.sleep(0.5)


def jump_button(app, visible=True):
    matches = lambda n: role(n) == "push button" and name(n) == "Jump to the End" and showing(n)  # noqa: E731
    if visible:
        return app.find("the Jump to the End button", matches)
    app.wait_gone("the Jump to the End button", matches)
    return None


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-end-")
    long_conversation.prepare(binary, data_dir, MESSAGES, TITLE, base_url, "fake-small")

    app = App(binary, data_dir)
    try:
        point_at(main_frame(app))
        app.click(row_of(app, TITLE))
        pane = conversation_pane(app)

        # 1. Opened: the end is in view.
        last = f"Answer {MESSAGES // 2}:"
        app.find("the last answer", lambda n: role(n) == "label" and text_of(n).startswith(last))
        wait_inside("the last code block", lambda: last_code_block(pane), pane)
        screenshot("end-01-opened")

        # 2. Scrolled up: the view stays, the jump button shows.
        last_question = app.find(
            "the last question",
            lambda n: role(n) == "label" and text_of(n).startswith(f"Question {MESSAGES // 2}:"),
        )
        scroll_up(last_question)
        jump_button(app)
        time.sleep(1.0)
        if inside(last_code_block(pane), pane):
            raise Failure("the view went back to the end after the user scrolled up")
        screenshot("end-02-scrolled-up")

        # 3. Sent while scrolled up: the message and the reply are shown.
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry") and showing(n))
        set_text(composer, PROMPT)
        app.click(app.button("Send"))
        app.find("the reply's last paragraph", lambda n: role(n) == "label" and text_of(n) == "That is all.")
        app.button("Send")  # the reply ended
        wait_inside("the reply's code block", lambda: last_code_block(pane), pane)
        question = app.find("the question sent", lambda n: role(n) == "label" and text_of(n) == PROMPT)
        if extents(question).y < extents(pane).y - 2000:
            raise Failure("the question sent is far above the view")
        jump_button(app, visible=False)
        screenshot("end-03-sent")

        # 4. The wheel over a code block scrolls the conversation; Jump to
        # the End.
        scroll_up(last_code_block(pane))
        if inside(last_code_block(pane), pane):
            raise Failure("the mouse wheel over a code block did not scroll the conversation")
        app.click(jump_button(app))
        wait_inside("the reply's code block after Jump to the End", lambda: last_code_block(pane), pane)
        jump_button(app, visible=False)

        # 5. Stopped: the note and Retry under the partial reply are shown.
        set_text(composer, SLOW_PROMPT)
        app.click(app.button("Send"))
        stop = app.button("Stop")
        app.find("the slow reply's first words", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and SLOW_PROMPT in text_of(n))
        app.click(stop)
        note = app.find("the stopped note", lambda n: role(n) == "label" and text_of(n) == STOPPED_NOTE and showing(n))
        app.button("Send")  # the reply ended
        wait_inside("the stopped note", lambda: note, pane)
        retry = [n for n in app.find_all(lambda n: role(n) == "push button" and name(n) == "Retry" and showing(n))]
        if len(retry) != 1:
            raise Failure(f"{len(retry)} Retry buttons after Stop, expected one")
        wait_inside("the stopped reply's Retry button", lambda: retry[0], pane)
        jump_button(app, visible=False)
        screenshot("end-04-stopped")
        print("ok: the end is in view after opening, sending, Jump to the End and Stop")
    finally:
        app.quit()
        server.shutdown()


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
