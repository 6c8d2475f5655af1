#!/usr/bin/python3
"""End-to-end UI test of a conversation's workspace folders (MCP roots),
through AT-SPI.

Runs the real app (under tests/run-in-session.sh) against
tests/ui/fake_openai.py:

1. a conversation is created with the CLI, `--root` giving it the folder
   "Alpha Project";
2. opened in the window, its Conversation Settings popover lists the folder
   in the Workspace Folders group (name, path, a Remove button) — the
   screenshot `workspace-folders.png`;
3. Add Folder… opens the folder chooser; the folder "Beta" typed there is
   listed and stored at once;
4. Remove “Alpha Project” takes it out of the list and, once the app has
   quit, the database holds only "Beta".
5. The same popover's MCP Servers group lists the two configured servers
   (both disabled for every conversation, so that none is started) with a
   switch each, off: this conversation, started from no assistant, offers
   every enabled server. Switching "Clock" on stores the conversation's own
   list: once the app has quit, the database says it offers Clock only
   (`conversation_server_choices`, `conversation_mcp_servers`), and the
   switch is still on when the conversation is opened again.
6. The same popover's Sampling rows: Top K, Min P and Repeat Penalty are
   insensitive, saying the provider (OpenAI-compatible) does not use them;
   Top P set to 0.75 and Seed to 4242, the popover closed: once the app
   has quit the database holds them (`conversations.top_p`, `.seed`), and
   opened again the popover shows them switched on with those values.

Usage: tests/ui/test_workspace_folders.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (ImageMagick `import`).
"""

import os
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
import pyatspi  # noqa: E402
from test_first_slice import App, Failure, name, role, screenshot, set_text, showing, text_of  # noqa: E402
from test_images import wait_for_display  # noqa: E402

TITLE = "Folders"


def stored_folders(data_dir):
    """(path, name) of every stored workspace folder, in order."""
    db = sqlite3.connect(os.path.join(data_dir, "valechat.db"))
    try:
        return db.execute("SELECT path, name FROM conversation_roots ORDER BY conversation_id, position").fetchall()
    finally:
        db.close()


def stored_servers(data_dir):
    """(conversation has its own list, its server ids) for every conversation."""
    db = sqlite3.connect(os.path.join(data_dir, "valechat.db"))
    try:
        chosen = {row[0] for row in db.execute("SELECT conversation_id FROM conversation_server_choices")}
        servers = db.execute("SELECT conversation_id, server_id FROM conversation_mcp_servers ORDER BY server_id").fetchall()
        return chosen, servers
    finally:
        db.close()


def server_switch(app, server):
    """The switch of `server` in the MCP Servers group, named after it (GTK
    4.8 names it twice, "Clock Clock": its own label and its row's title)."""
    return app.find(f"the switch of {server!r}", lambda n: role(n) in ("switch", "toggle button", "check box") and name(n) in (server, f"{server} {server}") and showing(n))


def toggle(node):
    """Toggles a switch through its AT-SPI action (GTK names it "toggle"; a
    pointer click would land outside the popover under Xvfb)."""
    action = node.queryAction()
    names = [action.getName(i) for i in range(action.nActions)]
    if not names:
        raise Failure(f"{name(node)!r} offers no action")
    action.doAction(names.index("toggle") if "toggle" in names else 0)


