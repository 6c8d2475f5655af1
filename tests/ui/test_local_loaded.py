#!/usr/bin/python3
"""UI test of the window's loaded models as the CLI sees them (issue 16):
a conversation with the tiny GGUF of tests/llamacpp/make_tiny_model.py
("On this computer") loads it in the window's runner; then, while the
window runs, `valechat models loaded` lists it (over the window's D-Bus
object io.github.valechat.ValeChat.LocalModels), `valechat models unload`
unloads it (listed no more; a second unload is refused as not loaded), and
the next message loads it again (what is checked is the load: its reply
may not fit the tiny model's 256-token context after the first one).

Usage: tests/ui/test_local_loaded.py [path/to/valechat]
A binary built without the cargo feature local-models has no "On this
computer": the test is then skipped (exit 77, meson's SKIP).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from test_first_slice import App, choose_model, Failure, dump, name, role, screenshot, set_text, text_of, wait_until  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def cli(binary, data_dir, *args, check=True):
    result = subprocess.run([binary, *args], env=dict(os.environ, VALECHAT_DATA_DIR=data_dir, RUST_LOG="off"), capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise Failure(f"valechat {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def loaded(binary, data_dir):
    return json.loads(cli(binary, data_dir, "models", "loaded", "--format", "json").stdout)


def send(app, composer, text, binary, data_dir):
    """Sends `text`; returns once the reply loaded the model and ended."""
    set_text(composer, text)
    app.click(app.button("Send"))
    wait_until("the model loaded by the reply", lambda: loaded(binary, data_dir) != [], timeout=120)
    app.button("Send", timeout=120)  # the reply ended: Send is back


def has_local_models(binary):
    """Whether `binary` runs models on this computer: its `local-runner`
    greets with the protocol's hello line."""
    runner = subprocess.run([binary, "local-runner"], input="", capture_output=True, text=True, timeout=60)
    return runner.stdout.startswith('{"hello"')


def import_tiny_model(binary, work, data_dir):
    """Writes the tiny ChatML GGUF into `work`, imports it by reference into
    the library of `data_dir` with the CLI; its (model id, name, file path)."""
    tiny = os.path.join(work, "tiny-chat.gguf")
    python = os.path.join(ROOT, "tests", "llamacpp", "venv", "bin", "python")
    if not os.path.exists(python):
        raise Failure(f"{python} is missing: run tests/llamacpp/install-peers.sh")
    subprocess.run([python, os.path.join(ROOT, "tests", "llamacpp", "make_tiny_model.py"), "--chat-template", "chatml", tiny], check=True, stdout=subprocess.DEVNULL)
    cli(binary, data_dir, "models", "import", "--reference", tiny)
    library = json.loads(cli(binary, data_dir, "models", "list", "--format", "json").stdout)
    return str(library[0]["id"]), library[0]["name"], tiny


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat"))
    if not has_local_models(binary):
        print("ui-local-loaded: skipped: this valechat was built without the cargo feature local-models")
        sys.exit(77)
    work = tempfile.mkdtemp(prefix="valechat-ui-loaded-")
    data_dir = os.path.join(work, "data")
    model_id, model_name, tiny = import_tiny_model(binary, work, data_dir)

    app = App(binary, data_dir)
    try:
        app.click(app.find("the model picker button", lambda n: role(n) in ("push button", "toggle button") and "Choose a Model" in name(n)))
        choose_model(app, (model_name, model_id))
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry"))
        send(app, composer, "Hello world!", binary, data_dir)

        listed = loaded(binary, data_dir)
        if [m["id"] for m in listed] != [model_id]:
            raise Failure(f"models loaded after a reply: {listed}")
        model = listed[0]
        if not (model["memory_bytes"] > model["weights_bytes"] > 0 and model["context_length"] > 0 and model["last_used"]):
            raise Failure(f"the loaded model's figures: {model}")
        table = cli(binary, data_dir, "models", "loaded").stdout
        if not table.startswith("ID") or tiny not in table:
            raise Failure(f"the table of loaded models: {table!r}")
        print(f"models loaded:\n{table}")
        screenshot("local-loaded-01-replied")

        cli(binary, data_dir, "models", "unload", model_id)
        wait_until("the model unloaded", lambda: loaded(binary, data_dir) == [])
        again = cli(binary, data_dir, "models", "unload", model_id, check=False)
        if again.returncode == 0 or f"model {model_id} is not loaded" not in again.stderr:
            raise Failure(f"a second unload: {again.returncode} {again.stderr!r}")

        # The next message loads it again.
        send(app, composer, "And again", binary, data_dir)
        if [m["id"] for m in loaded(binary, data_dir)] != [model_id]:
            raise Failure("the model was not loaded again by the next reply")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(work, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {work}/a11y-tree.txt", file=sys.stderr)
        screenshot("local-loaded-failure")
        raise
    finally:
        app.quit()
    shutil.rmtree(work, ignore_errors=True)
    print("ui-local-loaded: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-local-loaded: FAILED: {e}", file=sys.stderr)
        print("ui-local-loaded: 0 passed, 1 failed")
        sys.exit(1)
