#!/usr/bin/python3
"""Pin, archive and folders in the sidebar (issue 14, part 3), through
AT-SPI.

Runs the real app over a database the CLI fills: one conversation answered
today by tests/ui/fake_openai.py, and the ChatGPT and Claude fixtures of
tests/fixtures/import/ (from 2024; ChatGPT's "A chart and some code" is
archived there). Then:

1. the groups are drawn: "Today" above the conversation of today, month
   names with their year above the imported ones; the archived one is not
   listed;
2. Pin (conversation menu) puts "Haiku about autumn" first, under "Pinned";
   Unpin gives it back its place;
3. Archive hides "Sorting in Rust"; main menu -> Show Archived lists it
   (and ChatGPT's archived one) under "Archived"; unticking hides them;
4. main menu -> New Folder… creates "Projects" (a folder header, empty);
   Move to… on the conversation of today lists "No Folder" and "Projects":
   choosing "Projects" files it there (the CLI agrees), under the folder's
   header; collapsing the folder (from the keyboard: Shift+Tab from its
   row to its header, Return) hides the row, expanding shows it;
5. the folder's menu -> Rename… renames it;
6. a row dragged onto the folder's header is filed there, and dragged
   onto a row outside any folder leaves it;
7. the folder's menu -> Delete… asks, saying its conversation is kept;
   deleting it keeps every conversation, in no folder;
8. Move to… -> New Folder… creates a folder with the conversation in it.

A screenshot of the sidebar with its groups is taken (`organise`).

Usage: tests/ui/test_organise.py [path/to/valechat]
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
from test_first_slice import App, Failure, dump, menu_item, name, role, screenshot, set_text, showing, text_of, walk, wait_until  # noqa: E402
from test_shortcuts import SHIFT, focused, main_frame, point_at, press, row_of  # noqa: E402

TODAY = "Plan the Iceland trip"
HAIKU = "Haiku about autumn"
SORTING = "Sorting in Rust"
CHART = "A chart and some code"
FOLDER = "Projects"
KEY_ESCAPE, KEY_TAB, KEY_RETURN = 9, 23, 36
RENAMED = "Trips"
LATER = "Read later"
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "import")


def fill_database(binary, env, base_url):
    def cli(*args):
        subprocess.run([binary, *args], env=env, check=True, stdout=subprocess.DEVNULL)

    cli("providers", "add", "--name", "Fake Server", "--base-url", base_url)
    cli("chat", "--provider", "fake-server", "--model", "fake-small", TODAY)
    for fixture in ("chatgpt.json", "claude.json"):
        cli("history", "import", os.path.join(FIXTURES, fixture))


def top(node):
    return node.queryComponent().getExtents(pyatspi.WINDOW_COORDS).y


def sidebar_rows(app):
    """The conversation titles of the sidebar rows shown, top to bottom."""
    rows = []
    for item in app.find_all(lambda n: role(n) == "list item" and showing(n)):
        if not any(name(n) == "Conversation Menu" for n in walk(item)):
            continue
        labels = [text_of(n) for n in walk(item) if role(n) == "label"]
        if labels:
            rows.append((top(item), labels[0]))
    return [title for _, title in sorted(rows)]


def heading(app, text):
    return app.find(f"the group title {text!r}", lambda n: role(n) in ("heading", "label") and text_of(n) == text and showing(n))


def row_menu(app, title, item):
    """Chooses `item` in the conversation menu of the row titled `title`.
    The list is rebuilt when the store changes (a row's menu may go with
    its row): the menu is opened again if its item does not come."""
    for attempt in range(3):
        row = row_of(app, title)
        button = next((n for n in walk(row) if name(n) == "Conversation Menu" and role(n) in ("push button", "toggle button")), None)
        if button is None:
            raise Failure(f"the row {title!r} has no Conversation Menu")
        app.click(button)
        try:
            entry = app.find(f"the menu item {item!r}", lambda n: role(n) == "menu item" and name(n) == item and showing(n), timeout=5)
        except Failure:
            if attempt == 2:
                raise
            press(KEY_ESCAPE)
            continue
        app.click(entry)
        return


def main_menu(app, item):
    app.click(app.find("the main menu button", lambda n: role(n) in ("push button", "toggle button") and name(n) == "Main Menu" and showing(n)))
    app.click(app.find(f"the main menu's {item!r}", lambda n: name(n) == item and role(n) in ("menu item", "check menu item", "radio menu item") and showing(n)))


def folder_menu(app, item):
    app.click(app.find("the folder menu", lambda n: role(n) in ("push button", "toggle button") and name(n) == "Folder Menu" and showing(n)))
    app.click(menu_item(app, item))


def folder_of(binary, env, title):
    """The folder `valechat history list` gives for `title` ("" for none)."""
    out = subprocess.run([binary, "history", "list"], env=env, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        fields = line.split("\t")
        if fields[3] == title:
            return next((p[len("folder="):] for p in fields[4].split(",") if p.startswith("folder=")), "")
    raise Failure(f"{title!r} is not listed: {out!r}")


def centre(node):
    ext = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    return ext.x + ext.width // 2, ext.y + ext.height // 2


def drag(node, onto):
    """Drags `node` onto `onto` with the pointer, in small steps (GTK
    starts a drag after the pointer moved a few pixels with the button
    down)."""
    (x, y), (to_x, to_y) = centre(node), centre(onto)
    pyatspi.Registry.generateMouseEvent(x, y, "abs")
    time.sleep(0.2)
    pyatspi.Registry.generateMouseEvent(x, y, "b1p")
    time.sleep(0.2)
    steps = 12
    for i in range(1, steps + 1):
        pyatspi.Registry.generateMouseEvent(x + (to_x - x) * i // steps, y + (to_y - y) * i // steps, "abs")
        time.sleep(0.05)
    time.sleep(0.3)
    pyatspi.Registry.generateMouseEvent(to_x, to_y, "b1r")
    time.sleep(0.5)


def wait_order(app, what, condition):
    wait_until(f"{what} (the sidebar shows {sidebar_rows(app)})", lambda: condition(sidebar_rows(app)))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    if not os.environ.get("GSETTINGS_SCHEMA_DIR"):
        raise Failure("GSETTINGS_SCHEMA_DIR must name the build tree's compiled schema (meson sets it)")
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-organise-")
    env = dict(os.environ, VALECHAT_DATA_DIR=data_dir)
    fill_database(binary, env, base_url)

    app = App(binary, data_dir)
    try:
        point_at(main_frame(app))
        # 1. Groups: today, then months (with their year: 2024 is not this year).
        wait_order(app, "the conversations", lambda rows: all(t in rows for t in (TODAY, HAIKU, SORTING)))
        rows = sidebar_rows(app)
        if rows[0] != TODAY or CHART in rows:
            raise Failure(f"expected {TODAY!r} first and {CHART!r} archived, the sidebar shows {rows}")
        today = heading(app, "Today")
        if top(today) > top(row_of(app, TODAY)):
            raise Failure("“Today” is not above the conversation of today")
        months = [n for n in app.find_all(lambda n: role(n) in ("heading", "label") and showing(n) and text_of(n).endswith(" 2024"))]
        if not months:
            raise Failure("no month group with its year above the imported conversations")
        print(f"ui-organise: groups {['Today'] + [text_of(n) for n in months]}")

        # 2. Pin puts a conversation first, under "Pinned".
        row_menu(app, HAIKU, "Pin")
        wait_order(app, f"{HAIKU!r} first", lambda rows: rows and rows[0] == HAIKU)
        pinned = heading(app, "Pinned")
        if top(pinned) > top(row_of(app, HAIKU)):
            raise Failure("“Pinned” is not above the pinned conversation")
        row_menu(app, HAIKU, "Unpin")
        wait_order(app, f"{TODAY!r} first again", lambda rows: rows and rows[0] == TODAY)
        row_menu(app, HAIKU, "Pin")
        wait_order(app, f"{HAIKU!r} pinned again", lambda rows: rows and rows[0] == HAIKU)

        # 3. Archive hides; Show Archived lists the archived ones last.
        row_menu(app, SORTING, "Archive")
        wait_order(app, f"{SORTING!r} hidden", lambda rows: SORTING not in rows and HAIKU in rows)
        main_menu(app, "Show Archived")
        wait_order(app, "the archived ones shown, last", lambda rows: rows[-2:] in ([SORTING, CHART], [CHART, SORTING]))
        archived = heading(app, "Archived")
        if top(archived) > top(row_of(app, SORTING)):
            raise Failure("“Archived” is not above the archived conversations")
        main_menu(app, "Show Archived")
        wait_order(app, "the archived ones hidden again", lambda rows: SORTING not in rows and CHART not in rows)

        # 4. A folder, and Move to….
        main_menu(app, "New Folder…")
        entry = app.find("the folder name field", lambda n: role(n) in ("text", "entry") and name(n) == "Folder Name" and showing(n))
        set_text(entry, FOLDER)
        app.click(app.button("Create"))
        folder = app.find("the folder's header", lambda n: role(n) == "push button" and name(n) == FOLDER and showing(n))
        row_menu(app, TODAY, "Move to…")
        app.find("No Folder in Move to…", lambda n: text_of(n) == "No Folder" and showing(n))
        choice = app.find("the folder in Move to…", lambda n: role(n) in ("list item", "row", "list box row") and any(text_of(c) == FOLDER for c in walk(n)) and showing(n))
        app.click(choice)
        app.wait_gone("the Move to Folder dialog", lambda n: text_of(n) == "No Folder" and showing(n))

        wait_until(f"{TODAY!r} to be filed in {FOLDER!r}", lambda: folder_of(binary, env, TODAY) == FOLDER)
        folder = app.find("the folder's header", lambda n: role(n) == "push button" and name(n) == FOLDER and showing(n))
        wait_until("the row under its folder's header", lambda: top(folder) < top(row_of(app, TODAY)))
        wait_order(app, "pinned, then the folder's row", lambda rows: rows[:2] == [HAIKU, TODAY])
        # The pointer away from the sidebar: no tooltip in the picture.
        pyatspi.Registry.generateMouseEvent(1270, 1010, "abs")
        time.sleep(1)
        screenshot("organise")

        # Collapsing the folder hides its row; expanding shows it again.
        # From the keyboard: Shift+Tab from the folder's first row reaches
        # its header (its menu, then its name), Return collapses it and
        # the header keeps the focus; Return again expands it.
        point_at(main_frame(app))
        app.click(row_of(app, TODAY))
        header = lambda n: role(n) == "push button" and name(n) == FOLDER and showing(n)  # noqa: E731
        for _ in range(4):
            press(SHIFT, KEY_TAB)
            if any(focused(n) for n in app.find_all(header)):
                break
        wait_until("the folder's header to have the focus", lambda: any(focused(n) for n in app.find_all(header)))
        press(KEY_RETURN)
        wait_order(app, "the folder collapsed", lambda rows: TODAY not in rows and HAIKU in rows)
        wait_until("the collapsed folder's header to keep the focus", lambda: any(focused(n) for n in app.find_all(header)))
        press(KEY_RETURN)
        wait_order(app, "the folder expanded", lambda rows: TODAY in rows)

        # 5. Rename… from the folder's menu.
        folder_menu(app, "Rename…")
        entry = app.find("the folder name field", lambda n: role(n) in ("text", "entry") and name(n) == "Folder Name" and showing(n))
        set_text(entry, RENAMED)
        app.click(app.button("Rename"))
        folder = app.find("the renamed folder's header", lambda n: role(n) == "push button" and name(n) == RENAMED and showing(n))
        wait_until(f"{TODAY!r} in {RENAMED!r}", lambda: folder_of(binary, env, TODAY) == RENAMED)

        # 6. Drag and drop: a row onto the folder's header files it there;
        # dropped on a row outside any folder, it leaves the folder.
        untitled = next(t for t in sidebar_rows(app) if t not in (HAIKU, TODAY))
        drag(row_of(app, untitled), folder)
        wait_until(f"{untitled!r} dropped into {RENAMED!r}", lambda: folder_of(binary, env, untitled) == RENAMED)
        drag(row_of(app, untitled), row_of(app, HAIKU))
        wait_until(f"{untitled!r} dropped out of {RENAMED!r}", lambda: folder_of(binary, env, untitled) == "")

        # 7. Delete… says the conversations are kept, and keeps them.
        folder_menu(app, "Delete…")
        app.find("the delete confirmation", lambda n: text_of(n).startswith(f"“{RENAMED}” will be deleted. Its conversation is kept") and showing(n))
        # AdwMessageDialog 1.2 names its response buttons "Label Label".
        app.click(app.find("the dialog's Delete", lambda n: role(n) == "push button" and name(n) == "Delete Delete" and showing(n)))
        app.wait_gone("the deleted folder's header", lambda n: role(n) == "push button" and name(n) == RENAMED and showing(n))
        wait_order(app, "every conversation still listed", lambda rows: TODAY in rows and untitled in rows and HAIKU in rows)
        if folder_of(binary, env, TODAY) != "":
            raise Failure(f"{TODAY!r} is still filed after its folder was deleted")

        # 8. Move to… -> New Folder… creates a folder and files the row in it.
        row_menu(app, untitled, "Move to…")
        app.click(app.button("New Folder…"))
        entry = app.find("the folder name field", lambda n: role(n) in ("text", "entry") and name(n) == "Folder Name" and showing(n))
        set_text(entry, LATER)
        app.click(app.button("Create"))
        app.find("the new folder's header", lambda n: role(n) == "push button" and name(n) == LATER and showing(n))
        wait_until(f"{untitled!r} in {LATER!r}", lambda: folder_of(binary, env, untitled) == LATER)
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"ui-organise: the accessibility tree is in {data_dir}/a11y-tree.txt")
        screenshot("organise-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    shutil.rmtree(data_dir, ignore_errors=True)
    print("ui-organise: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-organise: FAILED: {e}")
        sys.exit(1)
