#!/usr/bin/python3
"""A long conversation lets the app go idle (issue 18, bug 0), through AT-SPI.

A conversation of 500 messages (questions, and answers with a list and a
two-line Python block: tests/ui/long_conversation.py) is opened from the
sidebar. Once it is shown, the app must stop using the processor: within
IDLE_DEADLINE seconds there must be a QUIET_SPAN-second stretch in which
the process's CPU time (user + system, /proc/PID/stat) grows by less than
QUIET_CPU seconds. Nothing reads the accessibility tree while the CPU is
measured, since every AT-SPI query wakes the app.

Before the fix the window kept redrawing itself at every frame (the
start-up page's spinner kept spinning in the stack after the page was
left), at a cost that grows with every widget of the conversation: about a
fifth of a core for 300 messages, for as long as the window stayed open.

The CPU figures of each second are printed. Then the end of the
conversation must be in the window (the last question), and only part of
the rest: the messages are a list view, which builds widgets for the rows
near the screen (GTK 4.8 keeps at most 200), not for all 500 (issue 12).
Since GTK 4.8 builds those 200 rows whatever fits on screen, the list
holds only the end of a long conversation at first and takes earlier
messages in as the user scrolls up: turning the mouse wheel up over the
conversation must bring in questions that were not there before.

Usage: tests/ui/test_long_conversation.py [path/to/valechat]
"""

import os
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import long_conversation  # noqa: E402
from test_first_slice import App, Failure, role, screenshot, text_of, walk  # noqa: E402
from test_shortcuts import main_frame, point_at, row_of, selected  # noqa: E402

MESSAGES = 500
# Wheel clicks per round while scrolling up, and rounds at most.
WHEEL_CLICKS = 40
WHEEL_ROUNDS = 30
TITLE = "A long conversation"
# Generous for a debug build on a busy two-core machine: opening 500
# messages takes a few seconds there, the idle app then uses nothing.
IDLE_DEADLINE = 90.0
QUIET_SPAN = 3
QUIET_CPU = 0.15


def cpu_seconds(pid):
    """User + system CPU time of process `pid`, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(app):
    """Waits for QUIET_SPAN seconds in a row of (almost) no CPU use and
    returns how long that took; raises Failure at IDLE_DEADLINE."""
    start = time.monotonic()
    window = [cpu_seconds(app.pid)]
    while time.monotonic() - start < IDLE_DEADLINE:
        time.sleep(1.0)
        if app.proc.poll() is not None:
            raise Failure(f"the app exited with status {app.proc.returncode}")
        window.append(cpu_seconds(app.pid))
        print(f"{time.monotonic() - start:5.1f} s: {window[-1] - window[-2]:.2f} s of CPU", flush=True)
        window = window[-(QUIET_SPAN + 1):]
        if len(window) == QUIET_SPAN + 1 and window[-1] - window[0] < QUIET_CPU:
            return time.monotonic() - start
    raise Failure(
        f"the app still used {window[-1] - window[0]:.2f} s of CPU in the last {len(window) - 1} s, "
        f"{IDLE_DEADLINE:.0f} s after opening a conversation of {MESSAGES} messages"
    )


def question_numbers(app):
    """Numbers of the questions that have a label in the window."""
    numbers = []
    for n in walk(main_frame(app)):
        text = text_of(n) if role(n) == "label" else ""
        if text.startswith("Question ") and ":" in text:
            numbers.append(int(text[len("Question "):text.index(":")]))
    return numbers


def scroll_up_until(app, label, below):
    """Turns the wheel up over `label` (a question on screen) in rounds
    until a question numbered under `below` has widgets; returns the
    lowest number then, or raises Failure."""
    ext = label.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    x, y = ext.x + ext.width // 2, ext.y + ext.height // 2
    lowest = below
    for _ in range(WHEEL_ROUNDS):
        pyatspi.Registry.generateMouseEvent(x, y, "abs")
        for _ in range(WHEEL_CLICKS):
            pyatspi.Registry.generateMouseEvent(x, y, "b4c")
        time.sleep(1.0)
        lowest = min(question_numbers(app), default=below)
        if lowest < below:
            return lowest
    raise Failure(f"scrolling up brought no question before number {below} into the window")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-long-")
    long_conversation.prepare(binary, data_dir, MESSAGES, TITLE)

    app = App(binary, data_dir)
    try:
        point_at(main_frame(app))
        row = row_of(app, TITLE)
        app.click(row)
        if not selected(row):
            time.sleep(1.0)
        if not selected(row):
            raise Failure(f"clicking {TITLE!r} in the sidebar did not select it")
        took = wait_idle(app)
        print(f"idle {took:.1f} s after opening {MESSAGES} messages")
        screenshot("long-conversation")

        questions = [
            n for n in walk(main_frame(app))
            if role(n) == "label" and text_of(n).startswith("Question ")
        ]
        last = f"Question {MESSAGES // 2}:"
        if not any(text_of(n).startswith(last) for n in questions):
            raise Failure(f"the last question is not in the window ({len(questions)} questions are)")
        if len(questions) >= MESSAGES // 2:
            raise Failure(f"all {len(questions)} questions have widgets: the list is not a list view")
        print(f"{len(questions)} of {MESSAGES // 2} questions have widgets, the last included; idle {took:.1f} s after opening")

        first = min(question_numbers(app))
        shown = next(n for n in questions if text_of(n).startswith(last))
        lowest = scroll_up_until(app, shown, first)
        print(f"ok: scrolling up brought earlier messages in (question {lowest}, before {first})")
    finally:
        app.quit()


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
