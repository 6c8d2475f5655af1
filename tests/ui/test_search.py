#!/usr/bin/python3
"""Search results and jumping to a message (issue 14, part 3), through AT-SPI.

A conversation of 400 messages (tests/ui/long_conversation.py) has the word
"narwhal" in one old question (number 20 of 200), and "belugas" in
question 190 on a branch the window does not show (an edit of it, with the
rest of the conversation under the edit, is the branch shown). A second
conversation, archived, says "narwhals and belugas".

1. Ctrl+F and "narwhal": under the conversations the sidebar lists the
   messages found, grouped under their conversations' titles, each with its
   snippet (the match in bold: the snippet label's text attributes) and date.
2. Activating the old question's result opens the long conversation read
   back from its end to the question, scrolled so that it is on screen.
3. "belugas", and activating question 190's result: the conversation shows
   that question's branch (the edit no longer shows).
4. The filter popover's "Include Archived" switch (on by default: the
   archived conversation's message was found above) turned off: the
   archived conversation's result goes, question 190's stays; on again, it
   comes back.

Screenshots (search-results, search-jumped) go to $VALECHAT_SCREENSHOT_DIR
when it is set; docs/screenshots/issue-14/search.png and search-jump.png
are those two, cropped to the window.

Usage: tests/ui/test_search.py [path/to/valechat]
"""

import os
import sqlite3
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import long_conversation  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, showing, text_of, wait_until, walk  # noqa: E402
from test_shortcuts import CONTROL, KEY_F, main_frame, point_at, press  # noqa: E402

MESSAGES = 400
TITLE = "A long conversation"
OTHER = "Arctic animals"
OLD = "Question 20: how big does a narwhal tusk grow"
BRANCH = "Question 190: do belugas sing"
EDITED = "Question 190: do dolphins sing"


def prepare(binary, data_dir):
    """The long conversation with "narwhal" in question 20 and "belugas"
    in question 190 on a branch not shown, and a short conversation."""
    conversation = long_conversation.prepare(binary, data_dir, MESSAGES, TITLE)
    db = sqlite3.connect(os.path.join(data_dir, "valechat.db"))
    try:
        with db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM messages WHERE conversation_id = ? ORDER BY id", (conversation,))]
            # Times in milliseconds, as the store keeps them.
            db.execute("UPDATE messages SET created_at = created_at * 1000, updated_at = updated_at * 1000")
            old = ids[38]  # question 20
            db.execute("UPDATE messages SET content = ? WHERE id = ?", (OLD + "?", old))
            # Question 190 and its edit, a sibling with the rest of the
            # conversation under it: the branch shown.
            late = ids[378]
            db.execute("UPDATE messages SET content = ? WHERE id = ?", (BRANCH + "?", late))
            parent = db.execute("SELECT parent_id, created_at FROM messages WHERE id = ?", (late,)).fetchone()
            edit = db.execute(
                "INSERT INTO messages (conversation_id, role, content, status, created_at, updated_at, parent_id)"
                " VALUES (?, 'user', ?, 'complete', ?, ?, ?)",
                (conversation, EDITED + "?", parent[1] + 500, parent[1] + 500, parent[0]),
            ).lastrowid
            db.execute("UPDATE messages SET parent_id = ? WHERE id = ?", (edit, ids[379]))
            now = int(time.time() * 1000)
            other = db.execute(
                "INSERT INTO conversations (title, provider_id, model, created_at, updated_at)"
                " VALUES (?, 'fake', 'fake-model', ?, ?)", (OTHER, now - 5000, now - 5000),
            ).lastrowid
            leaf = db.execute(
                "INSERT INTO messages (conversation_id, role, content, status, created_at, updated_at)"
                " VALUES (?, 'user', 'Tell me about narwhals and belugas', 'complete', ?, ?)",
                (other, now - 5000, now - 5000),
            ).lastrowid
            db.execute("UPDATE conversations SET active_leaf_id = ?, archived = 1 WHERE id = ?", (leaf, other))
    finally:
        db.close()


def bold_runs(node):
    """The bold runs of a label's text (AT-SPI text attributes)."""
    runs = []
    try:
        text = node.queryText()
        offset = 0
        while offset < text.characterCount:
            attributes, start, end = text.getAttributeRun(offset, False)
            if end <= offset:
                break
            if any(is_bold(a) for a in attributes):
                runs.append(text.getText(start, end))
            offset = end
    except Exception:
        pass
    return runs


def is_bold(attribute):
    """Whether an AT-SPI text attribute ("weight:700") says bold."""
    key, _, value = attribute.partition(":")
    if key.strip() != "weight":
        return False
    value = value.strip()
    return int(value) >= 700 if value.isdigit() else value == "bold"


