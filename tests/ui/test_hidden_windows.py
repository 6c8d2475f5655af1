#!/usr/bin/python3
"""Windows opened and closed while an assistive technology reads the window
list, through AT-SPI.

GTK 4.8 answers the application root's `GetChildAtIndex` with the *last*
toplevel when the index is past the visible windows, and crashes (SIGSEGV
after a `g_variant_new_object_path` assertion) when that toplevel is hidden.
A screen reader asks for such an index whenever a window closes between its
`ChildCount` and `GetChildAtIndex` calls, so ValeChat keeps no hidden
windows (src/ui/a11y.rs). This test asks for those indices on purpose:

1. at start-up (GtkApplication used to keep a hidden Keyboard Shortcuts
   window);
2. after the Keyboard Shortcuts, Preferences and Billing windows were each
   opened and closed, twice (they used to hide when closed);
3. after a message dialog (Preferences → Billing → Add Limit…) was
   cancelled (answered dialogs used to stay hidden for two seconds);
4. after the composer's Attach Image chooser was cancelled (GTK 4.8's
   fallback file chooser dialog used to stay behind, hidden);
5. after the main window was closed during a reply (it used to hide until
   the reply ended); the app then quits by itself once the reply is stored.

After each probe the app must still be running and its main window found.

Usage: tests/ui/test_hidden_windows.py [path/to/valechat]
"""

import os
import subprocess
import sys
import tempfile
import time

from gi.repository import Gio, GLib

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import SLOW_PROMPT, App, Failure, add_fake_provider, dump, name, role, set_text, showing, wait_for, walk  # noqa: E402
from test_shortcuts import CONTROL, KEY_ESCAPE, KEY_SLASH, SHIFT, point_at, press  # noqa: E402

# X keycodes (evdev, as Xvfb maps them), besides test_shortcuts' own.
KEY_B, KEY_COMMA = 56, 59


def a11y_bus():
    """A connection to the accessibility bus (its address comes from
    org.a11y.Bus on the session bus)."""
    session = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    reply = session.call_sync(
        "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Bus", "GetAddress",
        None, GLib.VariantType("(s)"), Gio.DBusCallFlags.NONE, 5000, None,
    )
    flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
    return Gio.DBusConnection.new_for_address_sync(reply.unpack()[0], flags, None, None)


class Probe:
    """Asks the app's accessible root for children by index over raw D-Bus
    (libatspi could answer from its cache or refuse an index past the
    count; a screen reader racing a closing window does neither)."""

    def __init__(self, app):
        self.app = app
        self.bus = a11y_bus()

    def child_count(self, root):
        reply = self.bus.call_sync(
            root.app.bus_name, root.path, "org.freedesktop.DBus.Properties", "Get",
            GLib.Variant("(ss)", ("org.a11y.atspi.Accessible", "ChildCount")),
            GLib.VariantType("(v)"), Gio.DBusCallFlags.NONE, 5000, None,
        )
        return reply.unpack()[0]

    def past_the_end(self, when):
        root = self.app.root()
        if root is None:
            raise Failure(f"{when}: the app is not on the accessibility bus")
        count = self.child_count(root)
        for index in range(count, count + 3):
            try:
                self.bus.call_sync(
                    root.app.bus_name, root.path, "org.a11y.atspi.Accessible", "GetChildAtIndex",
                    GLib.Variant("(i)", (index,)), None, Gio.DBusCallFlags.NONE, 5000, None,
                )
            except GLib.Error as e:
                try:
                    status = self.app.proc.wait(2)
                except subprocess.TimeoutExpired:
                    status = None
                if status is not None:
                    raise Failure(f"{when}: the app exited with status {status} when asked for window {index} of {count}") from None
                raise Failure(f"{when}: GetChildAtIndex({index}) failed: {e.message}") from None
        time.sleep(0.2)
        status = self.app.proc.poll()
        if status is not None:
            raise Failure(f"{when}: the app exited with status {status} after being asked for windows past {count}")
        print(f"ui-hidden-windows: {when}: windows {count}..{count + 2} of {count} asked, the app runs on")


def is_window(title):
    return lambda n: role(n) in ("frame", "window", "dialog", "alert") and name(n) == title  # noqa: E731


def is_shortcuts(frame):
    return lambda n: (role(n) in ("frame", "window", "dialog") and n != frame and showing(n)  # noqa: E731
                      and any(name(c) == "Next Conversation" for c in walk(n)))


def close_button(window):
    return wait_for("its Close button", lambda n: role(n) == "push button" and name(n) == "Close" and showing(n), lambda: window)


def shortcuts_round(app, probe, frame, round_):
    point_at(frame)
    press(CONTROL, SHIFT, KEY_SLASH)
    app.find("the Keyboard Shortcuts window", is_shortcuts(frame))
    press(KEY_ESCAPE)
    app.wait_gone("the Keyboard Shortcuts window", is_shortcuts(frame))
    probe.past_the_end(f"Keyboard Shortcuts closed ({round_})")


