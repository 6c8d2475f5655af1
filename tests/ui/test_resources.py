#!/usr/bin/python3
"""End-to-end: MCP resource templates and watched resources, through AT-SPI.

1. As tests/ui/test_prompts.py: the fake OpenAI server, server-everything
   and a conversation, all from the command line.
2. A resource template: Attach Resource… opens the browser, the search
   narrows it to "Dynamic Text Resource" (demo://resource/dynamic/text/
   {resourceId}), its row expands, "42" goes into the resourceId entry
   (screenshot resource-template.png; the server's completer only echoes a
   positive integer, so there is no other suggestion to take), and Attach
   adds a chip. After sending, the fake server must have received a
   `<resource uri="demo://resource/dynamic/text/42" …>` block holding
   "Resource 42: …", and the user's message shows the chip.
3. Watch for Changes: the switch of architecture.md is turned on and the
   document attached; the model calls toggle-subscriber-updates (allowed
   once), which makes server-everything send notifications/resources/updated
   every 5 s; the toast "“architecture.md” changed on server everything"
   appears (screenshot resource-watch-toast.png). The document is attached
   again while updates keep coming (its pending copy is re-read), sent, and
   answered. Then the switch is turned off and stays off when the browser
   is opened again.

Usage: tests/ui/test_resources.py [path/to/valechat]
"""

import os
import sys
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import Failure, name, role, screenshot, showing, text_of, wait_until, walk  # noqa: E402
from test_prompts import click_at, dump_failure, start_with_everything, xdotool  # noqa: E402

TEMPLATE = "Dynamic Text Resource"
TEMPLATE_URI = "demo://resource/dynamic/text/42"
DOCUMENT = "architecture.md"
TOAST = "“architecture.md” changed on server everything"


def checked(node):
    try:
        return node.getState().contains(pyatspi.STATE_CHECKED)
    except Exception:
        return False


def sensitive(node):
    try:
        return node.getState().contains(pyatspi.STATE_SENSITIVE)
    except Exception:
        return False


def type_into(node, text):
    click_at(node)
    xdotool("key", "ctrl+a", "BackSpace")
    xdotool("type", "--delay", "60", text)


def send(app, text):
    type_into(app.find("the message field", lambda n: name(n) == "Message" and showing(n)), text)
    time.sleep(0.3)
    app.click(app.button("Send"))


def browser(app, query):
    """Opens the resource browser and searches for `query`."""
    button = app.button("Attach Resource…")
    # Insensitive while a reply streams.
    wait_until("Attach Resource… to be sensitive", lambda: sensitive(button), timeout=30)
    app.click(button)
    search = app.find("the resource search", lambda n: name(n) == "Search Resources" and role(n) != "label" and showing(n), timeout=30)
    # The browser lists resources once the server answers.
    app.find("a resource", lambda n: name(n).startswith("Attach “") and showing(n), timeout=30)
    type_into(search, query)
    time.sleep(0.5)


def watch_switch(app):
    """The Watch for Changes switch of architecture.md's row."""
    attach = app.find(f"the Attach button of {DOCUMENT}", lambda n: name(n) == f"Attach “{DOCUMENT}”" and showing(n), timeout=30)
    node = attach.parent
    for _ in range(4):
        for n in walk(node):
            if name(n) == "Watch for Changes" and role(n) != "label":
                return attach, n
        node = node.parent
    raise Failure(f"no Watch for Changes switch next to {DOCUMENT}")


def set_watch(app, on):
    attach, switch = watch_switch(app)
    if checked(switch) != on:
        click_at(switch)
    wait_until(f"the switch to be {'on' if on else 'off'}", lambda: checked(switch) == on, timeout=20)
    return attach


def close_browser(app):
    window = app.find("the browser", lambda n: role(n) in ("frame", "dialog", "window") and name(n) == "Attach Resource" and showing(n))
    close = next((n for n in walk(window) if role(n) == "push button" and name(n) == "Close"), None)
    if close is None:
        raise Failure("the browser has no Close button")
    app.click(close)
    app.wait_gone("the browser", lambda n: role(n) in ("frame", "dialog", "window") and name(n) == "Attach Resource" and showing(n))


def last_user_text():
    bodies = fake_openai.received()
    if not bodies:
        return ""
    users = [m for m in bodies[-1].get("messages", []) if m.get("role") == "user"]
    return fake_openai.prompt_of(users[-1]["content"]) if users else ""


