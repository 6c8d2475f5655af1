#!/usr/bin/python3
"""Keyboard shortcuts and window state, through AT-SPI.

Runs the real app (under tests/run-in-session.sh) over a database that the
CLI fills with three conversations answered by tests/ui/fake_openai.py:

1. Ctrl+PgDn / Ctrl+PgUp move the sidebar's selection (the open
   conversation's title follows);
2. Ctrl+F puts the focus in the sidebar's search entry; typing filters the
   list by title, and by message text through the full-text index;
3. Ctrl+? opens the Keyboard Shortcuts window, which lists the shortcuts;
4. a second `valechat` hands over to the running one and exits at once;
5. the window is resized (XResizeWindow, as a window manager would) and the
   app quits; started again, it has the same size and reopens the same
   conversation. GSettings uses the keyfile back end in a temporary
   XDG_CONFIG_HOME here (the session's default is the memory back end), with
   the schema compiled in the build tree (GSETTINGS_SCHEMA_DIR, set by meson).

Usage: tests/ui/test_shortcuts.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (shortcuts-*.png).
"""

import ctypes
import os
import subprocess
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, showing, text_of, wait_for, wait_until, walk  # noqa: E402

# X keycodes (evdev, as Xvfb maps them).
CONTROL, SHIFT = 37, 50
KEY_F, KEY_SLASH, KEY_ESCAPE, PAGE_UP, PAGE_DOWN = 41, 61, 9, 112, 117

ICELAND = "Iceland trip"
RUST = "Rust borrow checker"
HOLIDAY = "Holiday ideas"  # its message also says "glaciers"
SIZE = (812, 604)


def press(*keys):
    """Presses `keys` together (modifiers first) and releases them."""
    for key in keys:
        pyatspi.Registry.generateKeyboardEvent(key, None, pyatspi.KEY_PRESS)
    for key in reversed(keys):
        pyatspi.Registry.generateKeyboardEvent(key, None, pyatspi.KEY_RELEASE)
    time.sleep(0.3)


def main_frame(app):
    return app.find("the main window", lambda n: role(n) == "frame" and name(n) == "ValeChat")


