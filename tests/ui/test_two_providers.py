#!/usr/bin/python3
"""End-to-end: one conversation, two providers speaking two protocols.

An OpenAI-compatible provider (tests/ui/fake_openai.py, no key) and an
Anthropic provider (tests/ui/fake_anthropic.py, whose key the CLI stores in
the session's real gnome-keyring) are configured with `valechat providers
add`. The window's model picker then lists both servers' models; the test
asks the OpenAI model, switches the same conversation to the Anthropic
model, asks again, and reads both replies; `valechat history show` confirms
both are stored with their models.

Usage: tests/ui/test_two_providers.py [path/to/valechat]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import fake_anthropic  # noqa: E402
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, set_text, showing, text_of  # noqa: E402


def cli(binary, data_dir, *args, env=None):
    result = subprocess.run(
        [binary, *args],
        env=dict(os.environ, VALECHAT_DATA_DIR=data_dir, RUST_LOG="off", **(env or {})),
        capture_output=True,
        text=True,
        timeout=30,
    )
    if result.returncode != 0:
        raise Failure(f"valechat {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def choose_model(app, model_label):
    """Opens the model picker and clicks the row of `model_label`. A row
    has no accessible action in GTK 4.8, so the click is a pointer click
    at its centre: made once the popover has settled (its opening
    transition moves the rows), and made again while the picker's button
    does not name the model yet."""
    picker = lambda n: role(n) in ("push button", "toggle button") and ("Choose a Model" in name(n) or name(n) in ("fake-small", "Claude Fake", "claude-fake-1"))  # noqa: E731
    is_row = lambda n: role(n) in ("list item", "row", "list box row") and name(n) == model_label and showing(n)  # noqa: E731
    app.click(app.find("the model picker button", picker))
    chosen = lambda: any(role(n) in ("push button", "toggle button") and name(n) == model_label and showing(n) for n in app.find_all(lambda n: role(n) in ("push button", "toggle button")))  # noqa: E731
    for attempt in range(3):
        if attempt and not app.find_all(is_row):
            app.click(app.find("the model picker button", picker))  # a missed click closed it
        row = app.find(f"model {model_label!r} in the picker", is_row)
        time.sleep(0.5)
        app.click(row)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not chosen():
            time.sleep(0.2)
        if chosen():
            return
    raise Failure(f"the picker's button does not name {model_label!r} after three clicks on its row")


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat")
    openai_server = fake_openai.start()
    anthropic_server = fake_anthropic.start()
    data_dir = tempfile.mkdtemp(prefix="valechat-two-")
    cli(binary, data_dir, "providers", "add", "--name", "Local Fake", "--base-url", f"http://127.0.0.1:{openai_server.server_address[1]}/v1")
    cli(
        binary, data_dir, "providers", "add", "--preset", "anthropic",
        "--base-url", f"http://127.0.0.1:{anthropic_server.server_address[1]}/v1",
        "--api-key-env", "FAKE_ANTHROPIC_KEY",
        env={"FAKE_ANTHROPIC_KEY": fake_anthropic.KEY},
    )
    listing = cli(binary, data_dir, "providers", "list")
    if "anthropic\tAnthropic\tanthropic" not in listing or "key in keyring" not in listing:
        raise Failure(f"unexpected provider list:\n{listing}")

    app = App(binary, data_dir)
    try:
        choose_model(app, "fake-small")
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry"))
        set_text(composer, "First question for OpenAI")
        app.click(app.button("Send"))
        app.find("the OpenAI-compatible reply", lambda n: role(n) == "label" and text_of(n) == "That is all.")
        app.button("Send")

        choose_model(app, "Claude Fake")
        set_text(composer, "Second question for Claude")
        app.click(app.button("Send"))
        app.find("the Anthropic reply", lambda n: role(n) == "label" and text_of(n) == "Claude here. You asked: Second question for Claude")
        app.button("Send")
        screenshot("two-providers")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("two-providers-failure")
        raise
    finally:
        app.quit()

    history = cli(binary, data_dir, "history", "show", "1")
    for expected in ("## assistant (fake-small)", "## assistant (claude-fake-1)", "Claude here. You asked: Second question for Claude"):
        if expected not in history:
            raise Failure(f"history lacks {expected!r}:\n{history}")
    openai_server.shutdown()
    anthropic_server.shutdown()
    shutil.rmtree(data_dir, ignore_errors=True)
    print("ui-two-providers: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-two-providers: FAILED: {e}", file=sys.stderr)
        print("ui-two-providers: 0 passed, 1 failed")
        sys.exit(1)
