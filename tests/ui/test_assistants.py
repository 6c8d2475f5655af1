#!/usr/bin/python3
"""Assistants in the window (issue 14, part 3), through AT-SPI, against
tests/ui/fake_openai.py:

1. First run: the fake server is added as "Fake Server" (model
   fake-small); fake-large is starred (written to the database, as the
   model picker's star would), so Preferences offers it.
2. Preferences → Assistants → Add Assistant…: the name "Translator", the
   emoji 🌍, a system prompt in the multi-line field and the model
   fake-server/fake-large from the combo; Save lists it.
3. The New Conversation menu lists "🌍 Translator"; choosing it shows a
   new conversation whose header names the assistant and whose model
   button shows fake-large. A message sent there reaches the server with
   the assistant's model and system prompt, and the conversation is
   stored linked to the assistant. A screenshot (`assistants`) is taken.
4. New Conversation (the action Ctrl+N runs) starts from no assistant;
   once Translator is chosen as the default in Preferences, it starts
   from Translator, and its message goes with the assistant's prompt.

Usage: tests/ui/test_assistants.py [path/to/valechat]
"""

import os
import shutil
import sqlite3
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, ancestors, add_fake_provider, dump, menu_item, name, role, screenshot, set_text, showing, text_of, wait_for, wait_until  # noqa: E402
from test_preferences import is_button, open_preferences  # noqa: E402

PROMPT = "Say hello"
SYSTEM = "Answer in French."


def star(db_path, provider, model):
    with sqlite3.connect(db_path, timeout=10) as db:
        db.execute(
            "INSERT OR IGNORE INTO model_favourites (provider_id, model, created_at) VALUES (?, ?, 0)",
            (provider, model),
        )


def default_assistant(db_path):
    with sqlite3.connect(db_path, timeout=10) as db:
        row = db.execute("SELECT name FROM assistants WHERE is_default").fetchone()
    return row[0] if row else None


def click_until(app, node, what, predicate, tries=3):
    """Clicks `node` until `what` shows (a click right after a page switch
    or a popover closing may be lost); returns it."""
    for _ in range(tries):
        app.click(node)
        try:
            return app.find(what, predicate, timeout=4)
        except Failure:
            continue
    raise Failure(f"clicking did not show {what}")


