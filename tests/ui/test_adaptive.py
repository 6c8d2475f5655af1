#!/usr/bin/python3
"""The adaptive layout, through AT-SPI (issue 18, bug 3).

Runs the real app (under tests/run-in-session.sh) over a database that the
CLI fills with three conversations answered by tests/ui/fake_openai.py:

1. at 1000 px the sidebar and the conversation stand side by side;
2. resized to 360 px (XResizeWindow, as a window manager would), one pane
   shows at a time — the open conversation, with a Back button and the
   model button in the title's place — and every button on screen lies
   inside the window (the close button, Send, the model button, Back);
3. Back shows the conversation list (with the window's buttons in its
   header), again inside the window; a row opens its conversation in place
   of the list; Ctrl+F brings the list back with its search entry focused;
4. back at 1000 px both panes show again with the conversation's title,
   and Back is gone.

GTK 4.8 reports the leaflet's hidden pane as `showing` over AT-SPI, with
the extents it had when it last showed, so which pane is on screen is
judged by AT-SPI's hit test (GetAccessibleAtPoint) along the window.

Usage: tests/ui/test_adaptive.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (adaptive-*.png).
"""

import os
import sys
import tempfile

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, ancestors, Failure, dump, name, role, screenshot, showing, text_of, wait_until, walk  # noqa: E402
from test_shortcuts import (  # noqa: E402
    CONTROL, HOLIDAY, ICELAND, KEY_ESCAPE, KEY_F, RUST, fill_database, focused, main_frame, point_at, press, resize_window, row_of, selected,
    wait_selected,
)

NARROW, WIDE, HEIGHT = 360, 1000, 700
BUTTON_ROLES = ("push button", "toggle button")


def extents(node):
    return node.queryComponent().getExtents(pyatspi.WINDOW_COORDS)


def panes(app):
    """The sidebar and the conversation pane: the two children of the
    lowest node that holds both the Main Menu button and Send."""
    menu = app.find("the Main Menu button", lambda n: role(n) in BUTTON_ROLES and name(n) == "Main Menu")
    send = app.find("the Send button", lambda n: role(n) == "push button" and name(n) == "Send")
    up_from_menu, up_from_send = ancestors(menu), ancestors(send)
    for i, node in enumerate(up_from_menu):
        if node in up_from_send:
            j = up_from_send.index(node)
            if i == 0 or j == 0:
                break
            return up_from_menu[i - 1], up_from_send[j - 1]
    raise Failure("no node holds both the sidebar and the conversation")


def pane_at(frame, x, y, sidebar, content):
    """Which pane the point (x, y) of the window shows: AT-SPI's hit test
    picks what is drawn there."""
    try:
        node = frame.queryComponent().getAccessibleAtPoint(x, y, pyatspi.WINDOW_COORDS)
        chain = ancestors(node) if node is not None else []
    except Exception:
        return None  # a row rebuilt while we asked (a conversation opening)
    if sidebar in chain:
        return "sidebar"
    if content in chain:
        return "conversation"
    return None


