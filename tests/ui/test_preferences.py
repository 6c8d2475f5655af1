#!/usr/bin/python3
"""End-to-end UI test of Preferences → Providers, through AT-SPI.

Runs the real app against tests/ui/fake_openai.py (under the session that
tests/run-in-session.sh provides), reusing test_first_slice.py's helpers:

1. first run: the welcome form adds a provider for the fake server;
2. the main menu opens Preferences: its Billing page titles a provider's
   limit (set with `valechat limits set`) with the provider's name; the
   provider's row is expanded;
3. the provider is renamed (the row's title and the window follow);
4. it is disabled and enabled again with the row's switch;
5. Test Connection reports the server's two models;
6. Preferences → Tools shows the rounds per reply the CLI stored, and its
   Reset button stores the defaults (read back with `valechat mcp settings`);
7. Remove (confirmed) deletes it, and the main window shows the welcome
   page again.

Usage: tests/ui/test_preferences.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (prefs-*.png).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, add_fake_provider, Failure, dump, name, role, screenshot, set_text, showing, text_of, wait_for, walk  # noqa: E402

NEW_NAME = "Renamed Server"


def is_button(node, label):
    return role(node) in ("push button", "toggle button") and name(node) in (label, f"{label} {label}") and showing(node)


def unnamed_buttons(root):
    """Icon buttons without an accessible name (AdwEntryRow's apply button
    is one; GTK 4.8 names it after its image)."""
    return [n for n in walk(root) if role(n) == "push button" and name(n) == "GtkImage" and showing(n)]


def edit_and_apply(app, root, field, text):
    """Types `text` into an AdwEntryRow and presses the apply button it then
    shows. The row shows that button only while it has the focus, and GTK
    4.8 does not implement AT-SPI's grabFocus (nor report the row's focus):
    a pointer click focuses it, tried again until the button shows."""
    before = unnamed_buttons(root)
    for attempt in range(10):
        ext = field.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        pyatspi.Registry.generateMouseEvent(ext.x + ext.width // 2, ext.y + ext.height // 2, "b1c")
        time.sleep(0.3)
        set_text(field, f"{text} " if attempt % 2 else text)
        set_text(field, text)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            new = [n for n in unnamed_buttons(root) if n not in before]
            if new:
                app.click(new[0])
                return
            time.sleep(0.25)
    raise Failure("the entry row showed no apply button")


def is_inside(node, ancestor):
    try:
        while node is not None:
            if node == ancestor:
                return True
            node = node.parent
    except Exception:
        pass
    return False


def open_preferences(app):
    """Main Menu → Preferences (Ctrl+comma cannot be sent reliably)."""
    app.click(app.find("the main menu button", lambda n: is_button(n, "Main Menu")))
    item = app.find(
        "the Preferences menu item",
        lambda n: name(n) == "Preferences" and role(n) in ("menu item", "push button", "check menu item") and showing(n),
    )
    app.click(item)
    return app.find("the Preferences window", lambda n: role(n) in ("frame", "window", "dialog") and name(n) == "Preferences")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-prefs-")

    app = App(binary, data_dir)
    try:
        add_fake_provider(app, base_url)

        def settings(*args):
            """`valechat mcp settings ARGS` on the app's database, while the
            app has it open."""
            command = [binary, "mcp", "settings", *args]
            started = time.monotonic()
            try:
                done = subprocess.run(
                    command, env={**os.environ, "VALECHAT_DATA_DIR": data_dir},
                    capture_output=True, text=True, timeout=30,
                )
            except subprocess.TimeoutExpired as e:
                raise Failure(f"`{' '.join(command[1:])}` did not end within 30 s; its stderr: {e.stderr!r}") from None
            if done.returncode != 0:
                raise Failure(f"`{' '.join(command[1:])}` exited with {done.returncode}: {done.stderr!r}")
            print(f"`{' '.join(command[1:])}` took {time.monotonic() - started:.1f} s", file=sys.stderr)
            return done.stdout
        settings("--max-rounds", "7")
        limit = subprocess.run(
            [binary, "limits", "set", "--scope", "provider", "--target", "fake-server", "--amount", "5"],
            env={**os.environ, "VALECHAT_DATA_DIR": data_dir}, capture_output=True, text=True, timeout=30,
        )
        if limit.returncode != 0:
            raise Failure(f"`valechat limits set` exited with {limit.returncode}: {limit.stderr!r}")
        prefs = open_preferences(app)
        in_prefs = lambda what, pred: wait_for(what, pred, lambda: prefs)  # noqa: E731
        # Billing page: a provider's limit is titled with the provider's
        # name, not its id.
        app.click(in_prefs("the Billing page", lambda n: role(n) in ("toggle button", "radio button", "push button", "page tab") and name(n) == "Billing" and showing(n)))
        in_prefs("the provider limit by the provider's name", lambda n: role(n) == "label" and text_of(n) == "Monthly, provider Fake Server" and showing(n))
        screenshot("prefs-00-billing")
        app.click(in_prefs("the Providers page", lambda n: role(n) in ("toggle button", "radio button", "push button", "page tab") and name(n) == "Providers" and showing(n)))
        time.sleep(1.0)  # let the page slide in: the row below takes a pointer click
        row = in_prefs("the provider's row", lambda n: role(n) == "list item" and name(n) == "Fake Server")
        in_prefs("the provider's status", lambda n: role(n) == "label" and name(n) == "Ready")
        app.click(row)  # expand it
        screenshot("prefs-01-open")

        # Rename: type into the Name row and apply.
        field = in_prefs("the Name row", lambda n: role(n) == "text" and name(n) == "Name" and text_of(n) == "Fake Server")
        edit_and_apply(app, prefs, field, NEW_NAME)
        in_prefs("the renamed row", lambda n: role(n) == "list item" and name(n) == NEW_NAME)
        app.find("the new name in the window's title", lambda n: role(n) == "label" and name(n) == NEW_NAME and not is_inside(n, prefs))
        screenshot("prefs-02-renamed")

        # Disable, then enable again.
        switch = in_prefs("the Enabled switch", lambda n: role(n) in ("check box", "toggle button", "switch") and name(n) == "Enabled")
        app.click(switch)
        in_prefs("the disabled status", lambda n: role(n) == "label" and name(n) == "Disabled")
        screenshot("prefs-03-disabled")
        app.click(switch)
        in_prefs("the ready status again", lambda n: role(n) == "label" and name(n) == "Ready")

        # Test Connection with the stored configuration.
        app.click(in_prefs("Test Connection", lambda n: is_button(n, "Test Connection")))
        in_prefs("the model count", lambda n: role(n) == "label" and "2 models" in text_of(n))
        screenshot("prefs-04-tested")

        # Tools page: shows what the CLI stored before Preferences opened, and Reset stores the defaults for the CLI to see.
        app.click(in_prefs("the Tools page", lambda n: role(n) in ("toggle button", "radio button", "push button", "page tab") and name(n) == "Tools" and showing(n)))
        rounds = in_prefs("the Rounds per Reply spin button", lambda n: role(n) == "spin button" and name(n) == "Rounds per Reply")
        wait_for("7 rounds shown", lambda n: n == rounds and rounds.queryValue().currentValue == 7, lambda: prefs)
        screenshot("prefs-04b-tools")
        app.click(in_prefs("the Reset button", lambda n: is_button(n, "Reset")))
        wait_for("the default 10 rounds shown", lambda n: n == rounds and rounds.queryValue().currentValue == 10, lambda: prefs)
        deadline = time.monotonic() + 10
        while "tool rounds per turn: 10" not in (shown := settings()):
            if time.monotonic() > deadline:
                raise Failure(f"`valechat mcp settings` did not see the reset: {shown!r}")
            time.sleep(0.5)
        app.click(in_prefs("the Providers page", lambda n: role(n) in ("toggle button", "radio button", "push button", "page tab") and name(n) == "Providers" and showing(n)))

        # Remove, confirmed: the welcome page comes back.
        app.click(in_prefs("Remove", lambda n: is_button(n, "Remove")))
        app.find("the confirmation", lambda n: role(n) == "label" and text_of(n).startswith(f"“{NEW_NAME}” and its API key"))
        # AdwMessageDialog 1.2 names its response buttons "Label Label".
        app.click(app.find("the confirmation's Remove", lambda n: role(n) == "push button" and name(n) == "Remove Remove" and showing(n)))
        app.wait_gone("the removed provider's row", lambda n: role(n) == "list item" and name(n) == NEW_NAME)
        screenshot("prefs-05-removed")
        app.click(wait_for("the Preferences close button", lambda n: is_button(n, "Close"), lambda: prefs))
        app.wait_gone("the chat page's controls", lambda n: is_button(n, "Conversation Settings"))
        app.find("the welcome form", lambda n: role(n) in ("text", "entry") and name(n) == "Base URL" and showing(n))
        app.button("Add Provider")
        screenshot("prefs-06-welcome-again")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("prefs-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    shutil.rmtree(data_dir, ignore_errors=True)
    print("ui-preferences: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-preferences: FAILED: {e}", file=sys.stderr)
        print("ui-preferences: 0 passed, 1 failed")
        sys.exit(1)
