#!/usr/bin/python3
"""End-to-end UI test of the MCP servers of a new conversation, and the way
back to every enabled server, through AT-SPI.

Runs the real app (under tests/run-in-session.sh) against
tests/ui/fake_openai.py, with two configured MCP servers:
server-everything (enabled, installed under tests/mcp/node_modules-root)
and "Clock" (`/bin/true`, disabled for every conversation, so never
started).

1. Once server-everything is Ready (MCP Servers window), the new
   conversation on screen (nothing sent yet) shows the Conversation
   Settings popover's MCP Servers group: everything switched on, Clock
   off, no "Use All Enabled Servers" button (it follows every enabled
   server).
2. Clock switched on, then everything off, before the first message: the
   button shows (screenshot `conversation-servers-new.png`).
3. The first message creates the conversation: its first request offers no
   tool (everything is off, Clock is disabled), and the database says the
   conversation has its own list, Clock only (`conversation_server_choices`,
   `conversation_mcp_servers`).
4. "Use All Enabled Servers": the button goes, everything is switched on
   again, Clock off, and the database holds no list for the conversation
   (screenshot `conversation-servers-all.png`); the next request offers
   server-everything's tools again.
5. A new conversation from the assistant "⏰ Timekeeper" (New Conversation
   menu; its servers: Clock) starts with the assistant's servers: Clock on,
   everything off, the button shown. "Use All Enabled Servers" before the
   first message: that message's request offers server-everything's tools,
   and the conversation keeps its assistant but no list of its own.

Usage: tests/ui/test_conversation_servers.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (ImageMagick `import`).
"""

import os
import shutil
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, menu_item, name, role, screenshot, set_text, showing, text_of  # noqa: E402
from test_images import wait_for_display  # noqa: E402
from test_shortcuts import KEY_ESCAPE, point_at, press  # noqa: E402
from test_tools import SCRIPT, open_servers  # noqa: E402
from test_two_providers import choose_model, cli  # noqa: E402
from test_workspace_folders import checked, server_switch, toggle, wait_for_state  # noqa: E402

USE_ALL = "Use All Enabled Servers"


def stored_servers(data_dir):
    """(ids of conversations with their own list, (conversation, server) rows)."""
    db = sqlite3.connect(os.path.join(data_dir, "valechat.db"))
    try:
        chosen = sorted(row[0] for row in db.execute("SELECT conversation_id FROM conversation_server_choices"))
        servers = db.execute("SELECT conversation_id, server_id FROM conversation_mcp_servers ORDER BY server_id").fetchall()
        return chosen, servers
    finally:
        db.close()


def conversation_ids(data_dir):
    db = sqlite3.connect(os.path.join(data_dir, "valechat.db"))
    try:
        return [row[0] for row in db.execute("SELECT id FROM conversations ORDER BY id")]
    finally:
        db.close()


def assistant_of(data_dir, conversation):
    db = sqlite3.connect(os.path.join(data_dir, "valechat.db"))
    try:
        row = db.execute("SELECT name FROM conversation_assistants WHERE conversation_id = ?", (conversation,)).fetchone()
        return row[0] if row else None
    finally:
        db.close()


def use_all_buttons(app):
    return app.find_all(lambda n: role(n) == "push button" and name(n) == USE_ALL and showing(n))


def offered_tools(request):
    return sorted(t.get("function", {}).get("name") for t in request.get("tools") or [])


