#!/usr/bin/python3
"""End-to-end UI test of chatting with a model on this computer (issue 16):
no account, no key, no server. Through AT-SPI, with the tiny GGUF of
tests/llamacpp/make_tiny_model.py (random weights, a ChatML template and a
long context, so a reply runs long enough to be stopped):

1. First run: "Use a Model on This Computer" → Import Model File… in its
   window; the model goes into the library, the window closes and the
   model picker opens with the model under "On this computer"; choosing it
   names it on the picker's button.
2. A question sent: the reply streams from llama.cpp inside ValeChat
   (`valechat local-runner`), Stop ends it at once, and the partial reply
   stays with the stopped note; Send is back.
3. The stored conversation and its usage agree: `valechat history show`
   has the question and the stopped reply, and `valechat usage` counts
   the request against the local model with exact input tokens and no
   cost.

Usage: tests/ui/test_local_chat.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (local-chat-*.png).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from test_first_slice import STOPPED_NOTE, App, Failure, dump, name, role, screenshot, set_text, showing, text_of  # noqa: E402
from test_local_models import ROOT, WINDOW_ROLES, named_button  # noqa: E402
from test_transfer import type_path  # noqa: E402

MODEL = "valechat-tiny-random"  # the name in the tiny model's GGUF header
PROMPT = "Tell me a long story about the sea"


def cli_json(binary, data_dir, *args):
    env = dict(os.environ, VALECHAT_DATA_DIR=data_dir)
    out = subprocess.run([binary, *args], env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def cli_text(binary, data_dir, *args):
    env = dict(os.environ, VALECHAT_DATA_DIR=data_dir)
    return subprocess.run([binary, *args], env=env, check=True, capture_output=True, text=True).stdout


def make_tiny_model(path, *args):
    python = os.path.join(ROOT, "tests", "llamacpp", "venv", "bin", "python")
    if not os.path.exists(python):
        raise Failure(f"{python} is missing: run tests/llamacpp/install-peers.sh")
    subprocess.run([python, os.path.join(ROOT, "tests", "llamacpp", "make_tiny_model.py"), *args, path], check=True, stdout=subprocess.DEVNULL)


def picker_row(n):
    return name(n) == MODEL and role(n) in ("list item", "row", "list box row") and showing(n)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    work = tempfile.mkdtemp(prefix="valechat-ui-local-chat-")
    data_dir = os.path.join(work, "data")
    tiny = os.path.join(work, "tiny.gguf")
    # 32,768 tokens of context: with no output limit the random model
    # writes until the context is full, many seconds on any machine.
    make_tiny_model(tiny, "--chat-template", "chatml", "--context", "32768")

    app = App(binary, data_dir)
    try:
        # 1. Import the file from the first-run page, choose it in the picker.
        app.find("the welcome page", lambda n: name(n) == "Welcome to ValeChat")
        time.sleep(1)  # the stack's crossfade
        app.click(app.find("Use a Model on This Computer", named_button("Use a Model on This Computer")))
        app.find("the Models on This Computer window", lambda n: role(n) in WINDOW_ROLES and name(n) == "Models on This Computer")
        app.click(app.find("Import Model File…", named_button("Import Model File…")))
        app.find("the file chooser", lambda n: name(n) == "Import Model File")
        type_path(tiny)
        app.wait_gone("the Models on This Computer window", lambda n: role(n) in WINDOW_ROLES and name(n) == "Models on This Computer" and showing(n), timeout=60)
        app.find("the local model's group in the picker", lambda n: role(n) == "label" and text_of(n) == "On this computer" and showing(n))
        screenshot("local-chat-01-picker")
        app.click(app.find(f"{MODEL} in the picker", picker_row))
        app.button(MODEL)  # the picker's button now names the model

        # 2. A reply from llama.cpp, stopped in its middle.
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry") and showing(n))
        set_text(composer, PROMPT)
        app.click(app.button("Send"))
        stop = app.button("Stop")
        time.sleep(2)  # let some of the reply stream in
        screenshot("local-chat-02-streaming")
        app.click(stop)
        stopped = time.monotonic()
        # Only a stopped reply gets this note: one that ran to its end (the
        # context of 32,768 tokens full, many seconds later) would not.
        app.find("the stopped note", lambda n: role(n) == "label" and text_of(n) == STOPPED_NOTE)
        app.button("Send")
        print(f"ui: Send back {time.monotonic() - stopped:.2f} s after Stop")
        screenshot("local-chat-03-stopped")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(work, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {work}/a11y-tree.txt", file=sys.stderr)
        screenshot("local-chat-failure")
        raise
    finally:
        app.quit()

    # 3. What was stored and counted.
    listed = [line for line in cli_text(binary, data_dir, "history", "list").splitlines() if line.strip()]
    ids = [line.split()[0] for line in listed if line.split()[0].isdigit()]
    if len(ids) != 1:
        raise Failure(f"expected one conversation, got {listed}")
    shown = cli_text(binary, data_dir, "history", "show", ids[0])
    if PROMPT not in shown:
        raise Failure(f"the question is not stored: {shown!r}")
    # "## assistant (MODEL) [incomplete]" then the partial reply.
    parts = shown.split("## assistant (")
    if len(parts) != 2 or "[incomplete]" not in parts[1].splitlines()[0]:
        raise Failure(f"no stopped reply stored: {shown!r}")
    reply = "\n".join(parts[1].splitlines()[1:]).strip()
    if not reply:
        raise Failure(f"the stopped reply kept no text: {shown!r}")
    print(f"ui: the stopped reply kept {len(reply)} characters: {reply[:60]!r}")
    usage = cli_json(binary, data_dir, "usage", "--by", "model", "--format", "json")
    print(f"usage: {usage}")
    local = [g for g in usage["groups"] if g["key"].startswith("local/")]
    if len(local) != 1:
        raise Failure(f"no usage of the local model: {usage}")
    totals = local[0]["totals"]
    if totals["cost_usd"] != "0" or totals["requests"] != 1:
        raise Failure(f"a local reply is not one free request: {totals}")
    if totals["tokens"]["input"] <= 0 or totals["tokens"]["output"] <= 0:
        raise Failure(f"the stopped reply's tokens are not counted: {totals}")
    print("ui-local-chat: passed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-local-chat: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
