#!/usr/bin/python3
"""End-to-end: the composer's `/` menu scrolls the keyboard selection into
view, through AT-SPI.

1. The fake OpenAI server and three copies of server-everything
   ("everything", "second", "third": four prompts each, twelve rows, more
   than the menu's 280 px show) are configured from the command line.
2. Typing "/" opens the menu; its last row, "third: simple-prompt — …",
   starts below the visible part, and so does row 9. Down eight times must
   bring row 9 into view, Down three more the last row, Up eleven the first
   row, Down eleven the last again (screenshot slash-menu-scrolled.png);
   Enter puts that prompt ("This is a simple prompt without arguments.")
   into the composer.

Usage: tests/ui/test_slash_menu.py [path/to/valechat]
"""

import os
import sys
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
from test_first_slice import Failure, name, role, screenshot, showing, text_of, wait_until  # noqa: E402
from test_prompts import click_at, composer_text, dump_failure, start_with_everything, xdotool  # noqa: E402

SERVERS = ["everything", "second", "third"]
ROWS = 4 * len(SERVERS)
LAST = "third: simple-prompt — "
MIDDLE = "third: args-prompt — "  # row 9 of 12
EXPECTED = "This is a simple prompt without arguments."


def menu_labels(app):
    return [
        n for n in app.find_all(lambda n: role(n) == "label" and showing(n) and text_of(n).split(": ", 1)[0] in SERVERS and " — " in text_of(n))
    ]


def extents(node):
    return node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)


def visible_part(label):
    """The extents of the first ancestor of `label` shorter than the list:
    the scrolled window's visible part."""
    row = label.parent
    listbox = row.parent
    height = extents(listbox).height
    node = listbox.parent
    while node is not None:
        if 0 < extents(node).height < height:
            return extents(node)
        node = node.parent
    raise Failure("no ancestor of the menu's list is shorter than it: nothing to scroll")


def inside(label, part):
    box = extents(label)
    return box.height > 0 and box.y >= part.y and box.y + box.height <= part.y + part.height


def press(key, times):
    for _ in range(times):
        xdotool("key", key)


def open_menu(app):
    """Types "/" until the menu lists every server's prompts (the servers
    may still be starting)."""
    field = app.find("the message field", lambda n: name(n) == "Message" and showing(n))
    deadline = time.monotonic() + 60
    while True:
        click_at(field)
        xdotool("key", "ctrl+a", "BackSpace")
        xdotool("type", "/")
        try:
            wait_until(f"{ROWS} prompts in the menu", lambda: len(menu_labels(app)) == ROWS, timeout=5)
            return
        except Failure:
            if time.monotonic() > deadline:
                raise


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat")
    app, server = start_with_everything(binary, "Slash", SERVERS)
    try:
        app.click(app.find("the conversation", lambda n: name(n) == "Slash" and showing(n)))
        app.find("the first reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and showing(n))
        open_menu(app)
        time.sleep(0.5)
        labels = menu_labels(app)
        middle = next(n for n in labels if text_of(n).startswith(MIDDLE))
        last = next(n for n in labels if text_of(n).startswith(LAST))
        first = labels[0]
        for row in (middle, last):
            if inside(row, visible_part(row)):
                raise Failure(f"{text_of(row)!r} is in view at once: the test needs more rows than fit")
        press("Down", 8)
        wait_until("row 9 to be scrolled into view", lambda: inside(middle, visible_part(middle)), timeout=10)
        press("Down", ROWS - 9)
        wait_until("the last row to be scrolled into view", lambda: inside(last, visible_part(last)), timeout=10)
        press("Up", ROWS - 1)
        wait_until("the first row to be scrolled into view", lambda: inside(first, visible_part(first)), timeout=10)
        press("Down", ROWS - 1)
        wait_until("the last row to be scrolled into view again", lambda: inside(last, visible_part(last)), timeout=10)
        screenshot("slash-menu-scrolled")
        xdotool("key", "Return")
        wait_until(f"the composer to hold {EXPECTED!r}", lambda: composer_text(app) == EXPECTED, timeout=15)
        print("test_slash_menu: ok")
    except Failure:
        screenshot("slash-menu-failure")  # before the app quits
        dump_failure(app, "slash-menu-failure")
        raise
    finally:
        app.quit()
        server.shutdown()


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"test_slash_menu: FAIL: {e}", file=sys.stderr)
        sys.exit(1)