def shown_panes(app, frame):
    """The panes drawn across the window, judged by hit tests along its
    header and its middle, from left to right."""
    sidebar, content = panes(app)
    window = extents(frame)
    shown = []
    for x in range(8, window.width, 24):
        for y in (24, window.height // 2):
            pane = pane_at(frame, x, y, sidebar, content)
            if pane is not None and pane not in shown:
                shown.append(pane)
    return shown


def buttons_outside(app, frame, pane):
    """Buttons of `pane` on screen whose extents leave the window's, as
    text for a failure message."""
    window = extents(frame)
    outside = []
    for node in walk(pane):
        if role(node) not in BUTTON_ROLES or not showing(node):
            continue
        e = extents(node)
        if e.width <= 0 or e.height <= 0:
            continue
        if e.y >= window.y + window.height or e.y + e.height <= window.y:
            continue  # a message row's button scrolled out of the list
        if e.x < window.x or e.x + e.width > window.x + window.width or e.y + e.height > window.y + window.height:
            outside.append(f"{name(node) or role(node)!r} at x {e.x}..{e.x + e.width}, y {e.y}..{e.y + e.height}")
    return outside


def assert_fits(app, frame, pane, what):
    outside = buttons_outside(app, frame, pane)
    window = extents(frame)
    if outside:
        raise Failure(f"{what}: buttons outside the window (x {window.x}..{window.x + window.width}, "
                      f"y {window.y}..{window.y + window.height}): " + "; ".join(outside))


def named_buttons(pane, label):
    return [n for n in walk(pane) if role(n) in BUTTON_ROLES and name(n) == label and showing(n)]


def expect_panes(app, frame, expected, what):
    """Waits until exactly the panes `expected` show; the failure says
    which show and which buttons leave the window."""
    try:
        wait_until(what, lambda: shown_panes(app, frame) == expected)
    except Failure:
        raise Failure(f"{what}: the panes shown are {shown_panes(app, frame)}; "
                      f"buttons outside the window: {buttons_outside(app, frame, frame) or 'none'}") from None


def wait_opened(app, content, title):
    """Waits until `title`'s row is selected and its first message shows in
    the conversation pane (a narrow header has no title)."""
    wait_until(f"{title!r} to be selected", lambda: selected(row_of(app, title)))
    wait_until(f"the message {title!r} in the conversation pane",
               lambda: any(content in ancestors(n) for n in app.find_all(lambda n: role(n) == "label" and text_of(n) == title)))


def resize(app, frame, width):
    resize_window(app.pid, width, HEIGHT)
    # The frame is the X window less GTK's frame border, and no narrower
    # than the window's minimum: at most `width` once the window allows it.
    try:
        wait_until(f"the window to be {width} px wide", lambda: width - 60 <= extents(frame).width <= width)
    except Failure:
        raise Failure(f"the window is {extents(frame).width} px wide, not {width} px") from None


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-adaptive-")
    fill_database(binary, dict(os.environ, VALECHAT_DATA_DIR=data_dir), base_url)

    app = App(binary, data_dir)
    try:
        frame = main_frame(app)
        resize(app, frame, WIDE)
        app.click(row_of(app, RUST))
        wait_selected(app, RUST)

        # 1. Wide: both panes.
        expect_panes(app, frame, ["sidebar", "conversation"], "both panes side by side")
        screenshot("adaptive-1-wide")

        # 2. Narrow: the conversation alone, with Back, inside the window.
        resize(app, frame, NARROW)
        expect_panes(app, frame, ["conversation"], "only the conversation to show")
        sidebar, content = panes(app)
        screenshot("adaptive-2-narrow-conversation")
        assert_fits(app, frame, content, "the conversation at 360 px")
        for label in ("Back", "Send", "fake-small", "Conversation Settings", "Close"):
            if not named_buttons(content, label):
                raise Failure(f"no {label!r} button in the conversation pane at 360 px")

        # 3. Back: the list alone, with the window's buttons; a row opens
        # its conversation in place of the list.
        app.click(named_buttons(content, "Back")[0])
        expect_panes(app, frame, ["sidebar"], "only the sidebar to show")
        screenshot("adaptive-3-narrow-sidebar")
        assert_fits(app, frame, sidebar, "the sidebar at 360 px")
        for label in ("Search Conversations", "Main Menu", "Close"):
            if not named_buttons(sidebar, label):
                raise Failure(f"no {label!r} button in the sidebar at 360 px")
        app.click(row_of(app, ICELAND))
        wait_opened(app, content, ICELAND)
        expect_panes(app, frame, ["conversation"], "the conversation to replace the list")
        assert_fits(app, frame, content, "the conversation opened from the list at 360 px")
        # The open conversation's row is activated again: the list gives
        # way to the conversation even though the selection stays.
        app.click(named_buttons(content, "Back")[0])
        expect_panes(app, frame, ["sidebar"], "the sidebar again")
        app.click(row_of(app, ICELAND))
        expect_panes(app, frame, ["conversation"], "the same conversation again")
        # Ctrl+F searches in the list: the list comes back for it.
        point_at(frame)
        press(CONTROL, KEY_F)
        expect_panes(app, frame, ["sidebar"], "the list for Ctrl+F")
        entry = app.find("the search entry", lambda n: name(n) == "Search conversations" and role(n) in ("text", "entry") and showing(n))
        wait_until("the search entry to have the focus", lambda: focused(entry))
        press(KEY_ESCAPE)

        # 4. Wide again: both panes, no Back.
        resize(app, frame, WIDE)
        expect_panes(app, frame, ["sidebar", "conversation"], "both panes again")
        wait_until("Back to go", lambda: not named_buttons(content, "Back"))
        wait_selected(app, ICELAND)  # the title is back above the conversation
        row_of(app, HOLIDAY)
        screenshot("adaptive-4-wide-again")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("adaptive-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    print("test_adaptive: OK")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