def send(app, text, requests_before):
    """Sends `text` and waits for its reply and the request behind it."""
    set_text(app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry")), text)
    app.click(app.button("Send"))
    app.find(f"the reply to {text!r}", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and text in text_of(n) and showing(n))
    app.button("Send")  # the reply has ended
    wait_for_state(app, "the request", lambda: len(fake_openai.received()) > requests_before)
    return fake_openai.received()[-1]


def close_popover(app):
    press(KEY_ESCAPE)
    app.wait_gone("the MCP Servers group", lambda n: name(n) == "MCP Servers" and role(n) != "push button" and showing(n))


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat"))
    if not os.path.isfile(SCRIPT) or not shutil.which("node"):
        raise Failure(f"server-everything is not installed ({SCRIPT}); run .ci/run or tests/mcp/install-peers.sh")
    server = fake_openai.start()
    data_dir = tempfile.mkdtemp(prefix="valechat-servers-")
    cli(binary, data_dir, "providers", "add", "--name", "Fake", "--base-url", f"http://127.0.0.1:{server.server_address[1]}/v1")
    cli(binary, data_dir, "mcp", "add", "everything", "--env", f"UI_TEST_RUN={data_dir}", "--", "node", SCRIPT, "stdio")
    cli(binary, data_dir, "mcp", "add", "Clock", "--no-sandbox", "--", "/bin/true")
    cli(binary, data_dir, "mcp", "disable", "Clock")
    cli(binary, data_dir, "assistants", "add", "--name", "Timekeeper", "--icon", "⏰", "--model", "fake/fake-small", "--mcp-server", "clock")

    wait_for_display()
    app = App(binary, data_dir)
    time.sleep(2)
    if app.proc.poll() is not None:  # the session's display sometimes refuses the first client
        app = App(binary, data_dir)
    try:
        # 1. The server's tools are on offer once it is Ready.
        servers = open_servers(app)
        app.find("server-everything Ready", lambda n: role(n) == "label" and text_of(n).startswith("Ready · ") and showing(n), timeout=60)
        point_at(servers)
        press(KEY_ESCAPE)
        app.wait_gone("the MCP Servers window", lambda n: role(n) in ("frame", "window", "dialog") and name(n) == "MCP Servers", timeout=10)

        choose_model(app, "fake-small")
        if conversation_ids(data_dir):
            raise Failure("a conversation is stored before the first message")
        app.click(app.button("Conversation Settings"))
        app.find("the MCP Servers group of the new conversation", lambda n: name(n) == "MCP Servers" and showing(n))
        wait_for_state(app, "everything switched on", lambda: checked(server_switch(app, "everything")))
        if checked(server_switch(app, "Clock")):
            raise Failure("the disabled Clock is switched on for a conversation that follows every enabled server")
        app.find("the every-enabled-server description", lambda n: role(n) == "label" and text_of(n).endswith("including servers added later") and showing(n))
        if use_all_buttons(app):
            raise Failure(f"{USE_ALL!r} shows for a conversation without its own list")

        # 2. Chosen before the first message.
        toggle(server_switch(app, "Clock"))
        wait_for_state(app, "Clock switched on", lambda: checked(server_switch(app, "Clock")))
        toggle(server_switch(app, "everything"))
        wait_for_state(app, "everything switched off", lambda: not checked(server_switch(app, "everything")))
        app.button(USE_ALL)
        time.sleep(0.5)
        screenshot("conversation-servers-new")
        close_popover(app)

        # 3. The first message creates the conversation with that list.
        first = send(app, "First question", 0)
        if offered_tools(first):
            raise Failure(f"the first request offers {offered_tools(first)}, with server-everything switched off")
        ids = conversation_ids(data_dir)
        if len(ids) != 1:
            raise Failure(f"conversations stored: {ids}")
        chosen, rows = stored_servers(data_dir)
        if chosen != ids or rows != [(ids[0], "clock")]:
            raise Failure(f"the new conversation's servers: chosen {chosen}, rows {rows}")

        # 4. Back to every enabled server.
        app.click(app.button("Conversation Settings"))
        app.click(app.button(USE_ALL))
        app.wait_gone(f"the {USE_ALL!r} button", lambda n: role(n) == "push button" and name(n) == USE_ALL and showing(n))
        wait_for_state(app, "everything switched on again", lambda: checked(server_switch(app, "everything")))
        if checked(server_switch(app, "Clock")):
            raise Failure("Clock is still switched on after Use All Enabled Servers")
        time.sleep(0.5)
        screenshot("conversation-servers-all")
        wait_for_state(app, "the list removed from the database", lambda: stored_servers(data_dir) == ([], []))
        close_popover(app)
        second = send(app, "Second question", len(fake_openai.received()))
        if "everything__echo" not in offered_tools(second):
            raise Failure(f"the request after Use All Enabled Servers offers {offered_tools(second)}")

        # 5. A new conversation from an assistant starts with its servers.
        app.click(app.find("the assistants menu", lambda n: role(n) in ("push button", "toggle button") and name(n) == "New Conversation From an Assistant" and showing(n)))
        app.click(menu_item(app, "⏰ Timekeeper"))
        app.find("the assistant in the header", lambda n: role(n) == "label" and text_of(n).startswith("⏰ Timekeeper") and showing(n))
        app.click(app.button("Conversation Settings"))
        wait_for_state(app, "the assistant's Clock switched on", lambda: checked(server_switch(app, "Clock")))
        if checked(server_switch(app, "everything")):
            raise Failure("everything is switched on for a conversation from an assistant that has Clock only")
        app.click(app.button(USE_ALL))
        app.wait_gone(f"the {USE_ALL!r} button", lambda n: role(n) == "push button" and name(n) == USE_ALL and showing(n))
        wait_for_state(app, "everything switched on", lambda: checked(server_switch(app, "everything")))
        close_popover(app)
        third = send(app, "Third question", len(fake_openai.received()))
        if "everything__echo" not in offered_tools(third):
            raise Failure(f"the first request from the assistant after Use All Enabled Servers offers {offered_tools(third)}")
        ids = conversation_ids(data_dir)
        if len(ids) != 2 or stored_servers(data_dir) != ([], []):
            raise Failure(f"conversations {ids}, servers {stored_servers(data_dir)}")
        if not assistant_of(data_dir, ids[1]):
            raise Failure("the conversation from the assistant lost its assistant")
    except Failure:
        screenshot("conversation-servers-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    print("test_conversation_servers: ok")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"test_conversation_servers: FAIL: {e}", file=sys.stderr)
        sys.exit(1)