def allow_tool_call(app):
    allow = app.find(
        "Allow Once in the approval dialog",
        lambda n: role(n) == "push button" and name(n).replace("_", "") in ("Allow Once", "Allow Once Allow Once") and showing(n),
        timeout=30,
    )
    app.click(allow)


def template_part(app):
    browser(app, "dynamic text")
    app.find("the template's URI template", lambda n: role(n) == "label" and text_of(n) == "demo://resource/dynamic/text/{resourceId}" and showing(n))
    click_at(app.find("the template row", lambda n: name(n) == TEMPLATE and role(n) != "label" and showing(n)))
    entry = app.find("the resourceId entry", lambda n: name(n) == "resourceId" and role(n) in ("text", "entry") and showing(n))
    wait_until("the entry to be laid out", lambda: entry.queryComponent().getExtents(pyatspi.DESKTOP_COORDS).height > 0)
    type_into(entry, "42")
    time.sleep(1)  # the completion request (250 ms debounce) answers nothing new
    screenshot("resource-template")
    app.click(app.find("the template's Attach button", lambda n: name(n) == f"Attach “{TEMPLATE}”" and showing(n)))
    app.find("the pending template resource", lambda n: name(n) == f"Remove “{TEMPLATE}”" and showing(n), timeout=30)

    send(app, "Read the template")
    app.find("the reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and "Read the template" in text_of(n) and showing(n), timeout=30)
    app.find("the template resource on the user's message", lambda n: role(n) == "label" and text_of(n) == f"{TEMPLATE} (everything)" and showing(n))
    sent = last_user_text()
    if f'<resource uri="{TEMPLATE_URI}"' not in sent or "Resource 42: This is a plaintext resource" not in sent:
        raise Failure(f"the fake server did not receive the expanded template: {sent!r}")
    print(f"template: sent {TEMPLATE_URI}")


def watch_part(app):
    browser(app, DOCUMENT)
    attach = set_watch(app, True)
    app.click(attach)
    app.find("the pending document", lambda n: name(n) == f"Remove “{DOCUMENT}”" and showing(n), timeout=30)

    send(app, "Please toggle updates")
    allow_tool_call(app)
    app.find("the tool's result", lambda n: role(n) == "label" and text_of(n).startswith("Tool results: Started") and showing(n), timeout=30)
    app.find("the change toast", lambda n: role(n) == "label" and text_of(n) == TOAST and showing(n), timeout=30)
    screenshot("resource-watch-toast")
    print("watch: toast shown")

    # Attached again while updates keep coming: re-read, then sent.
    browser(app, DOCUMENT)
    _, switch = watch_switch(app)
    if not checked(switch):
        raise Failure("the browser forgot that architecture.md is watched")
    app.click(app.find(f"the Attach button of {DOCUMENT}", lambda n: name(n) == f"Attach “{DOCUMENT}”" and showing(n)))
    app.find("the pending document", lambda n: name(n) == f"Remove “{DOCUMENT}”" and showing(n), timeout=30)
    app.find("another change toast", lambda n: role(n) == "label" and text_of(n) == TOAST and showing(n), timeout=30)
    before = len(fake_openai.received())
    send(app, "After the change")
    app.find("the reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and "After the change" in text_of(n) and showing(n), timeout=30)
    wait_until("the request", lambda: len(fake_openai.received()) > before)
    if f'<resource uri="demo://resource/static/document/{DOCUMENT}"' not in last_user_text():
        raise Failure(f"the watched document was not sent: {last_user_text()!r}")

    # Off, and still off when the browser opens again.
    browser(app, DOCUMENT)
    set_watch(app, False)
    close_browser(app)
    time.sleep(0.5)
    browser(app, DOCUMENT)
    _, switch = watch_switch(app)
    if checked(switch):
        raise Failure("the switch is on again after being turned off")
    close_browser(app)
    print("watch: off")


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat")
    app, server = start_with_everything(binary, "Resources")
    try:
        app.click(app.find("the conversation", lambda n: name(n) == "Resources" and showing(n)))
        app.find("the first reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and showing(n))
        template_part(app)
        watch_part(app)
        if app.proc.poll() is not None:
            raise Failure(f"the app exited with status {app.proc.returncode}")
        print("test_resources: ok")
    except Failure:
        screenshot("resources-failure")  # before the app quits
        dump_failure(app, "resources-failure")
        raise
    finally:
        app.quit()
        server.shutdown()


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"test_resources: FAIL: {e}", file=sys.stderr)
        sys.exit(1)