def wait_for_state(app, what, condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise Failure(f"timed out waiting for {what}")
        time.sleep(0.25)


def checked(node):
    return node.getState().contains(pyatspi.STATE_CHECKED) or node.getState().contains(pyatspi.STATE_PRESSED)


def sampling_switch(app, title):
    """The switch of the Sampling row `title` (its accessible name)."""
    return app.find(f"the {title} switch", lambda n: role(n) in ("switch", "toggle button", "check box") and name(n) == title and showing(n))


def sampling_spin(app, title):
    return app.find(f"the {title} spin button", lambda n: role(n) == "spin button" and name(n) == title and showing(n))


def sensitive(node):
    return node.getState().contains(pyatspi.STATE_SENSITIVE)


def expanded(node):
    """Whether `node` has an area on screen (a collapsed row's children
    are there, with none)."""
    return node.queryComponent().getExtents(pyatspi.WINDOW_COORDS).height > 0


def open_sampling(app):
    """Turns the Sampling row's switch on, which expands it, unless it is
    on already (it is when the conversation has a parameter set)."""
    if expanded(sampling_switch(app, "Top P")):
        return
    toggle(app.find("the Sampling switch", lambda n: role(n) in ("switch", "toggle button", "check box") and name(n) == "Sampling" and showing(n)))
    wait_for_state(app, "the Sampling rows to show", lambda: expanded(sampling_switch(app, "Top P")))


def stored_sampling(data_dir):
    db = sqlite3.connect(os.path.join(data_dir, "valechat.db"))
    try:
        return db.execute("SELECT top_p, top_k, seed FROM conversations WHERE title = ?", (TITLE,)).fetchone()
    finally:
        db.close()


def remove_button(app, folder):
    return app.find(f"the Remove button of {folder!r}", lambda n: name(n) == f"Remove “{folder}”" and showing(n))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-")
    alpha = os.path.realpath(os.path.join(data_dir, "Alpha Project"))
    beta = os.path.realpath(os.path.join(data_dir, "Beta"))
    os.makedirs(alpha)
    os.makedirs(beta)
    env = dict(os.environ, VALECHAT_DATA_DIR=data_dir)
    subprocess.run([binary, "providers", "add", "--name", "Fake", "--base-url", base_url], env=env, check=True)
    subprocess.run([binary, "chat", "--provider", "fake", "--model", "fake-large", "--root", alpha, TITLE],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    for mcp_server in ("Clock", "Fetcher"):
        subprocess.run([binary, "mcp", "add", mcp_server, "--no-sandbox", "--", "/bin/true"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([binary, "mcp", "disable", mcp_server], env=env, check=True, stdout=subprocess.DEVNULL)
    if stored_folders(data_dir) != [(alpha, "Alpha Project")]:
        raise Failure(f"chat --root stored {stored_folders(data_dir)}")

    wait_for_display()
    app = App(binary, data_dir)
    time.sleep(2)
    if app.proc.poll() is not None:  # the session's display sometimes refuses the first client
        app = App(binary, data_dir)
    try:
        row = app.find("the conversation", lambda n: name(n) == TITLE and showing(n))
        app.click(row)
        app.find("the first reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and showing(n))

        app.click(app.button("Conversation Settings"))
        app.find("the Workspace Folders group", lambda n: name(n) == "Workspace Folders" and showing(n))
        app.find("the roots explanation", lambda n: name(n) == "MCP servers can see these folders as roots" and showing(n))
        remove_button(app, "Alpha Project")
        app.find("the folder's path", lambda n: role(n) == "label" and name(n) == alpha and showing(n))
        time.sleep(1.0)
        screenshot("workspace-folders")

        app.click(app.button("Add Folder…"))
        app.find("the folder chooser", lambda n: name(n) == "Add Workspace Folder")
        time.sleep(0.5)
        subprocess.run(["xdotool", "type", "--delay", "15", beta + "/"], check=True)
        time.sleep(0.5)
        subprocess.run(["xdotool", "key", "Return"], check=True)
        time.sleep(0.5)
        try:
            app.click(app.button("Add", timeout=5))
        except Failure:
            pass  # Return already accepted the folder
        # The list is read back from the database after each change.
        remove_button(app, "Beta")
        remove_button(app, "Alpha Project")

        app.click(remove_button(app, "Alpha Project"))
        app.wait_gone("the Alpha Project row", lambda n: name(n) == "Remove “Alpha Project”" and showing(n))
        remove_button(app, "Beta")
        time.sleep(1.0)
        screenshot("workspace-folders-after-remove")

        # 5. The conversation's MCP servers.
        app.find("the MCP Servers group", lambda n: name(n) == "MCP Servers" and showing(n))
        clock = server_switch(app, "Clock")
        assert not checked(clock) and not checked(server_switch(app, "Fetcher")), "a disabled server is offered"
        toggle(clock)
        # The switches are read back from the database after each change.
        deadline = time.monotonic() + 10
        while not checked(server_switch(app, "Clock")):
            if time.monotonic() > deadline:
                raise Failure("the Clock switch did not stay on")
            time.sleep(0.25)
        assert not checked(server_switch(app, "Fetcher"))
        screenshot("conversation-servers")

        # 6. Sampling: what OpenAI-compatible servers do not take is
        # insensitive; Top P and Seed set, kept when the popover closes.
        open_sampling(app)
        top_p = sampling_switch(app, "Top P")
        for title in ("Top K", "Min P", "Repeat Penalty"):
            if sensitive(sampling_switch(app, title)):
                raise Failure(f"{title} is sensitive for an OpenAI-compatible provider")
        app.find("the not-used subtitle", lambda n: role(n) == "label" and name(n) == "Not used by this conversation's provider" and showing(n))
        if not sensitive(top_p) or not sensitive(sampling_switch(app, "Seed")):
            raise Failure("Top P or Seed is insensitive for an OpenAI-compatible provider")
        toggle(top_p)
        wait_for_state(app, "Top P", lambda: sensitive(sampling_spin(app, "Top P")))
        set_text(sampling_spin(app, "Top P"), "0.75")
        toggle(sampling_switch(app, "Seed"))
        wait_for_state(app, "Seed", lambda: sensitive(sampling_spin(app, "Seed")))
        set_text(sampling_spin(app, "Seed"), "4242")
        time.sleep(0.5)
        screenshot("conversation-sampling")
        pyatspi.Registry.generateKeyboardEvent(9, None, pyatspi.KEY_PRESSRELEASE)  # Escape closes the popover
        app.wait_gone("the Sampling rows", lambda n: role(n) == "spin button" and name(n) == "Top P" and showing(n))
        time.sleep(1.0)  # the settings are stored by a command
    except Failure:
        screenshot("workspace-folders-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    # Read only once the app is gone (a second process reading the WAL
    # database meanwhile is not what this test is about).
    if stored_folders(data_dir) != [(beta, "Beta")]:
        raise Failure(f"stored folders after the removal: {stored_folders(data_dir)}")
    chosen, servers = stored_servers(data_dir)
    if len(chosen) != 1 or [s for _, s in servers] != ["clock"] or {c for c, _ in servers} != chosen:
        raise Failure(f"the conversation's servers: chosen {chosen}, servers {servers}")
    top_p, top_k, seed = stored_sampling(data_dir)
    if top_p is None or abs(top_p - 0.75) > 1e-4 or top_k is not None or seed != 4242:
        raise Failure(f"stored sampling: top_p {top_p}, top_k {top_k}, seed {seed}")

    # Opened again, the conversation still offers Clock only.
    app = App(binary, data_dir)
    try:
        app.click(app.find("the conversation", lambda n: name(n) == TITLE and showing(n)))
        app.find("the first reply again", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and showing(n))
        app.click(app.button("Conversation Settings"))
        deadline = time.monotonic() + 10
        while not checked(server_switch(app, "Clock")):
            if time.monotonic() > deadline:
                raise Failure("Clock is not switched on after a restart")
            time.sleep(0.25)
        assert not checked(server_switch(app, "Fetcher"))
        # The Sampling rows show what was stored.
        open_sampling(app)
        wait_for_state(app, "Top P on", lambda: checked(sampling_switch(app, "Top P")))
        assert checked(sampling_switch(app, "Seed")) and not checked(sampling_switch(app, "Top K"))
        if abs(sampling_spin(app, "Top P").queryValue().currentValue - 0.75) > 1e-4:
            raise Failure(f"Top P shows {sampling_spin(app, 'Top P').queryValue().currentValue}")
        if sampling_spin(app, "Seed").queryValue().currentValue != 4242:
            raise Failure(f"Seed shows {sampling_spin(app, 'Seed').queryValue().currentValue}")
    finally:
        app.quit()
    print("test_workspace_folders: ok")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"test_workspace_folders: FAIL: {e}", file=sys.stderr)
        sys.exit(1)