def point_at(node):
    """Moves the pointer over `node`: with no window manager, X gives the
    keyboard to the window under the pointer."""
    ext = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    pyatspi.Registry.generateMouseEvent(ext.x + ext.width // 2, ext.y + ext.height // 2, "abs")
    time.sleep(0.3)


def row_of(app, title):
    label = app.find(f"the sidebar row {title!r}", lambda n: role(n) == "label" and name(n) == title and in_sidebar_row(n))
    node = label
    while node is not None and role(node) != "list item":
        node = node.parent
    if node is None:
        raise Failure(f"the label {title!r} is not in a list row")
    return node


def selected(node):
    try:
        return node.getState().contains(pyatspi.STATE_SELECTED)
    except Exception:
        return False


def focused(node):
    try:
        return node.getState().contains(pyatspi.STATE_FOCUSED)
    except Exception:
        return False


def sidebar_titles(app):
    """Titles of the conversations the sidebar shows, in order (rows hidden
    by the search leave the accessibility tree). A sidebar row is a list
    item holding a conversation's title and its model's name."""
    titles = []
    for item in app.find_all(lambda n: role(n) == "list item"):
        labels = [name(n) for n in walk(item) if role(n) == "label"]
        if "fake-small" in labels:
            titles += [t for t in labels if t in (ICELAND, RUST, HOLIDAY)]
    return titles


def wait_selected(app, title):
    row = row_of(app, title)
    wait_until(f"{title!r} to be selected", lambda: selected(row))
    app.find(f"the title {title!r} above the conversation", lambda n: role(n) == "label" and name(n) == title and not is_in_list(n))


def in_sidebar_row(node):
    """Whether `node` is in a sidebar row (a list item with a Conversation
    Menu button; the messages are list items too)."""
    while node is not None and role(node) != "list item":
        node = node.parent
    return node is not None and any(name(n) == "Conversation Menu" for n in walk(node))


def is_in_list(node):
    while node is not None:
        if role(node) == "list item":
            return True
        node = node.parent
    return False


def all_main_windows():
    """ValeChat main windows of every application on the AT-SPI desktop."""
    desktop = pyatspi.Registry.getDesktop(0)
    frames = []
    for i in range(desktop.childCount):
        try:
            application = desktop.getChildAtIndex(i)
            for j in range(application.childCount):
                child = application.getChildAtIndex(j)
                if role(child) == "frame" and name(child) == "ValeChat":
                    frames.append(child)
        except Exception:
            continue
    return frames


def resize_window(pid, width, height):
    """Resizes the app's main X window (without a window manager top levels
    are children of the root window; the app's carry its _NET_WM_PID)."""
    x11 = ctypes.CDLL("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XQueryTree.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong),
                               ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)), ctypes.POINTER(ctypes.c_uint)]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XGetWindowProperty.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int,
                                       ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
                                       ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p)]
    u = ctypes.POINTER(ctypes.c_uint)
    x11.XGetGeometry.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
                                 ctypes.POINTER(ctypes.c_int), u, u, u, u]
    x11.XResizeWindow.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_uint, ctypes.c_uint]
    x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    x11.XFree.argtypes = [ctypes.c_void_p]

    display = x11.XOpenDisplay(None)
    if not display:
        raise Failure("cannot open the X display")
    try:
        net_wm_pid = x11.XInternAtom(display, b"_NET_WM_PID", 0)
        root = x11.XDefaultRootWindow(display)
        r, p, n = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_uint()
        children = ctypes.POINTER(ctypes.c_ulong)()
        x11.XQueryTree(display, root, ctypes.byref(r), ctypes.byref(p), ctypes.byref(children), ctypes.byref(n))
        windows = [children[i] for i in range(n.value)]
        x11.XFree(children)
        mine = []
        for window in windows:
            kind, fmt, count, rest = ctypes.c_ulong(), ctypes.c_int(), ctypes.c_ulong(), ctypes.c_ulong()
            data = ctypes.c_void_p()
            # XA_CARDINAL is 6.
            status = x11.XGetWindowProperty(display, window, net_wm_pid, 0, 1, 0, 6, ctypes.byref(kind), ctypes.byref(fmt),
                                            ctypes.byref(count), ctypes.byref(rest), ctypes.byref(data))
            if status != 0 or not data.value or count.value != 1:
                continue
            owner = ctypes.cast(data, ctypes.POINTER(ctypes.c_ulong))[0]
            x11.XFree(data)
            if owner == pid:
                g = [ctypes.c_ulong(), ctypes.c_int(), ctypes.c_int()] + [ctypes.c_uint() for _ in range(4)]
                x11.XGetGeometry(display, window, *(ctypes.byref(v) for v in g))
                mine.append((g[3].value * g[4].value, window))
        if not mine:
            raise Failure(f"no X window of process {pid}")
        # The largest: GDK's client leader window is 1×1 and unmapped.
        window = max(mine)[1]
        x11.XResizeWindow(display, window, width, height)
        x11.XSync(display, 0)
    finally:
        x11.XCloseDisplay(display)


def frame_size(frame):
    ext = frame.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    return ext.width, ext.height