def on_screen(node, frame):
    """Whether `node` lies inside the window's visible area and has a size."""
    try:
        n = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        f = frame.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    except Exception:
        return False
    return n.height > 0 and n.y >= f.y and n.y + n.height <= f.y + f.height


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-search-")
    prepare(binary, data_dir)

    app = App(binary, data_dir)
    try:
        frame = main_frame(app)
        point_at(frame)
        press(CONTROL, KEY_F)
        entry = app.find("the search entry", lambda n: name(n) == "Search conversations" and role(n) in ("text", "entry") and showing(n))
        wait_until("the search entry to have the focus", lambda: entry.getState().contains(pyatspi.STATE_FOCUSED))
        pyatspi.Registry.generateKeyboardEvent(0, "narwhal", pyatspi.KEY_STRING)

        # 1. The results: a heading, the two conversations' titles, the snippets.
        app.find("the Messages heading", lambda n: role(n) == "label" and name(n) == "Messages" and showing(n))
        snippet = app.find(
            "the old question's snippet",
            lambda n: role(n) == "label" and OLD in text_of(n) and showing(n),
        )
        other = app.find("the other conversation's snippet", lambda n: role(n) == "label" and "narwhals and belugas" in text_of(n))
        for title in (TITLE, OTHER):
            app.find(f"the group title {title!r}", lambda n, title=title: role(n) == "label" and name(n) == title and showing(n))
        wait_until("the match in bold in the snippet", lambda: bold_runs(snippet) == ["narwhal"])
        if bold_runs(other) != ["narwhals"]:
            raise Failure(f"the other snippet's bold runs are {bold_runs(other)!r}")
        date = snippet.parent.getChildAtIndex(1) if snippet.parent is not None else None
        if date is None or not any(ch.isdigit() for ch in text_of(date)):
            raise Failure(f"no date under the snippet: {text_of(date) if date is not None else None!r}")
        print(f"ok: the results list the snippet {text_of(snippet)!r} ({text_of(date)}) and the other conversation's")
        screenshot("search-results")

        # 2. Activate it: the conversation opens on the question's branch,
        # scrolled to it.
        row = snippet
        while row is not None and role(row) != "list item":
            row = row.parent
        if row is None:
            raise Failure("the snippet is not in a list row")
        app.click(row)
        shown = app.find(
            "the old question in the conversation",
            lambda n: role(n) == "label" and text_of(n).startswith(OLD) and n != snippet
            and not is_in_sidebar(n, snippet),
            timeout=60,
        )
        wait_until("the old question on screen", lambda: on_screen(shown, frame), timeout=20)
        screenshot("search-jumped")
        print("ok: the old question is on screen in the conversation")

        # 3. A message on a branch not shown: the branch is switched.
        point_at(frame)
        press(CONTROL, KEY_F)
        wait_until("the search entry to have the focus", lambda: entry.getState().contains(pyatspi.STATE_FOCUSED))
        press(CONTROL, 38)  # Ctrl+A, then replace
        pyatspi.Registry.generateKeyboardEvent(0, "belugas", pyatspi.KEY_STRING)
        snippet = app.find(
            "question 190's snippet",
            lambda n: role(n) == "label" and BRANCH in text_of(n) and showing(n),
        )
        row = snippet
        while row is not None and role(row) != "list item":
            row = row.parent
        app.click(row)
        shown = app.find(
            "question 190 in the conversation",
            lambda n: role(n) == "label" and text_of(n).startswith(BRANCH) and not is_in_sidebar(n, snippet),
            timeout=60,
        )
        wait_until("question 190 on screen", lambda: on_screen(shown, frame), timeout=20)
        wait_until(
            "the edit of question 190 to go",
            lambda: not any(role(n) == "label" and text_of(n).startswith(EDITED) for n in walk(frame)),
        )
        print("ok: the conversation opened on question 190's branch, scrolled to it")

        # 4. The archived conversation's result goes with "Include Archived" off.
        point_at(frame)
        press(CONTROL, KEY_F)
        app.click(app.find(
            "the Search Filters button",
            lambda n: role(n) in ("push button", "toggle button") and name(n) == "Search Filters" and showing(n),
        ))
        switch = app.find(
            "the Include Archived switch",
            lambda n: role(n) in ("toggle button", "switch", "check box") and name(n) == "Include Archived" and showing(n),
        )
        archived_result = lambda n: role(n) == "label" and "narwhals and belugas" in text_of(n) and showing(n)  # noqa: E731
        app.find("the archived conversation's result", archived_result)
        toggle(switch)
        app.wait_gone("the archived conversation's result", archived_result)
        app.find("question 190's result", lambda n: role(n) == "label" and BRANCH in text_of(n) and showing(n))
        toggle(switch)
        app.find("the archived conversation's result again", archived_result)
        print("ok: Include Archived off leaves the archived conversation's result out, on brings it back")
    except Exception:
        screenshot("search-failure")
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree: {data_dir}/a11y-tree.txt", file=sys.stderr)
        raise
    finally:
        app.quit()


def toggle(switch):
    """Toggles a GtkSwitch through its AT-SPI action ("toggle" in GTK 4.8):
    a pointer click inside a popover lands elsewhere, as GTK reports
    positions relative to the popover's surface."""
    action = switch.queryAction()
    names = [action.getName(i) for i in range(action.nActions)]
    for i, action_name in enumerate(names):
        if action_name in ("toggle", "click", "activate"):
            action.doAction(i)
            return
    raise Failure(f"the switch offers no toggle action: {names!r}")


def is_in_sidebar(node, snippet):
    """Whether `node` is in the same list as the search results' snippet."""
    results = snippet
    while results is not None and role(results) not in ("list", "list box"):
        results = results.parent
    while node is not None:
        if results is not None and node == results:
            return True
        node = node.parent
    return False


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
