#!/usr/bin/python3
"""Export and import in the window (issue 14, part 4), through AT-SPI:

1. Main Menu → Import Conversations…: the file chooser opens; the ChatGPT
   fixture (tests/fixtures/import/chatgpt.json) is typed in. The Import
   Conversations window ends with "2 conversations, 7 messages
   imported"; Done closes it and the sidebar lists "Sorting in Rust".
2. Importing the same file again imports nothing and says that both
   conversations were imported before.
3. one_bad.json: "Import Finished With Problems", the headline counts the
   one skipped, and a row names “Broken” and why.
4. truncated.json: "Import Failed", naming the format expected and where
   parsing stopped.
5. The conversation menu's Export… on "Sorting in Rust" writes Markdown
   (the default for one conversation) to the path typed; a toast says so.
6. Main Menu → Export All… writes ValeChat JSON (the default for all) with
   every conversation of the store.

Usage: tests/ui/test_transfer.py [path/to/valechat]
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, ancestors, dump, menu_item, name, role, screenshot, showing, text_of, wait_until  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "import")
BUTTON_ROLES = ("push button", "toggle button")


def main_menu(app, label):
    app.click(app.find("the main menu button", lambda n: role(n) in BUTTON_ROLES and name(n) == "Main Menu" and showing(n)))
    app.click(menu_item(app, label))


def type_path(path):
    """Replaces the chooser's file name (or location) with `path`, then
    presses Return."""
    time.sleep(0.8)
    subprocess.run(["xdotool", "key", "ctrl+a"], check=True)
    subprocess.run(["xdotool", "type", "--delay", "15", path], check=True)
    time.sleep(0.5)
    subprocess.run(["xdotool", "key", "Return"], check=True)


def is_label(text):
    return lambda n: role(n) == "label" and text_of(n) == text and showing(n)


def label_starting(text):
    return lambda n: role(n) == "label" and text_of(n).startswith(text) and showing(n)


def import_file(app, fixture):
    """Import Conversations… on `fixture`; returns once the summary shows."""
    main_menu(app, "Import Conversations…")
    app.find("the file chooser", lambda n: name(n) == "Import Conversations")
    type_path(os.path.join(FIXTURES, fixture))
    app.find("the Done button", lambda n: role(n) == "push button" and name(n) == "Done" and showing(n))


def close_summary(app):
    app.click(app.find("the Done button", lambda n: role(n) == "push button" and name(n) == "Done" and showing(n)))
    app.wait_gone("the Import window", lambda n: role(n) == "push button" and name(n) == "Done" and showing(n))


def conversation_menu(app, title):
    """The Conversation Menu button in the sidebar row titled `title`."""
    def in_row(n):
        if not (role(n) in BUTTON_ROLES and name(n) == "Conversation Menu"):
            return False
        row = next((a for a in ancestors(n) if role(a) in ("list item", "list box row")), None)
        return row is not None and any(role(x) == "label" and text_of(x) == title for x in walk_children(row))
    return app.find(f"the menu of {title!r}", in_row)


def walk_children(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        try:
            stack.extend(n.getChildAtIndex(i) for i in range(n.childCount))
        except Exception:
            continue


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-")
    out_dir = os.path.join(data_dir, "exports")
    os.makedirs(out_dir)
    env = dict(os.environ, VALECHAT_DATA_DIR=data_dir)
    subprocess.run([binary, "providers", "add", "--name", "Fake", "--base-url", base_url], env=env, check=True)
    subprocess.run([binary, "chat", "--provider", "fake", "--model", "fake-large", "Holiday plans"], env=env, check=True, stdout=subprocess.DEVNULL)
    app = App(binary, data_dir)
    time.sleep(2)
    if app.proc.poll() is not None:  # the session's display sometimes refuses the first client
        app = App(binary, data_dir)
    try:
        app.find("the stored conversation", lambda n: name(n) == "Holiday plans" and showing(n))

        # 1. Import the ChatGPT export.
        import_file(app, "chatgpt.json")
        app.find("the headline", is_label("2 conversations, 7 messages imported"))
        app.find("the title", is_label("Import Finished"))
        screenshot("import-summary")
        close_summary(app)
        app.find("an imported conversation in the sidebar", lambda n: role(n) == "label" and text_of(n) == "Sorting in Rust" and showing(n))

        # 2. The same file again: nothing is written twice.
        import_file(app, "chatgpt.json")
        app.find("the headline of the second import", is_label("0 conversations, 0 messages imported"))
        app.find("the line on the earlier import", label_starting("2 conversations were imported before"))
        close_summary(app)

        # 3. A file with one conversation that cannot be imported.
        import_file(app, "one_bad.json")
        app.find("the title", is_label("Import Finished With Problems"))
        app.find("the headline", is_label("2 conversations, 3 messages imported; 1 skipped:"))
        app.find("the skipped conversation", label_starting("“Broken”: "))
        close_summary(app)

        # 4. A truncated file.
        import_file(app, "truncated.json")
        app.find("the title", is_label("Import Failed"))
        failure = app.find("the failure's sentence", lambda n: role(n) == "label" and "ChatGPT" in text_of(n) and showing(n))
        assert "line" in text_of(failure), f"the failure does not say where parsing stopped: {text_of(failure)!r}"
        close_summary(app)

        # 5. Export… one conversation, as Markdown.
        app.click(conversation_menu(app, "Sorting in Rust"))
        app.click(menu_item(app, "Export…"))
        app.find("the save dialog", lambda n: name(n) == "Export Conversation")
        markdown = os.path.join(out_dir, "sorting.md")
        type_path(markdown)
        app.find("the export's toast", is_label("Exported 1 conversation to “sorting.md”"))
        with open(markdown, encoding="utf-8") as f:
            text = f.read()
        assert "Sorting in Rust" in text, text[:400]

        # 6. Export All… as ValeChat JSON.
        main_menu(app, "Export All…")
        app.find("the save dialog", lambda n: name(n) == "Export All Conversations")
        everything = os.path.join(out_dir, "everything.json")
        type_path(everything)
        app.find("the export's toast", is_label("Exported 5 conversations to “everything.json”"))
        with open(everything, encoding="utf-8") as f:
            exported = json.load(f)
        assert exported.get("format") == "valechat-export", list(exported)[:5]
        titles = sorted(c.get("title", "") for c in exported["conversations"])
        assert "Holiday plans" in titles and "Sorting in Rust" in titles and len(titles) == 5, titles
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("failure-transfer")
        raise
    finally:
        app.quit()
        server.shutdown()
    shutil.rmtree(data_dir, ignore_errors=True)
    print("ui: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
