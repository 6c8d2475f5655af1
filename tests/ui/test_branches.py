#!/usr/bin/python3
"""Messages as a tree in the window (issue 14, part 1), through AT-SPI,
against tests/ui/fake_openai.py (whose replies to "numbered" prompts count
their requests, so that versions differ):

1. Two questions are sent and answered.
2. With a draft in the composer, Edit Message on the second question puts
   its text in the composer under an "Editing message" banner; Escape
   ends the edit and gives the draft back. The first question is edited
   and sent (the draft comes back once the edit is sent): the new version
   shows with `‹ 2/2 ›`, its reply streams, and the second question,
   which followed the old version, is no longer shown.
3. The reply is regenerated: a new reply ("Answer 2") streams in place of
   the first one; while it streams the version buttons are disabled.
4. `‹` on the reply shows "Answer 1" again; `‹` on the question shows the
   original question with its whole continuation (the second question and
   its reply). A screenshot of the branched conversation is taken
   (`branches`).
5. Delete Message on the original question asks "Delete this version and
   its 3 replies?"; Delete removes them, and the edited version, the one
   the store made active, shows, with no switcher left on the question.
6. Regenerate With… opens the header bar's model picker; the model chosen
   (fake-large) answers in a third version, and the conversation keeps
   fake-small.

Usage: tests/ui/test_branches.py [path/to/valechat]
"""

import os
import shutil
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, ancestors, Failure, add_fake_provider, dump, name, role, screenshot, set_text, showing, text_of, wait_until  # noqa: E402

FIRST = "First numbered question"
SECOND = "Second numbered question"
EDITED = "First numbered question, answered slowly"
DRAFT = "Half a thought"


def in_messages(node):
    """Whether `node` is in the message list (not the sidebar or the
    header bar, which show the conversation's title)."""
    return any(role(a) == "list" and name(a) == "GtkListView" for a in ancestors(node))


def is_label(text):
    """A predicate: a showing label of the message list whose text is `text`."""
    return lambda n: role(n) == "label" and text_of(n).strip() == text and showing(n) and in_messages(n)


def starts(start):
    """A predicate: a showing label of the message list starting with `start`."""
    return lambda n: role(n) == "label" and text_of(n).startswith(start) and showing(n) and in_messages(n)


def label_with(app, what, text):
    """The showing label of the message list whose text is `text`."""
    return app.find(what, is_label(text))


def paragraph(app, what, start):
    """The showing label (a markdown paragraph) starting with `start`."""
    return app.find(what, starts(start))


def buttons(app, label):
    """The showing buttons named `label`, in the order of the rows."""
    return app.find_all(lambda n: role(n) == "push button" and name(n) == label and showing(n))


def sensitive(node):
    return node.getState().contains(pyatspi.STATE_SENSITIVE)


def count_labels(app, text):
    return len(app.find_all(is_label(text)))


