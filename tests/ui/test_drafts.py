#!/usr/bin/python3
"""Drafts kept per conversation, through AT-SPI (issue 18, bug 7).

Runs the real app (under tests/run-in-session.sh) over a database that the
CLI fills with two conversations answered by tests/ui/fake_openai.py:

1. a draft typed in one conversation stays with it: the next conversation
   shows its own (none at first), and going back brings the first one back;
2. the new conversation (Ctrl+N) has a draft of its own;
3. after a restart the last conversation reopens with its draft, and the
   other conversations and the new one still have theirs (read from the
   database: the app keeps the text as it is typed);
4. sending the new conversation's draft uses it up: the next new
   conversation starts empty, also after another restart.

Usage: tests/ui/test_drafts.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (drafts-*.png).
"""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, showing, text_of, wait_until  # noqa: E402
from test_shortcuts import CONTROL, main_frame, point_at, press, row_of, wait_selected  # noqa: E402
from test_two_providers import choose_model  # noqa: E402

KEY_N = 57
ICELAND = "Iceland trip"
RUST = "Rust borrow checker"
ICELAND_DRAFT = "And what about the ring road in winter?"
RUST_DRAFT = "Why does this closure borrow self mutably?"
NEW_DRAFT = "A new thought, not sent yet ✓"


def fill_database(binary, env, base_url):
    def cli(*args):
        subprocess.run([binary, *args], env=env, check=True, stdout=subprocess.DEVNULL)

    cli("providers", "add", "--name", "Fake Server", "--base-url", base_url)
    for prompt in (ICELAND, RUST):
        cli("chat", "--provider", "fake-server", "--model", "fake-small", prompt)
        time.sleep(0.01)  # distinct update times: the sidebar is newest first


def composer(app):
    return app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry") and showing(n))


def type_into(app, text):
    field = composer(app)
    field.queryEditableText().setTextContents(text)
    wait_until(f"the composer to hold {text!r}", lambda: text_of(field) == text)


def expect_draft(app, text, what):
    field = composer(app)
    wait_until(f"{what}: the composer to hold {text!r} (it holds {text_of(field)!r})", lambda: text_of(field) == text)


def open_conversation(app, title):
    app.click(row_of(app, title))
    wait_selected(app, title)


def new_conversation(app, frame):
    point_at(frame)
    press(CONTROL, KEY_N)
    app.find("the new conversation's title", lambda n: role(n) == "label" and name(n) == "New Conversation" and showing(n))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    if not os.environ.get("GSETTINGS_SCHEMA_DIR"):
        raise Failure("GSETTINGS_SCHEMA_DIR must name the build tree's compiled schema (meson sets it)")
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-drafts-")
    config_dir = tempfile.mkdtemp(prefix="valechat-ui-config-")
    # App() copies os.environ: the keyfile back end keeps the last
    # conversation across runs.
    os.environ.update(GSETTINGS_BACKEND="keyfile", XDG_CONFIG_HOME=config_dir)
    fill_database(binary, dict(os.environ, VALECHAT_DATA_DIR=data_dir), base_url)

    app = App(binary, data_dir)
    try:
        frame = main_frame(app)

        # 1. Each conversation keeps its own draft.
        open_conversation(app, ICELAND)
        expect_draft(app, "", "Iceland at first")
        type_into(app, ICELAND_DRAFT)
        open_conversation(app, RUST)
        expect_draft(app, "", "Rust, which has no draft")
        type_into(app, RUST_DRAFT)
        open_conversation(app, ICELAND)
        expect_draft(app, ICELAND_DRAFT, "back in Iceland")
        screenshot("drafts-01-back")

        # 2. The new conversation has its own.
        new_conversation(app, frame)
        expect_draft(app, "", "a new conversation")
        type_into(app, NEW_DRAFT)
        open_conversation(app, RUST)
        expect_draft(app, RUST_DRAFT, "back in Rust")
        time.sleep(1)  # the last keystrokes are written as they come; give the disk a moment
        app.quit()

        # 3. After a restart: from the database.
        app = App(binary, data_dir)
        frame = main_frame(app)
        wait_selected(app, RUST)
        expect_draft(app, RUST_DRAFT, "Rust after a restart")
        screenshot("drafts-02-restarted")
        open_conversation(app, ICELAND)
        expect_draft(app, ICELAND_DRAFT, "Iceland after a restart")
        new_conversation(app, frame)
        expect_draft(app, NEW_DRAFT, "the new conversation after a restart")

        # 4. Sending uses the draft up (the CLI made the conversations, so a
        # new one has no model until one is chosen).
        choose_model(app, "fake-small")
        expect_draft(app, NEW_DRAFT, "the new conversation after choosing a model")
        app.click(app.button("Send"))
        app.find("the reply to the new conversation", lambda n: role(n) == "label" and "Hello from" in text_of(n) and "new thought" in text_of(n) and showing(n))
        app.button("Send")  # the reply ended
        expect_draft(app, "", "the sent conversation")
        new_conversation(app, frame)
        expect_draft(app, "", "the next new conversation")
        time.sleep(1)
        app.quit()
        app = App(binary, data_dir)
        frame = main_frame(app)
        new_conversation(app, frame)
        expect_draft(app, "", "a new conversation after the send and a restart")
        open_conversation(app, ICELAND)
        expect_draft(app, ICELAND_DRAFT, "Iceland at the end")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("drafts-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    print("test_drafts: OK")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