def fill_database(binary, env, base_url):
    def cli(*args):
        subprocess.run([binary, *args], env=env, check=True, stdout=subprocess.DEVNULL)

    cli("providers", "add", "--name", "Fake Server", "--base-url", base_url)
    for prompt in (ICELAND, RUST, f"{HOLIDAY}\nSomewhere with glaciers"):
        cli("chat", "--provider", "fake-server", "--model", "fake-small", prompt)
        time.sleep(0.01)  # distinct update times: the sidebar is newest first


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    if not os.environ.get("GSETTINGS_SCHEMA_DIR"):
        raise Failure("GSETTINGS_SCHEMA_DIR must name the build tree's compiled schema (meson sets it)")
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-shortcuts-")
    config_dir = tempfile.mkdtemp(prefix="valechat-ui-config-")
    # App() copies os.environ: the keyfile back end keeps settings across runs.
    os.environ.update(GSETTINGS_BACKEND="keyfile", XDG_CONFIG_HOME=config_dir)
    fill_database(binary, dict(os.environ, VALECHAT_DATA_DIR=data_dir), base_url)

    app = App(binary, data_dir)
    try:
        frame = main_frame(app)
        for title in (ICELAND, RUST, HOLIDAY):
            row_of(app, title)
        point_at(frame)

        # 1. Previous / next conversation.
        press(CONTROL, PAGE_DOWN)
        wait_selected(app, HOLIDAY)
        press(CONTROL, PAGE_DOWN)
        wait_selected(app, RUST)
        press(CONTROL, PAGE_DOWN)
        wait_selected(app, ICELAND)
        press(CONTROL, PAGE_UP)
        wait_selected(app, RUST)
        screenshot("shortcuts-01-next")

        # 2. Search: Ctrl+F focuses the entry; typing filters the list.
        wait_until("the three conversations in the sidebar", lambda: sidebar_titles(app) == [HOLIDAY, RUST, ICELAND])
        press(CONTROL, KEY_F)
        entry = app.find("the search entry", lambda n: name(n) == "Search conversations" and role(n) in ("text", "entry") and showing(n))
        wait_until("the search entry to have the focus", lambda: focused(entry))
        pyatspi.Registry.generateKeyboardEvent(0, "borrow", pyatspi.KEY_STRING)
        wait_until("only the Rust row to show", lambda: sidebar_titles(app) == [RUST])
        screenshot("shortcuts-02-search-title")
        # A word only in a message (full-text search).
        press(CONTROL, 38)  # Ctrl+A, then replace
        pyatspi.Registry.generateKeyboardEvent(0, "glaciers", pyatspi.KEY_STRING)
        wait_until("only the Holiday row to show", lambda: sidebar_titles(app) == [HOLIDAY])
        screenshot("shortcuts-03-search-message")
        press(KEY_ESCAPE)
        wait_until("every row to show again", lambda: sidebar_titles(app) == [HOLIDAY, RUST, ICELAND])

        # 3. Ctrl+? opens the Keyboard Shortcuts window.
        point_at(frame)
        press(CONTROL, SHIFT, KEY_SLASH)
        overlay = app.find(
            "the Keyboard Shortcuts window",
            lambda n: role(n) in ("frame", "window", "dialog") and n != frame
            and any(name(c) == "Next Conversation" for c in walk(n)),
        )
        for title in ("Search Conversations", "Previous Conversation", "New Conversation", "Show Shortcuts", "Choose Model", "Billing"):
            wait_for(f"{title!r} in the shortcuts window", lambda n, t=title: name(n) == t, lambda: overlay)
        screenshot("shortcuts-04-window")
        press(KEY_ESCAPE)
        app.wait_gone("the Keyboard Shortcuts window", lambda n: role(n) in ("frame", "window", "dialog") and name(n) == name(overlay) and n != frame and showing(n))

        # 4. Single instance: a second launch hands over to the running app
        # and leaves; no second window appears.
        second = subprocess.run([binary], env=dict(os.environ, VALECHAT_DATA_DIR=data_dir), timeout=20)
        if second.returncode != 0:
            raise Failure(f"the second launch exited with status {second.returncode}")
        frames = all_main_windows()
        if len(frames) != 1:
            raise Failure(f"{len(frames)} main windows after a second launch")

        # 5. Size and open conversation survive a restart.
        before = frame_size(frame)
        resize_window(app.pid, *SIZE)
        wait_until("the window to take the new size", lambda: frame_size(frame) != before)
        resized = frame_size(frame)  # the X window less GTK's frame border
        app.quit()
        keyfile = os.path.join(config_dir, "glib-2.0", "settings", "keyfile")
        with open(keyfile) as f:
            stored = f.read()
        for line in (f"window-width={SIZE[0]}", f"window-height={SIZE[1]}"):
            if line not in stored:
                raise Failure(f"{line!r} is not in the keyfile:\n{stored}")

        app = App(binary, data_dir)
        frame = main_frame(app)
        wait_until(f"the restored window to be {resized}", lambda: frame_size(frame) == resized)
        wait_selected(app, RUST)
        screenshot("shortcuts-05-restored")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("shortcuts-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    print("test_shortcuts: OK")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
