#!/usr/bin/python3
"""Every button and entry has an accessible name, through AT-SPI.

A screen reader announces an icon-only button by its accessible name; a
button or field without one is read as "button" or "entry" and nothing else
(issue 18, Polish: the "+", the password eye, Billing's refresh, the model
button, the model picker's search field). The test walks every window of
the app at each step and fails on a push button, toggle button or entry
(an editable text field) whose name is empty (or only GTK's fallback, the
widget's type name), naming where it is:

1. first run: the welcome page with the provider form (its key field's
   show-text toggle);
2. the provider is added through the form; the model picker opens (its
   search field, the model rows' stars); a model is chosen;
3. the chat page: sidebar header, composer, model button, settings;
4. Preferences, and its Add Provider page (Back, the key field again);
5. the Billing window (Refresh) and the MCP Servers window.

Usage: tests/ui/test_accessible_names.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (a11y-*.png).
"""

import os
import re
import shutil
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, set_text, showing, wait_for, walk  # noqa: E402

# Roles a person operates: each must say what it is for.
CHECKED_ROLES = ("push button", "toggle button", "entry", "password text")


# GTK 4.8 names a widget that has no accessible name after its type
# ("GtkImage" for an icon-only button): as good as no name to a person.
TYPE_NAME = re.compile(r"^(Gtk|Adw|Gsv)[A-Z][A-Za-z]*$")


def accessible_name(node):
    """The node's name, empty when it is only GTK's type-name fallback."""
    label = name(node).strip()
    return "" if TYPE_NAME.match(label) else label


def editable(node):
    try:
        return node.getState().contains(pyatspi.STATE_EDITABLE)
    except Exception:
        return False


def needs_name(node):
    kind = role(node)
    if kind in CHECKED_ROLES:
        return True
    # Text views and GtkText fields: only those a person types into (a
    # message's code block is read-only text).
    return kind == "text" and editable(node)


def where(node):
    """The names and roles of `node`'s ancestors, innermost first."""
    trail = []
    parent = node.parent
    while parent is not None and len(trail) < 8:
        label = accessible_name(parent)
        if label:
            trail.append(f"{role(parent)} {label!r}")
        parent = parent.parent
    return " < ".join(trail) or "(no named ancestor)"


def has_named_ancestor_of_same_kind(node):
    """GTK 4.8 exposes the text field inside a named entry (a search entry,
    an entry row) as a child of its own; the field is announced through the
    named entry around it. (Only fields are excused so: a button inside a
    named entry still needs its own name.)"""
    parent = node.parent
    for _ in range(3):
        if parent is None:
            return False
        if role(parent) in CHECKED_ROLES + ("text",) and accessible_name(parent):
            return True
        parent = parent.parent
    return False


def unnamed(app):
    """Descriptions of the showing nodes that need a name and have none."""
    found = []
    for node in app.find_all(lambda n: needs_name(n) and showing(n) and not accessible_name(n)):
        if role(node) in ("text", "entry", "password text") and has_named_ancestor_of_same_kind(node):
            continue
        found.append(f"{role(node)} in {where(node)}")
    return found


def check(app, step, checked):
    """Fails when a node checked at this step has no name; records what was
    looked at."""
    time.sleep(0.5)  # let the page settle (stack transitions)
    missing = unnamed(app)
    count = len(app.find_all(lambda n: needs_name(n) and showing(n)))
    checked.append((step, count))
    if missing:
        screenshot(f"a11y-failure-{step}")
        raise Failure(f"{step}: {len(missing)} without an accessible name:\n  " + "\n  ".join(missing))
    print(f"{step}: {count} buttons and fields, every one named")


def open_menu_item(app, label):
    app.click(app.find("the main menu button", lambda n: role(n) in ("push button", "toggle button") and name(n) == "Main Menu" and showing(n)))
    app.click(app.find(f"the {label} menu item", lambda n: name(n) == label and role(n) in ("menu item", "push button") and showing(n)))


def window_named(app, title):
    return app.find(f"the {title} window", lambda n: role(n) in ("frame", "window", "dialog") and name(n) == title)


def close(app, window):
    app.click(wait_for("the Close button", lambda n: role(n) == "push button" and name(n) == "Close" and showing(n), lambda: window))
    app.wait_gone("the window", lambda n: n == window and showing(n), timeout=10)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat")
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-a11y-")
    checked = []
    app = App(binary, data_dir)
    try:
        # 1. The welcome page and its provider form.
        app.find("the welcome page", lambda n: name(n) == "Welcome to ValeChat")
        check(app, "first-run", checked)

        # 2. Add the provider; the model picker opens.
        for label, value in (("Name", "Fake Server"), ("Base URL", base_url)):
            set_text(app.find(f"entry {label!r}", lambda n, label=label: role(n) in ("text", "entry") and name(n) == label and showing(n)), value)
        app.click(app.button("Add Provider"))
        model_row = app.find("model fake-small in the picker", lambda n: name(n) == "fake-small" and role(n) in ("list item", "row", "list box row") and showing(n))
        app.find("the picker's search field", lambda n: role(n) in ("entry", "text") and name(n) == "Search models" and showing(n))
        check(app, "model-picker", checked)
        screenshot("a11y-model-picker")
        app.click(model_row)
        app.button("fake-small")

        # 3. The chat page.
        app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry") and showing(n))
        check(app, "chat", checked)

        # 4. Preferences and its Add Provider page.
        open_menu_item(app, "Preferences")
        prefs = window_named(app, "Preferences")
        check(app, "preferences", checked)
        app.click(wait_for("the Add Provider… button", lambda n: role(n) == "push button" and name(n) == "Add Provider…" and showing(n), lambda: prefs))
        wait_for("the Add Provider page", lambda n: role(n) == "label" and name(n) == "Add Provider" and showing(n), lambda: prefs)
        check(app, "preferences-add-provider", checked)
        screenshot("a11y-preferences-add-provider")
        app.click(wait_for("the Back button", lambda n: role(n) == "push button" and name(n) == "Back" and showing(n), lambda: prefs))
        close(app, prefs)

        # 5. Billing and MCP Servers.
        open_menu_item(app, "Billing")
        billing = window_named(app, "Billing")
        check(app, "billing", checked)
        close(app, billing)
        open_menu_item(app, "MCP Servers")
        servers = window_named(app, "MCP Servers")
        check(app, "servers", checked)
        close(app, servers)
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        raise
    finally:
        app.quit()
        server.shutdown()
    shutil.rmtree(data_dir, ignore_errors=True)
    total = sum(count for _, count in checked)
    print(f"ui-accessible-names: {len(checked)} steps, {total} buttons and fields checked, all named")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-accessible-names: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
