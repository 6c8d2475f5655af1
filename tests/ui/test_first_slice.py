#!/usr/bin/python3
"""End-to-end UI test of ValeChat's first slice, through AT-SPI.

Runs the real app (under the Xvfb + D-Bus + AT-SPI session that
tests/run-in-session.sh provides), against tests/ui/fake_openai.py:

1. first run: the welcome page's form adds a provider pointing at the fake
   server, and Test Connection reports its models;
2. the model picker lists the server's models (with badges), one is starred
   into the Favourites section, and one is chosen;
3. a prompt is typed and sent; the streamed reply appears in the view;
4. the app is closed and started again: the conversation is in the sidebar,
   and opening it shows the same exchange.

Usage: tests/ui/test_first_slice.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (ImageMagick `import`).
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402

TIMEOUT = 30.0
SLOW_PROMPT = "Please answer slowly"
FLAKY_PROMPT = "A flaky question"
STOPPED_NOTE = "The reply was stopped before it ended."


class Failure(Exception):
    pass


def ancestors(node):
    """`node`, its parent, and so on up to the desktop (or up to a node that
    went away meanwhile: AT-SPI then raises for its parent)."""
    chain = []
    while node is not None:
        chain.append(node)
        try:
            node = node.parent
        except Exception:
            break
    return chain


def walk(node, depth=0):
    if node is None or depth > 60:
        return
    yield node
    try:
        count = node.childCount
    except Exception:
        return
    for i in range(count):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1)


def role(node):
    try:
        return node.getRoleName()
    except Exception:
        return ""


def name(node):
    try:
        return node.name or ""
    except Exception:
        return ""


def showing(node):
    """GTK 4.8 reports `visible` (the widget property) but not `showing`."""
    try:
        return node.getState().contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def wait_for(what, predicate, root_fn, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        root = root_fn()
        if root is not None:
            for node in walk(root):
                if predicate(node):
                    return node
        time.sleep(0.25)
    raise Failure(f"timed out waiting for {what}")


def dump(root, path):
    with open(path, "w") as f:
        for node in walk(root):
            f.write(f"{role(node)!r} {name(node)!r} showing={showing(node)}\n")


class App:
    def __init__(self, binary, data_dir):
        env = dict(os.environ, VALECHAT_DATA_DIR=data_dir, GDK_BACKEND="x11", GSK_RENDERER="cairo")
        self.proc = subprocess.Popen([binary], env=env)
        self.pid = self.proc.pid

    def root(self):
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            try:
                if app is not None and app.get_process_id() == self.pid:
                    return app
            except Exception:
                continue
        return None

    def find(self, what, predicate, timeout=TIMEOUT):
        try:
            return wait_for(what, predicate, self.root, timeout)
        except Failure:
            status = self.proc.poll()
            if status is not None:
                raise Failure(f"the app exited with status {status} while waiting for {what}") from None
            raise

    def find_all(self, predicate):
        root = self.root()
        return [n for n in walk(root) if predicate(n)] if root is not None else []

    def wait_gone(self, what, predicate, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.find_all(predicate):
                return
            time.sleep(0.25)
        raise Failure(f"timed out waiting for {what} to disappear")

    def button(self, label, timeout=TIMEOUT):
        return self.find(
            f"button {label!r}",
            # AdwMessageDialog 1.2 names its response buttons "Label Label".
            lambda n: role(n) in ("push button", "toggle button") and name(n) in (label, f"{label} {label}") and showing(n),
            timeout,
        )

    def click(self, node):
        """Clicks through the Action interface (buttons), else with a real
        pointer click at the node's centre (rows, labels)."""
        try:
            action = node.queryAction()
            for i in range(action.nActions):
                if action.getName(i) in ("click", "activate", "press"):
                    action.doAction(i)
                    return
        except NotImplementedError:
            pass
        ext = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        pyatspi.Registry.generateMouseEvent(ext.x + ext.width // 2, ext.y + ext.height // 2, "b1c")

    def quit(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def set_text(node, text):
    """Types into an entry: the EditableText interface where GTK offers it,
    else focus and synthesised key presses."""
    try:
        node.queryEditableText().setTextContents(text)
        return
    except NotImplementedError:
        pass
    node.queryComponent().grabFocus()
    time.sleep(0.2)
    # select all and replace
    pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_PRESS)  # Control_L
    pyatspi.Registry.generateKeyboardEvent(38, None, pyatspi.KEY_PRESSRELEASE)  # a
    pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_RELEASE)
    pyatspi.Registry.generateKeyboardEvent(0, text, pyatspi.KEY_STRING)


def assert_has_height(node, what):
    """Fails unless `node` gets a visible height within a few frames (a
    regression check: GTK 4.8 once left restored code blocks 0 px high)."""
    height = 0
    for _ in range(20):
        height = node.queryComponent().getExtents(pyatspi.WINDOW_COORDS).height
        if height > 0:
            return
        time.sleep(0.1)
    raise Failure(f"{what} is {height} px high")