def new_conversation(app):
    """Main Menu → New Conversation: the `win.new-conversation` action
    that Ctrl+N runs too."""
    app.click(app.find("the main menu button", lambda n: is_button(n, "Main Menu")))
    app.click(menu_item(app, "New Conversation"))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-")
    db_path = os.path.join(data_dir, "valechat.db")
    app = App(binary, data_dir)
    try:
        # 1. A provider, and fake-large starred.
        add_fake_provider(app, base_url)
        star(db_path, "fake-server", "fake-large")

        # 2. Preferences → Assistants → Add Assistant…
        prefs = open_preferences(app)
        in_prefs = lambda what, pred: wait_for(what, pred, lambda: prefs)  # noqa: E731
        app.click(in_prefs("the Assistants page", lambda n: role(n) in ("toggle button", "radio button", "push button", "page tab") and name(n) == "Assistants" and showing(n)))
        is_dialog = lambda n: role(n) in ("dialog", "alert", "frame", "window") and name(n) == "Add Assistant"  # noqa: E731
        dialog = click_until(app, in_prefs("Add Assistant…", lambda n: is_button(n, "Add Assistant…")), "the Add Assistant dialog", is_dialog)
        in_dialog = lambda what, pred: wait_for(what, pred, lambda: dialog)  # noqa: E731
        field = lambda label: in_dialog(f"the field {label!r}", lambda n: role(n) in ("text", "entry") and name(n) == label and showing(n))  # noqa: E731
        set_text(field("Name"), "Translator")
        set_text(field("Emoji"), "🌍")
        set_text(field("System Prompt"), SYSTEM)
        combo = in_dialog("the Model combo", lambda n: name(n) == "Model" and role(n) in ("combo box", "list item", "row", "list box row", "push button") and showing(n))
        large = lambda n: role(n) in ("list item", "row", "list box row", "label") and (name(n) == "fake-server/fake-large" or text_of(n) == "fake-server/fake-large") and showing(n)  # noqa: E731
        app.click(click_until(app, combo, "fake-server/fake-large in the combo", large))
        time.sleep(0.3)
        app.click(in_dialog("Save", lambda n: is_button(n, "Save")))
        in_prefs("the assistant's row", lambda n: name(n) == "🌍 Translator" or (role(n) == "label" and text_of(n) == "🌍 Translator" and showing(n)))
        in_prefs("its model", lambda n: role(n) == "label" and text_of(n) == "fake-server/fake-large" and showing(n))
        app.click(wait_for("the Preferences close button", lambda n: is_button(n, "Close"), lambda: prefs))
        time.sleep(0.5)

        # 3. New Conversation → 🌍 Translator.
        app.click(app.find("the assistants menu", lambda n: is_button(n, "New Conversation From an Assistant")))
        app.click(menu_item(app, "🌍 Translator"))
        app.find("the header naming the assistant", lambda n: role(n) == "label" and text_of(n).startswith("🌍 Translator") and showing(n))
        app.button("Fake Large")  # the model picker shows the assistant's model (its label)
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry") and showing(n))
        set_text(composer, PROMPT)
        app.click(app.button("Send"))
        app.find("the reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from the fake model") and showing(n))
        app.button("Send")
        screenshot("assistants")
        body = fake_openai.received()[-1]
        assert body.get("model") == "fake-large", f"model sent: {body.get('model')}"
        first = body["messages"][0]
        assert first["role"] == "system" and first["content"] == SYSTEM, f"first message sent: {first}"
        with sqlite3.connect(db_path, timeout=10) as db:
            linked = db.execute(
                "SELECT c.system_prompt, c.model, ca.name FROM conversations c"
                " JOIN conversation_assistants ca ON ca.conversation_id = c.id"
            ).fetchall()
        assert linked == [(SYSTEM, "fake-large", "Translator")], f"stored: {linked}"
        # The header still names the assistant once the conversation exists.
        header = lambda n: role(n) == "label" and text_of(n).startswith("🌍 Translator") and showing(n)  # noqa: E731
        app.find("the header naming the assistant", header)

        # 4. Without a default, New Conversation (the action Ctrl+N runs)
        # starts from no assistant; with Translator the default, from it.
        new_conversation(app)
        app.wait_gone("the assistant in the header", header)
        prefs = open_preferences(app)
        in_prefs = lambda what, pred: wait_for(what, pred, lambda: prefs)  # noqa: E731
        app.click(in_prefs("the Assistants page", lambda n: role(n) in ("toggle button", "radio button", "push button", "page tab") and name(n) == "Assistants" and showing(n)))
        combo = in_prefs("the Default Assistant combo", lambda n: name(n) == "Default Assistant" and role(n) in ("combo box", "list item", "row", "push button") and showing(n))
        in_popover = lambda n: any(role(a) == "list" and name(a) == "GtkListView" for a in ancestors(n))  # noqa: E731
        click_until(app, combo, "Translator in the combo", lambda n: role(n) == "label" and text_of(n) == "🌍 Translator" and showing(n) and in_popover(n))
        time.sleep(0.5)
        # The popover's list has the focus on "None": Down, then Enter.
        for key in (116, 36):
            pyatspi.Registry.generateKeyboardEvent(key, None, pyatspi.KEY_PRESSRELEASE)
            time.sleep(0.3)
        wait_until("Translator stored as the default", lambda: default_assistant(db_path) == "Translator")
        app.click(wait_for("the Preferences close button", lambda n: is_button(n, "Close"), lambda: prefs))
        time.sleep(0.5)
        new_conversation(app)
        app.find("the default assistant in the header", header)
        set_text(composer, "Again")
        app.click(app.button("Send"))
        app.find("the second reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from the fake model") and showing(n))
        app.button("Send")
        body = fake_openai.received()[-1]
        assert body.get("model") == "fake-large" and body["messages"][0]["content"] == SYSTEM, f"sent: {body}"
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("failure-assistants")
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
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