def answered(app, prompt, n):
    """Waits for the whole reply "Answer n to: prompt" (its last paragraph
    shows once it ended) and for Send to be back."""
    paragraph(app, f"answer {n} to {prompt!r}", f"Answer {n} to: {prompt}")
    app.button("Send")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-")
    app = App(binary, data_dir)
    try:
        add_fake_provider(app, base_url)
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry") and showing(n))

        # 1. Two questions, two answers; no message has versions yet.
        for prompt in (FIRST, SECOND):
            set_text(composer, prompt)
            app.click(app.button("Send"))
            answered(app, prompt, 1)
        assert not buttons(app, "Previous Version"), "a message without versions shows a switcher"

        # 2. Edit the first question in the composer. A draft typed before
        # is put aside: Escape ends an edit and gives it back.
        edits = buttons(app, "Edit Message")
        assert len(edits) == 2, f"{len(edits)} Edit Message buttons for two questions"
        set_text(composer, DRAFT)
        app.click(edits[1])
        banner = lambda n: role(n) == "label" and text_of(n) == "Editing message" and showing(n)  # noqa: E731
        app.find("the editing banner", banner)
        wait_until("the second question in the composer", lambda: text_of(composer) == SECOND)
        time.sleep(0.3)  # Edit Message put the keyboard focus in the composer
        pyatspi.Registry.generateKeyboardEvent(9, None, pyatspi.KEY_PRESSRELEASE)  # Escape
        app.wait_gone("the banner after Escape", banner)
        wait_until("the draft back in the composer", lambda: text_of(composer) == DRAFT)
        app.click(buttons(app, "Edit Message")[0])
        app.find("the editing banner", banner)
        wait_until("the question in the composer", lambda: text_of(composer) == FIRST)
        set_text(composer, EDITED)
        screenshot("branches-editing")
        app.click(app.button("Send"))
        answered(app, EDITED, 1)
        app.wait_gone("the banner", banner)
        wait_until("the draft back after the edit", lambda: text_of(composer) == DRAFT)
        set_text(composer, "")
        label_with(app, "the edited question's switcher", "2/2")
        app.wait_gone("the question after the old version", is_label(SECOND))
        screenshot("branches-edited")

        # 3. Regenerate the reply: "Answer 2" streams in its place; the
        # version buttons are disabled meanwhile.
        regenerate = buttons(app, "Regenerate")
        assert len(regenerate) == 1, f"{len(regenerate)} Regenerate buttons for one reply"
        app.click(regenerate[0])
        app.button("Stop")
        switchers = buttons(app, "Previous Version")
        assert switchers and not any(sensitive(b) for b in switchers), "a version button is enabled while a reply streams"
        answered(app, EDITED, 2)
        wait_until("both switchers at 2/2", lambda: count_labels(app, "2/2") == 2)
        app.wait_gone("the first answer", starts(f"Answer 1 to: {EDITED}"))

        # 4. Switch back: the reply's ‹ shows the first answer, the
        # question's ‹ the original question and all that followed it.
        previous = buttons(app, "Previous Version")
        assert len(previous) == 2 and all(sensitive(b) for b in previous), "the version buttons are not enabled after the reply"
        app.click(previous[1])
        answered(app, EDITED, 1)
        label_with(app, "the reply's switcher at 1/2", "1/2")
        app.wait_gone("the regenerated answer", starts(f"Answer 2 to: {EDITED}"))
        app.click(buttons(app, "Previous Version")[0])
        label_with(app, "the original question", FIRST)
        label_with(app, "the original answer", f"Answer 1 to: {FIRST}")
        label_with(app, "the second question again", SECOND)
        label_with(app, "the second answer again", f"Answer 1 to: {SECOND}")
        wait_until("one switcher, at 1/2", lambda: count_labels(app, "1/2") == 1 and count_labels(app, "2/2") == 0)
        screenshot("branches")

        # 5. Delete the original version and its three replies.
        app.click(buttons(app, "Delete Message")[0])
        app.find("the confirmation", lambda n: role(n) == "label" and text_of(n) == "Delete this version and its 3 replies?")
        app.click(app.button("Delete"))
        app.wait_gone("the original question", is_label(FIRST))
        label_with(app, "the edited question, shown", EDITED)
        answered(app, EDITED, 2)
        app.wait_gone("the second question", is_label(SECOND))
        wait_until("only the reply's switcher", lambda: count_labels(app, "2/2") == 1 and len(buttons(app, "Previous Version")) == 1)

        # 6. Regenerate With…: the header bar's picker opens, the model
        # chosen answers in a third version, and the conversation keeps
        # its own model.
        app.click(buttons(app, "Regenerate With…")[0])
        app.click(app.find("model Fake Large in the picker", lambda n: name(n) == "Fake Large" and role(n) in ("list item", "row", "list box row") and showing(n)))
        answered(app, EDITED, 3)
        label_with(app, "the third version's author", "fake-large")
        label_with(app, "the reply's switcher at 3/3", "3/3")
        app.button("fake-small")  # the picker still names the conversation's model
        sent = [body.get("model") for body in fake_openai.received()]
        assert sent[-1] == "fake-large" and sent[-2] == "fake-small", f"models asked: {sent}"
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("failure-branches")
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
