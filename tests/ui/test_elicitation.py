#!/usr/bin/python3
"""End-to-end: an MCP server asks the user for information (elicitation,
form mode), through AT-SPI.

1. `valechat providers add` points at tests/ui/fake_openai.py and `valechat
   mcp add everything …` configures @modelcontextprotocol/server-everything
   (tests/mcp/node_modules-root); the MCP Servers window shows it Ready.
2. "Please ask me for details" makes the fake model call
   `everything__trigger-elicitation-request`; the user allows it once.
3. The server's form appears as "Request from everything": defaults filled
   in ("It was a dark and stormy night."), Submit disabled while the
   required name is empty. The test types a name (screenshot
   elicitation.png) and submits with Enter; the tool result in the
   conversation carries the name.
4. A second request is declined with the dialog's Decline button (the
   server reports "User declined"), a third cancelled with Escape ("User
   cancelled").

Usage: tests/ui/test_elicitation.py [path/to/valechat]
"""

import os
import shutil
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, set_text, showing, text_of, wait_for, walk  # noqa: E402
from test_tools import SCRIPT, is_button, open_servers, settle  # noqa: E402
from test_two_providers import choose_model, cli  # noqa: E402

NAME = "Ada Lovelace"


def dialog_with(app, what, heading):
    """The showing dialog one of whose labels starts with `heading`."""
    return app.find(
        what,
        lambda n: role(n) == "dialog" and showing(n) and any(role(c) == "label" and text_of(c).startswith(heading) for c in walk(n)),
    )


def dialog_button(dialog, label):
    """Response button `label` of `dialog` (AdwMessageDialog 1.2 names it
    "Label Label")."""
    return wait_for(f"button {label!r}", lambda n: is_button(n, label), lambda: dialog)


def press(keycode):
    """Presses and releases the key with X keycode `keycode`."""
    pyatspi.Registry.generateKeyboardEvent(keycode, None, pyatspi.KEY_PRESSRELEASE)


RETURN, ESCAPE = 36, 9


def sensitive(node):
    return node.getState().contains(pyatspi.STATE_SENSITIVE)


def ask_and_allow(app, composer, prompt):
    """Sends `prompt` and allows the elicitation tool once."""
    set_text(composer, prompt)
    app.click(app.button("Send"))
    approval = dialog_with(app, "the approval dialog", "Run “")
    app.click(dialog_button(approval, "Allow Once"))
    settle()
    return dialog_with(app, "the elicitation form", "Request from everything")


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat")
    if not os.path.isfile(SCRIPT) or not shutil.which("node"):
        raise Failure(f"server-everything is not installed ({SCRIPT}); run tests/mcp/install-peers.sh")
    openai_server = fake_openai.start()
    data_dir = tempfile.mkdtemp(prefix="valechat-elicit-")
    cli(binary, data_dir, "providers", "add", "--name", "Local Fake", "--base-url", f"http://127.0.0.1:{openai_server.server_address[1]}/v1")
    cli(binary, data_dir, "mcp", "add", "everything", "--", "node", SCRIPT, "stdio")

    app = App(binary, data_dir)
    try:
        servers = open_servers(app)
        app.find(
            "the server-everything row in state Ready",
            lambda n: role(n) == "label" and text_of(n).startswith("Ready · ") and showing(n),
            timeout=60,
        )
        app.click(wait_for("the MCP Servers window's Close button", lambda n: is_button(n, "Close"), lambda: servers))
        app.wait_gone("the MCP Servers window", lambda n: n == servers and showing(n), timeout=10)

        choose_model(app, "fake-small")
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry"))
        form = ask_and_allow(app, composer, "Please ask me for details")

        # Defaults are filled in; the required name is empty, so Submit waits.
        wait_for(
            "the default first line",
            lambda n: role(n) in ("text", "entry") and text_of(n) == "It was a dark and stormy night.",
            lambda: form,
        )
        submit = dialog_button(form, "Submit")
        if sensitive(submit):
            raise Failure("Submit is enabled although the required name is empty")
        wait_for("the required mark", lambda n: role(n) == "label" and text_of(n) == "String (required)", lambda: form)
        entry = wait_for("the name entry", lambda n: role(n) in ("text", "entry") and name(n) == "String" and showing(n), lambda: form)
        set_text(entry, NAME)
        deadline = time.monotonic() + 10
        while not sensitive(submit):
            if time.monotonic() > deadline:
                raise Failure("Submit stays disabled after the name was typed")
            time.sleep(0.2)
        time.sleep(0.5)
        screenshot("elicitation")
        # The first entry has the focus since the form opened (GTK 4.8
        # cannot move it through AT-SPI): Enter activates Submit.
        press(RETURN)
        settle()

        app.find(
            "the tool result with the name",
            lambda n: role(n) == "label" and f"Name: {NAME}" in text_of(n) and showing(n),
            timeout=30,
        )
        app.button("Send")  # the reply has ended

        # The second time the user declines.
        form = ask_and_allow(app, composer, "Please ask me for details again")
        app.click(dialog_button(form, "Decline"))
        settle()
        app.find("the declined tool result", lambda n: role(n) == "label" and "User declined" in text_of(n) and showing(n), timeout=30)
        app.button("Send")

        # The third time Escape closes the form: cancel.
        ask_and_allow(app, composer, "Please ask me for details once more")
        press(ESCAPE)
        settle()
        app.find("the cancelled tool result", lambda n: role(n) == "label" and "User cancelled" in text_of(n) and showing(n), timeout=30)
        app.button("Send")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("elicitation-failure")
        raise
    finally:
        if app.proc.poll() is None:
            app.quit()

    history = cli(binary, data_dir, "history", "show", "1")
    for expected in (f"Name: {NAME}", "User declined", "User cancelled"):
        if expected not in history:
            raise Failure(f"history lacks {expected!r}:\n{history}")
    openai_server.shutdown()
    shutil.rmtree(data_dir, ignore_errors=True)
    print("ui-elicitation: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-elicitation: FAILED: {e}", file=sys.stderr)
        print("ui-elicitation: 0 passed, 1 failed")
        sys.exit(1)
