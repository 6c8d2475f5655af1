#!/usr/bin/python3
"""End-to-end: MCP tools in the chat, the MCP Servers window, and no
orphaned server process after quitting, through AT-SPI.

1. `valechat providers add` points at tests/ui/fake_openai.py and
   `valechat mcp add everything -- node …/server-everything/dist/index.js
   stdio` configures @modelcontextprotocol/server-everything (installed by
   .ci/run under tests/mcp/node_modules-root).
2. Main Menu → MCP Servers shows the server's row, which reaches "Ready ·
   N tools · …" (screenshot servers.png); the Add Server form starts with
   the sandbox and the network on and 512 processes; the Import page keeps
   a `${env:VAR}` reference as written and offers to fill in the variable
   it names; Escape on a server's details
   goes back to the list, and Escape on the list closes the window while
   the app goes on.
3. "call echo twice" makes the fake model ask for two `everything__echo`
   calls: the first is allowed once in the approval dialog, the second
   denied. The conversation then shows one tool row Done and one Denied,
   and the final reply quotes the echo result and the denial
   (screenshot tool-calls.png). A call of a tool that is not offered
   shows "No such tool", and the model is told which tools exist.
4. After a call of a tool that is not offered, its row is expanded: the
   last reply stays inside the view.
5. Ctrl+Q quits, and no `node` process of server-everything started by
   this app remains (issue 4: "no orphaned npx/node/python").

Usage: tests/ui/test_tools.py [path/to/valechat]
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, ancestors, Failure, dump, name, role, screenshot, set_text, showing, text_of, wait_for, wait_until, walk  # noqa: E402
from test_shortcuts import KEY_ESCAPE, point_at, press  # noqa: E402
from test_conversation_end import wait_inside  # noqa: E402
from test_two_providers import choose_model, cli  # noqa: E402

SCRIPT = os.path.abspath(
    os.path.join(
        os.path.dirname(__file__),
        "..", "mcp", "node_modules-root", "node_modules", "@modelcontextprotocol",
        "server-everything", "dist", "index.js",
    )
)
FINAL_PREFIX = "Tool results: "


def is_button(node, label):
    return role(node) in ("push button", "toggle button") and name(node) in (label, f"{label} {label}") and showing(node)


def server_processes(data_dir):
    """PIDs of server-everything processes started by this test's app (their
    environment carries UI_TEST_RUN, set in the server's configured env to
    the app's unique data folder: a server does not inherit the app's own
    variables, VALECHAT_DATA_DIR included)."""
    found = subprocess.run(["pgrep", "-f", SCRIPT], capture_output=True, text=True).stdout.split()
    mine = []
    for pid in found:
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if f"UI_TEST_RUN={data_dir}".encode() in f.read().split(b"\0"):
                    mine.append(int(pid))
        except OSError:
            continue  # already gone
    return mine


def approval_button(app, message, label):
    """The response button `label` of the approval dialog whose arguments
    carry `message` (AdwMessageDialog 1.2 names it "Allow _Once Allow Once")."""
    def asks_for(node):
        return role(node) == "dialog" and showing(node) and any(
            role(n) == "label" and f'"{message}"' in text_of(n) for n in walk(node)
        )

    dialog = app.find(f"the approval dialog for {message!r}", asks_for)
    return wait_for(
        f"button {label!r} of that dialog",
        lambda n: role(n) == "push button" and name(n).replace("_", "") in (label, f"{label} {label}") and showing(n),
        lambda: dialog,
    )


def settle():
    """Gives a dialog that answered time to be destroyed before the tree is
    walked again: GTK 4.8 can crash (g_variant_new_object_path on a NULL
    path) answering AT-SPI about a dialog in the middle of its disposal."""
    time.sleep(1.0)


def open_servers(app):
    """Main Menu → MCP Servers."""
    app.click(app.find("the main menu button", lambda n: is_button(n, "Main Menu")))
    item = app.find(
        "the MCP Servers menu item",
        lambda n: name(n) == "MCP Servers" and role(n) in ("menu item", "push button", "check menu item") and showing(n),
    )
    app.click(item)
    return app.find("the MCP Servers window", lambda n: role(n) in ("frame", "window", "dialog") and name(n) == "MCP Servers")


def press_ctrl_q():
    pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_PRESS)  # Control_L
    pyatspi.Registry.generateKeyboardEvent(24, None, pyatspi.KEY_PRESSRELEASE)  # q
    pyatspi.Registry.generateKeyboardEvent(37, None, pyatspi.KEY_RELEASE)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat")
    if not os.path.isfile(SCRIPT) or not shutil.which("node"):
        raise Failure(f"server-everything is not installed ({SCRIPT}); run .ci/run or tests/mcp/install-peers.sh")
    openai_server = fake_openai.start()
    data_dir = tempfile.mkdtemp(prefix="valechat-tools-")
    cli(binary, data_dir, "providers", "add", "--name", "Local Fake", "--base-url", f"http://127.0.0.1:{openai_server.server_address[1]}/v1")
    cli(binary, data_dir, "mcp", "add", "everything", "--env", f"UI_TEST_RUN={data_dir}", "--", "node", SCRIPT, "stdio")

    # A Claude Desktop configuration for Import to find, in the session's
    # throw-away home: server-everything again (a duplicate) and one more.
    home = os.environ.get("HOME", "")
    session = os.environ.get("VALECHAT_SESSION_DIR")
    if not session or not home.startswith(session):
        raise Failure("run this test through tests/run-in-session.sh (it writes into $HOME)")
    claude = os.path.join(home, ".config", "Claude")
    os.makedirs(claude, exist_ok=True)
    with open(os.path.join(claude, "claude_desktop_config.json"), "w") as f:
        json.dump({"mcpServers": {
            "everything": {"command": "node", "args": [SCRIPT, "stdio"]},
            "time": {"command": "uvx", "args": ["mcp-server-time"]},
            # A reference to the environment is kept unless the user agrees.
            "github": {"command": "gh-mcp", "args": ["--token", "${env:VC_UI_TOKEN}"]},
        }}, f)

    app = App(binary, data_dir)
    quit_with = None
    try:
        servers = open_servers(app)
        ready = app.find(
            "the server-everything row in state Ready",
            lambda n: role(n) == "label" and text_of(n).startswith("Ready · ") and " tools" in text_of(n) and showing(n),
            timeout=60,
        )
        print(f"servers page: {text_of(ready)!r}")
        app.find("the server's name in its row", lambda n: role(n) == "label" and text_of(n) == "everything" and showing(n))
        time.sleep(0.5)
        screenshot("servers")
        # The Add Server form and the Import page open and close.
        app.click(wait_for("the Add Server button", lambda n: is_button(n, "Add Server"), lambda: servers))
        wait_for("the Add Server title", lambda n: role(n) == "label" and text_of(n) == "Add Server", lambda: servers)
        # A new local server runs sandboxed (bwrap is installed here), with
        # the network on and a process limit (issue 13, point 13).
        for switch in ("Run in a Sandbox", "Allow Network"):
            wait_for(f"{switch} on for a new server", lambda n: role(n) == "check box" and name(n) == switch and n.getState().contains(pyatspi.STATE_CHECKED), lambda: servers)
        wait_for("a process limit of 512 for a new server", lambda n: role(n) == "spin button" and name(n) == "Processes" and n.queryValue().currentValue == 512, lambda: servers)
        time.sleep(0.6)  # let the page slide in before the screenshot
        screenshot("servers-add")
        app.click(wait_for("the Back button", lambda n: is_button(n, "Back"), lambda: servers))
        app.click(wait_for("the Import button", lambda n: is_button(n, "Import…"), lambda: servers))
        wait_for("the Import Servers title", lambda n: role(n) == "label" and text_of(n) == "Import Servers", lambda: servers)
        wait_for("the duplicate marked", lambda n: role(n) == "label" and text_of(n).startswith("Already added · node ") and "Claude Desktop · " in text_of(n), lambda: servers)
        wait_for("the new server offered", lambda n: role(n) == "label" and text_of(n).startswith("uvx mcp-server-time\nClaude Desktop · "), lambda: servers)
        wait_for("the reference kept as written", lambda n: role(n) == "label" and text_of(n).startswith("gh-mcp --token ${env:VC_UI_TOKEN}\n"), lambda: servers)
        wait_for("the offer to fill in the variable it names", lambda n: role(n) == "label" and text_of(n).startswith("These servers refer to VC_UI_TOKEN."), lambda: servers)
        time.sleep(0.6)
        screenshot("servers-import")
        app.click(wait_for("the Import button", lambda n: is_button(n, "Import"), lambda: servers))
        # Imported servers are added disabled.
        wait_for("the imported server's row", lambda n: role(n) in ("list item", "row", "list box row") and name(n) == "time" and showing(n), lambda: servers)
        wait_for("the imported server disabled", lambda n: role(n) == "check box" and name(n) == "Enable time" and not n.getState().contains(pyatspi.STATE_CHECKED), lambda: servers)
        # The server's details: its tools and its log.
        # A row takes a pointer click; the stack's slide must have ended for
        # the row to be where AT-SPI says, so the click is retried.
        row = app.find("the server's row", lambda n: role(n) in ("list item", "row", "list box row") and name(n) == "everything" and showing(n))
        for attempt in range(5):
            time.sleep(0.5)
            app.click(row)
            try:
                app.find("the echo tool in the details", lambda n: role(n) == "label" and text_of(n).startswith("Echo Tool (echo)") and showing(n), timeout=5)
                break
            except Failure:
                if attempt == 4:
                    raise
        app.find("the server's log", lambda n: role(n) == "text" and name(n) == "Log" and "valechat:" in text_of(n) and showing(n))
        time.sleep(0.5)
        screenshot("servers-details")
        # Escape on the details page goes back to the list (X gives the
        # keyboard to the window under the pointer: there is no window
        # manager).
        point_at(servers)
        press(KEY_ESCAPE)
        wait_for("the list again (Add Server) after Escape", lambda n: is_button(n, "Add Server"), lambda: servers)
        wait_for("the window titled MCP Servers again", lambda n: role(n) == "label" and text_of(n) == "MCP Servers" and showing(n), lambda: servers)
        if not server_processes(data_dir):
            raise Failure("no server-everything process runs for this app although the server is Ready")
        # Escape on the list closes the window; the app goes on.
        press(KEY_ESCAPE)
        app.wait_gone("the MCP Servers window", lambda n: role(n) in ("frame", "window", "dialog") and name(n) == "MCP Servers", timeout=10)
        if app.proc.poll() is not None:
            raise Failure(f"the app exited ({app.proc.returncode}) when Escape closed the MCP Servers window")
        app.find("the main window", lambda n: role(n) == "frame" and name(n) == "ValeChat")

        choose_model(app, "fake-small")
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry"))
        set_text(composer, "Please call echo twice")
        app.click(app.button("Send"))

        app.click(approval_button(app, "first echo", "Allow Once"))
        settle()
        app.find("the first tool row Done", lambda n: role(n) == "label" and text_of(n).startswith("Done") and showing(n))
        app.click(approval_button(app, "second echo", "Deny"))
        settle()
        app.find("the second tool row Denied", lambda n: role(n) == "label" and text_of(n) == "Denied" and showing(n))
        final = app.find("the final reply", lambda n: role(n) == "label" and text_of(n).startswith(FINAL_PREFIX))
        text = text_of(final)
        for expected in ("Echo: first echo", "denied"):
            if expected not in text:
                raise Failure(f"the final reply lacks {expected!r}: {text!r}")
        done = app.find_all(lambda n: role(n) == "label" and text_of(n).startswith("Done") and showing(n))
        denied = app.find_all(lambda n: role(n) == "label" and text_of(n) == "Denied" and showing(n))
        if len(done) != 1 or len(denied) != 1:
            raise Failure(f"expected one Done and one Denied tool row, got {len(done)} and {len(denied)}")
        # The turn reads as one block: the model's name heads it once,
        # though its tool round and its answer are two stored replies.
        headings = app.find_all(lambda n: role(n) == "label" and text_of(n) == "fake-small" and showing(n))
        replies = [h for h in headings if any(role(a) == "list" and name(a) == "GtkListView" for a in ancestors(h))]
        if len(replies) != 1:
            raise Failure(f"expected the model's name to head the turn once, it shows {len(replies)} times")
        app.button("Send")  # the reply has ended
        time.sleep(0.5)
        screenshot("tool-calls")

        # A tool that is not offered: no approval is asked, the row says so
        # and the model is told which tools exist.
        set_text(composer, "Please call a missing tool")
        app.click(app.button("Send"))
        app.find("the missing tool's row", lambda n: role(n) == "label" and text_of(n) == "No such tool" and showing(n))
        told = app.find(
            "the reply quoting what the model was told, to its end",
            lambda n: role(n) == "label" and text_of(n).startswith(FINAL_PREFIX + "No tool named") and text_of(n).endswith("by its exact name."),
        )
        for expected in ('"nobody__nothing"', "The tools offered are", '"everything__echo"'):
            if expected not in text_of(told):
                raise Failure(f"the model was not told {expected!r}: {text_of(told)!r}")
        app.button("Send")

        # Expanding a tool row above the last reply keeps the end in view
        # (issue 18, bug 1: the view must follow a row that grows).
        pane = told
        while pane is not None and role(pane) != "scroll pane":
            pane = pane.parent
        if pane is None:
            raise Failure("the reply is not in a scroll pane")
        wait_inside("the last reply", lambda: told, pane)
        app.click(app.find("the missing tool's row", lambda n: role(n) == "label" and text_of(n) == "No such tool" and showing(n)))
        app.find(
            "the expanded row's result",
            lambda n: role(n) == "label" and "nobody__nothing" in text_of(n) and not text_of(n).startswith(FINAL_PREFIX) and showing(n),
        )
        wait_inside("the last reply after the tool row expanded", lambda: told, pane)
        screenshot("tool-row-expanded")

        # Quit with Ctrl+Q (the win.quit accelerator).
        press_ctrl_q()
        try:
            app.proc.wait(20)
        except subprocess.TimeoutExpired:
            raise Failure("Ctrl+Q did not quit the app") from None
        quit_with = "Ctrl+Q"
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("tools-failure")
        raise
    finally:
        if app.proc.poll() is None:
            app.quit()

    # The process group is killed on quit; allow the kernel a moment to reap.
    try:
        wait_until("server-everything to exit", lambda: not server_processes(data_dir), timeout=5)
    except Failure:
        left = server_processes(data_dir)
        raise Failure(f"server-everything processes left after quitting with {quit_with}: {left}") from None
    print(f"quit with {quit_with}; no server-everything process left")

    history = cli(binary, data_dir, "history", "show", "1")
    if "Echo: first echo" not in history:
        raise Failure(f"history lacks the final reply:\n{history}")
    openai_server.shutdown()
    shutil.rmtree(data_dir, ignore_errors=True)
    print("ui-tools: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-tools: FAILED: {e}", file=sys.stderr)
        print("ui-tools: 0 passed, 1 failed")
        sys.exit(1)