def wait_until(what, condition, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise Failure(f"timed out waiting for {what}")


def first_paragraph(app):
    """The first reply's opening paragraph (the one that quotes the first prompt)."""
    return app.find("the first reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and "Iceland" in text_of(n))


def text_of(node):
    try:
        t = node.queryText()
        return t.getText(0, t.characterCount)
    except Exception:
        return name(node)


def add_fake_provider(app, base_url):
    """First run: adds the fake server as "Fake Server" from the welcome page
    and chooses its model fake-small in the picker that opens."""
    app.find("the welcome page", lambda n: name(n) == "Welcome to ValeChat")
    for label, value in (("Name", "Fake Server"), ("Base URL", base_url)):
        field = app.find(f"entry {label!r}", lambda n, label=label: role(n) in ("text", "entry") and name(n) == label and showing(n))
        set_text(field, value)
    app.click(app.button("Add Provider"))
    # Adding the provider opens the model picker: choose a model.
    app.click(app.find("model fake-small in the picker", lambda n: name(n) == "fake-small" and role(n) in ("list item", "row", "list box row") and showing(n)))
    app.button("fake-small")


def choose_model(app, names):
    """Clicks the model picker's row named one of `names` (the picker is
    open) until the header's model button names the model: a click that
    lands while the popover is still opening is lost, so it is tried again
    (three times at most)."""
    is_row = lambda n: role(n) in ("list item", "row", "list box row") and name(n) in names and showing(n)  # noqa: E731
    chosen = lambda n: role(n) in ("push button", "toggle button") and name(n) in names and showing(n)  # noqa: E731
    for _ in range(3):
        app.click(app.find(f"{names[0]} in the picker", is_row))
        try:
            return app.find(f"the model button naming {names[0]}", chosen, timeout=5)
        except Failure:
            continue
    return app.find(f"the model button naming {names[0]}", chosen)


def menu_item(app, label):
    """The showing menu item named `label` (an entry of a GMenuModel's popover)."""
    return app.find(f"the menu item {label!r}", lambda n: role(n) == "menu item" and name(n) == label and showing(n))


def screenshot(label):
    out = os.environ.get("VALECHAT_SCREENSHOT_DIR")
    if out and shutil.which("import"):
        os.makedirs(out, exist_ok=True)
        subprocess.run(["import", "-window", "root", os.path.join(out, f"{label}.png")], check=False)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-")
    prompt = "What is the capital of Iceland?"
    reply_start = "Hello from the fake model"

    app = App(binary, data_dir)
    try:
        app.find("the welcome page", lambda n: name(n) == "Welcome to ValeChat")
        screenshot("01-first-run")
        fields = {}
        for label in ("Name", "Base URL"):
            fields[label] = app.find(
                f"entry {label!r}",
                lambda n, label=label: role(n) in ("text", "entry") and name(n) == label and showing(n),
            )
        set_text(fields["Name"], "Fake Server")
        # A base URL that is not an http address is refused with a
        # sentence that says why, and nothing is added.
        set_text(fields["Base URL"], "ftp://x y")
        app.click(app.button("Add Provider"))
        app.find("the refusal of the base URL", lambda n: "The base URL contains a space." in name(n) and showing(n))
        app.find("the welcome page, still", lambda n: name(n) == "Welcome to ValeChat")
        set_text(fields["Base URL"], base_url)
        app.click(app.button("Test Connection"))
        app.find("the connection result", lambda n: "the server offers 2 models" in name(n))
        app.click(app.button("Add Provider"))

        # Adding the provider opens the model picker.
        model_row = app.find(
            "model fake-small in the picker",
            lambda n: name(n) == "fake-small" and role(n) in ("list item", "row", "list box row") and showing(n),
        )
        # Starring the first model lists it under Favourites.
        app.click(app.button("Add to Favourites"))
        app.button("Remove from Favourites")
        app.find("the Favourites heading", lambda n: role(n) == "label" and name(n) == "Favourites" and showing(n))
        screenshot("02-model-picker")
        model_row = app.find(
            "model fake-small in the picker",
            lambda n: name(n) == "fake-small" and role(n) in ("list item", "row", "list box row") and showing(n),
        )
        app.click(model_row)
        app.button("fake-small")  # the picker's button now names the model

        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry") and showing(n))
        set_text(composer, prompt)
        app.click(app.button("Send"))
        # The reply is markdown: one label per block. Its first paragraph
        # quotes the prompt, its last one arrives last.
        # Streaming shows the text as it grows: first a prefix, later the
        # paragraph that quotes the whole prompt.
        partial = app.find("the reply's first words", lambda n: role(n) == "label" and text_of(n).startswith(reply_start))
        streamed_prefix = text_of(partial)
        app.find("the reply's first paragraph", lambda n: role(n) == "label" and text_of(n).startswith(reply_start) and prompt in text_of(n))
        app.find("the reply's last paragraph", lambda n: role(n) == "label" and text_of(n) == "That is all.")
        code = app.find("the reply's code block", lambda n: role(n) == "text" and 'print("hello, world")' in text_of(n))
        assert_has_height(code, "the streamed code block")
        app.button("Send")  # the reply ended: Send is back
        screenshot("03-reply")
        print(f"ui: first text seen while streaming: {streamed_prefix!r}")

        # Stop in the middle of a (slow) reply: the partial text stays, marked.
        set_text(composer, SLOW_PROMPT)
        app.click(app.button("Send"))
        stop = app.button("Stop")
        app.find("the slow reply's first words", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and SLOW_PROMPT not in text_of(n) and text_of(n) != text_of(first_paragraph(app)))
        app.click(stop)
        app.find("the stopped note", lambda n: role(n) == "label" and text_of(n) == STOPPED_NOTE)
        app.button("Send")
        endings = app.find_all(lambda n: role(n) == "label" and text_of(n) == "That is all.")
        assert len(endings) == 1, f"the stopped reply went on to its end ({len(endings)} endings)"
        screenshot("04-stopped")

        # A server error after the automatic retries: an inline error row
        # with Retry; pressing it gets the answer and the error row goes.
        set_text(composer, FLAKY_PROMPT)
        app.click(app.button("Send"))
        error = app.find("the inline error", lambda n: role(n) == "label" and text_of(n).startswith("The reply failed:") and "HTTP 503" in text_of(n), timeout=60)
        # The sentence is ValeChat's own; the server's words are a detail on
        # a line of their own, not mixed into it.
        assert "overloaded" not in text_of(error), f"the server's text is inside the sentence: {text_of(error)!r}"
        app.find("the server's words as the error's detail", lambda n: role(n) == "label" and text_of(n) == "The server is overloaded" and showing(n))
        screenshot("05-failed")
        retries = app.find_all(lambda n: role(n) == "push button" and name(n) == "Retry" and showing(n))
        assert len(retries) == 1, f"{len(retries)} Retry buttons: only the last reply may offer one"
        app.click(retries[0])
        app.find("the answer after Retry", lambda n: role(n) == "label" and FLAKY_PROMPT in text_of(n) and text_of(n).startswith("Hello from"))
        app.wait_gone("the inline error", lambda n: role(n) == "label" and text_of(n).startswith("The reply failed:"))
        wait_until("the retried reply to end", lambda: len(app.find_all(lambda n: role(n) == "label" and text_of(n) == "That is all.")) == 2)
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("failure-1")
        raise
    finally:
        app.quit()

    app = App(binary, data_dir)
    try:
        row = app.find("the conversation in the sidebar", lambda n: name(n) == prompt and showing(n))
        app.click(row)
        app.find("the stored reply", lambda n: role(n) == "label" and text_of(n).startswith(reply_start))
        app.find("the stored reply's end", lambda n: role(n) == "label" and text_of(n) == "That is all.")
        app.find("the stored prompt", lambda n: role(n) == "label" and text_of(n).strip() == prompt)
        code = app.find("the stored code block", lambda n: role(n) == "text" and 'print("hello, world")' in text_of(n))
        assert_has_height(code, "the stored code block")
        app.find("the stopped reply's note", lambda n: role(n) == "label" and text_of(n) == STOPPED_NOTE)
        # Only the last reply offers Retry, and the last one is complete.
        retries = app.find_all(lambda n: role(n) == "push button" and name(n) == "Retry" and showing(n))
        assert not retries, "a reply that is not the last one offers Retry"
        screenshot("06-after-restart")

        # Rename, then delete, from the conversation's menu: a menu model,
        # whose entries are menu items (issue 18, bug 5).
        app.click(app.find("the conversation menu", lambda n: name(n) == "Conversation Menu" and role(n) in ("push button", "toggle button")))
        app.click(menu_item(app, "Rename…"))
        title_entry = app.find("the title field", lambda n: role(n) == "text" and text_of(n) == prompt)
        set_text(title_entry, "Iceland trivia")
        app.click(app.button("Rename"))
        app.find("the new title in the sidebar", lambda n: role(n) == "label" and name(n) == "Iceland trivia")
        screenshot("07-renamed")
        app.click(app.find("the conversation menu", lambda n: name(n) == "Conversation Menu" and role(n) in ("push button", "toggle button")))
        app.click(menu_item(app, "Delete"))
        app.find("the delete confirmation", lambda n: role(n) == "label" and text_of(n).startswith("“Iceland trivia” and all its messages"))
        deletes = app.find_all(lambda n: role(n) == "push button" and name(n) == "Delete Delete" and showing(n))
        app.click(deletes[0])
        app.wait_gone("the deleted conversation", lambda n: role(n) == "label" and name(n) == "Iceland trivia")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree-2.txt"))
        screenshot("failure-2")
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
        print("ui: 0 passed, 1 failed")
        sys.exit(1)