def preferences_round(app, probe, frame, round_):
    """Preferences, and in it the Add Spending Limit dialog, cancelled."""
    point_at(frame)
    press(CONTROL, KEY_COMMA)
    prefs = app.find("the Preferences window", is_window("Preferences"))
    in_prefs = lambda what, pred: wait_for(what, pred, lambda: prefs)  # noqa: E731
    app.click(in_prefs("the Billing page's tab", lambda n: role(n) in ("push button", "toggle button", "radio button", "page tab") and name(n) == "Billing" and showing(n)))
    time.sleep(0.5)  # the page switch's transition
    app.click(in_prefs("Add Limit…", lambda n: role(n) == "push button" and name(n) == "Add Limit…" and showing(n)))
    dialog = app.find("the limit dialog", is_window("Add Spending Limit"))
    app.click(wait_for("Cancel", lambda n: role(n) == "push button" and name(n) in ("Cancel", "Cancel Cancel") and showing(n), lambda: dialog))
    app.wait_gone("the limit dialog", is_window("Add Spending Limit"))
    probe.past_the_end(f"a message dialog answered ({round_})")
    app.click(close_button(prefs))
    app.wait_gone("the Preferences window", is_window("Preferences"))
    probe.past_the_end(f"Preferences closed ({round_})")


def billing_round(app, probe, frame, round_):
    point_at(frame)
    press(CONTROL, SHIFT, KEY_B)
    billing = app.find("the Billing window", is_window("Billing"))
    app.click(close_button(billing))
    app.wait_gone("the Billing window", is_window("Billing"))
    probe.past_the_end(f"Billing closed ({round_})")


def chooser_cancelled(app, probe):
    """The composer's file chooser, cancelled with Escape, leaves no hidden
    dialog behind."""
    app.click(app.button("Attach Image"))
    chooser = lambda n: name(n) == "Attach Images" and showing(n)  # noqa: E731
    app.find("the file chooser", chooser)
    time.sleep(0.5)  # mapped and focused before the key
    press(KEY_ESCAPE)
    app.wait_gone("the file chooser", chooser)
    probe.past_the_end("the Attach Images chooser cancelled")


def closed_during_a_reply(app, probe, frame, binary, data_dir):
    """Closes the main window while a slow reply streams: the app keeps no
    hidden window while it waits, quits by itself when the reply ends, and
    the reply is stored."""
    server = fake_openai.start()
    try:
        add_fake_provider(app, f"http://127.0.0.1:{server.server_address[1]}/v1")
        chooser_cancelled(app, probe)
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry") and showing(n))
        set_text(composer, SLOW_PROMPT)
        app.click(app.button("Send"))
        app.button("Stop")
        app.click(wait_for("the main window's Close button", lambda n: role(n) == "push button" and name(n) == "Close" and showing(n), lambda: frame))
        time.sleep(0.5)
        if app.proc.poll() is not None:
            raise Failure(f"the app quit at once (status {app.proc.returncode}) although a reply was running")
        probe.past_the_end("main window closed during a reply")
        try:
            status = app.proc.wait(60)
        except subprocess.TimeoutExpired:
            raise Failure("the app did not quit when the reply ended") from None
        if status != 0:
            raise Failure(f"the app exited with status {status} after the reply")
        history = subprocess.run(
            [os.path.abspath(binary), "history", "list"], env={**os.environ, "VALECHAT_DATA_DIR": data_dir},
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout
        if SLOW_PROMPT not in history:
            raise Failure(f"the conversation is not stored: {history!r}")
        print("ui-hidden-windows: closed during a reply: no hidden window, the reply stored, the app quit by itself")
    finally:
        server.shutdown()


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat"
    with tempfile.TemporaryDirectory() as data_dir:
        app = App(binary, data_dir)
        try:
            frame = app.find("the main window", lambda n: role(n) == "frame" and name(n) == "ValeChat")
            # Start-up finished (Preferences and Billing need the engine)
            # once the welcome page shows.
            app.find("the welcome page", lambda n: name(n) == "Welcome to ValeChat")
            probe = Probe(app)
            probe.past_the_end("start-up")
            for round_ in ("first", "second"):
                shortcuts_round(app, probe, frame, round_)
                preferences_round(app, probe, frame, round_)
                billing_round(app, probe, frame, round_)
            app.find("the main window, still there", lambda n: n == frame)
            closed_during_a_reply(app, probe, frame, binary, data_dir)
            print("ui-hidden-windows: OK")
        except Failure:
            root = app.root()
            if root is not None and os.environ.get("VALECHAT_SCREENSHOT_DIR"):
                dump(root, os.path.join(os.environ["VALECHAT_SCREENSHOT_DIR"], "hidden-windows-tree.txt"))
            raise
        finally:
            app.quit()


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-hidden-windows: FAIL: {e}", file=sys.stderr)
        sys.exit(1)
