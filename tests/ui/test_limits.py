#!/usr/bin/python3
"""End-to-end UI test of a hard spending limit, through AT-SPI.

Runs the real app against tests/ui/fake_openai.py (under the session that
tests/run-in-session.sh provides), reusing test_first_slice.py's helpers:

1. first run: a provider for the fake server is added, a model chosen, and
   one message sent and answered (free: the server is local);
2. the model gets a price (USD 10 / 30 per 1M tokens, written as the
   user's own price) and a hard daily limit of $0.01 is set with
   `valechat limits set`;
3. the next message is refused before anything is sent: the "Spending
   Limit Reached" dialog names the daily limit, its amount and what is
   left; Cancel gives the text back to the composer;
4. sending again and choosing "Send Anyway" sends it once: the reply
   arrives and the message's cost line shows under it.

Usage: tests/ui/test_limits.py [path/to/valechat]
"""

import os
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, add_fake_provider, dump, name, role, screenshot, set_text, showing, text_of, wait_for  # noqa: E402

PROMPT = "Tell me something expensive"


def set_price(db_path, provider, model):
    with sqlite3.connect(db_path, timeout=10) as db:
        db.execute(
            "INSERT INTO model_prices (provider, model, effective_from, input, output, origin, created_at)"
            " VALUES (?, ?, 0, '0.00001', '0.00003', 'user', 0)",
            (provider, model),
        )


def dialog_button(dialog, label):
    """An AdwMessageDialog response button (GTK 4.8 names it "Label Label")."""
    return wait_for(
        f"the {label!r} button",
        lambda n: role(n) == "push button" and name(n) in (label, f"{label} {label}") and showing(n),
        lambda: dialog,
    )


def wait_text(what, node, expected):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if text_of(node) == expected:
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: {text_of(node)!r} != {expected!r}")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-limits-")

    app = App(binary, data_dir)
    try:
        add_fake_provider(app, base_url)
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry") and showing(n))
        set_text(composer, "Hello")
        app.click(app.button("Send"))
        app.find("the reply's last paragraph", lambda n: role(n) == "label" and text_of(n) == "That is all.")
        app.find("the free reply's cost line", lambda n: role(n) == "label" and text_of(n).endswith("· free") and showing(n))

        env = dict(os.environ, VALECHAT_DATA_DIR=data_dir, RUST_LOG="off")
        set_price(os.path.join(data_dir, "valechat.db"), "fake-server", "fake-small")
        subprocess.run([binary, "limits", "set", "--scope", "global-day", "--amount", "0.01"], env=env, check=True, timeout=30)

        set_text(composer, PROMPT)
        app.click(app.button("Send"))
        is_dialog = lambda n: role(n) in ("dialog", "alert", "frame", "window") and name(n) == "Spending Limit Reached"  # noqa: E731
        dialog = app.find("the Spending Limit Reached dialog", is_dialog)
        body = wait_for(
            "the refusal's explanation",
            lambda n: role(n) == "label" and "the daily spending limit" in text_of(n),
            lambda: dialog,
        )
        explanation = text_of(body)
        for part in ("$0.01", "left", "spent", "send once anyway"):
            assert part in explanation, (part, explanation)
        print(f"ui-limits: refused: {explanation}")
        screenshot("limit-refused")
        app.click(dialog_button(dialog, "Cancel"))
        app.wait_gone("the dialog", is_dialog)
        wait_text("the draft back in the composer", composer, PROMPT)

        app.click(app.button("Send"))
        dialog = app.find("the dialog again", is_dialog)
        app.click(dialog_button(dialog, "Send Anyway"))
        app.find("the reply to the message sent anyway", lambda n: role(n) == "label" and text_of(n) == "That is all." and showing(n))
        app.find("its cost line", lambda n: role(n) == "label" and "$" in text_of(n) and "token" in text_of(n) and showing(n))
        screenshot("limit-sent-anyway")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("limits-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    print("ui-limits: ok")


if __name__ == "__main__":
    main()
