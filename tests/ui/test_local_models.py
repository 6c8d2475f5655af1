#!/usr/bin/python3
"""End-to-end UI test of the models on this computer (issue 16), through
AT-SPI, with tests/ui/fake_hub.py standing in for Hugging Face and the
tiny GGUF of tests/llamacpp/make_tiny_model.py:

1. First run: the welcome page offers "Use a Model on This Computer"; its
   window lists the curated models; a download shows its progress with
   the speed, pauses (Resume and the bytes kept show), resumes with an
   HTTP Range from those bytes, and once the model is in the library the
   window closes and the app leaves the welcome page.
2. Preferences → Models on This Computer: the downloaded model's row with
   its metadata; Import Model File… refuses a file that is not GGUF (a
   dialog says why, nothing is added), then imports the tiny model (copied)
   whose row shows architecture, parameters, quantization, size, context
   and memory; Remove… says the copy is deleted, and the row goes.
3. A download whose hash the hub lists wrongly is refused in words, and one
   larger than the free space before any byte is fetched; one is
   cancelled mid-way (its partial file deleted); another runs to the end: the progress bar is full and the row says it is in the
   library. `valechat models list` agrees with the window.
4. A download survives closing Preferences: started there, Preferences
   closed mid-way and opened again, the row still shows it running with
   more bytes than before, and it ends in the library (the main window's
   downloads registry runs it, not the page).
5. Quitting with a download running keeps its partial file: at the next
   start the row shows it paused with those bytes, Resume asks the hub for
   the rest with a Range from there, and it ends in the library.

Usage: tests/ui/test_local_models.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (local-models-*.png).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import fake_hub  # noqa: E402
from test_first_slice import App, Failure, ancestors, dump, name, role, screenshot, showing, text_of, wait_for, wait_until  # noqa: E402
from test_preferences import is_button, open_preferences  # noqa: E402
from test_transfer import type_path  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
FIRST = "Qwen 2.5 0.5B Instruct"  # downloaded from the first-run page
WRONG = "Qwen 3 0.6B"  # its repository lists a wrong SHA-256
LAST = "Qwen 2.5 1.5B Instruct"  # downloaded to the end in Preferences
CANCELLED = "Qwen 3 1.7B"  # served slowly, cancelled mid-way
SURVIVOR = "Gemma 2 2B Instruct"  # served slowly, Preferences closed and reopened meanwhile
QUIT = "Phi 3.5 mini Instruct"  # served slowly, the app quit meanwhile
TOO_BIG = "Llama 3.2 1B Instruct"  # its repository lists 10 PB
WINDOW_ROLES = ("frame", "window", "dialog")


def make_tiny_model(path):
    python = os.path.join(ROOT, "tests", "llamacpp", "venv", "bin", "python")
    if not os.path.exists(python):
        raise Failure(f"{python} is missing: run tests/llamacpp/install-peers.sh")
    subprocess.run([python, os.path.join(ROOT, "tests", "llamacpp", "make_tiny_model.py"), path], check=True, stdout=subprocess.DEVNULL)


def named_button(label):
    """A showing button named `label`. GTK 4.8 puts a button's own text
    before the accessible label it was given ("Download Download Qwen…"),
    so the name ends with it."""
    return lambda n: role(n) == "push button" and showing(n) and (name(n) == label or name(n).endswith(" " + label) or is_button(n, label))


def row_of(root_fn, model):
    """The row of curated model `model` (a list item)."""
    title = wait_for(f"the row of {model}", lambda n: role(n) == "label" and text_of(n) == model and showing(n), root_fn)
    row = next((a for a in ancestors(title) if role(a) == "list item"), None)
    if row is None:
        raise Failure(f"the row of {model} is not a list item")
    return row


def row_button(app, root_fn, model, label):
    """The button `label` in the row of curated model `model` (the
    buttons of every row share their names)."""
    row = row_of(root_fn, model)
    return wait_for(f"{label} of {model}", named_button(label), lambda: row)


def open_preferences_again(app):
    """Main Menu → Preferences, tried again while the menu does not open
    (the first click can land while the closed window gives the focus
    back)."""
    for _ in range(3):
        try:
            return open_preferences(app)
        except Failure:
            pass
    return open_preferences(app)


def label_with(text):
    return lambda n: role(n) == "label" and text in text_of(n) and showing(n)


def progress_value(node):
    try:
        return node.queryValue().currentValue
    except Exception:
        return -1.0


UNITS = {"bytes": 1, "byte": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}


def bytes_done(text):
    """The bytes done of a progress line ("123.4 kB of 500.1 kB · …"),
    or None when `text` is not one."""
    m = re.match(r"([\d.,]+)\s(bytes?|kB|MB|GB) of ", text.replace("\xa0", " "))
    return float(m.group(1).replace(",", "")) * UNITS[m.group(2)] if m else None


def progress_of(root_fn, model, above=-1.0):
    """The bytes done shown in the row of `model`, once it shows more
    than `above`."""
    row = row_of(root_fn, model)
    label = wait_for(f"the progress of {model} above {above} bytes", lambda n: role(n) == "label" and (bytes_done(text_of(n)) or -1.0) > above and showing(n), lambda: row)
    return bytes_done(text_of(label))


def models_list(binary, data_dir):
    out = subprocess.run([binary, "models", "list", "--format", "json"], env=dict(os.environ, VALECHAT_DATA_DIR=data_dir), check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    work = tempfile.mkdtemp(prefix="valechat-ui-local-")
    data_dir = os.path.join(work, "data")
    tiny = os.path.join(work, "tiny.gguf")
    make_tiny_model(tiny)
    with open(tiny, "rb") as f:
        body = f.read()
    corrupt = os.path.join(work, "corrupt.gguf")
    with open(corrupt, "wb") as f:
        f.write(b"this is not a GGUF file at all" * 10)
    with open(os.path.join(ROOT, "data", "local-models.json")) as f:
        curated = {m["name"]: m for m in json.load(f)["models"]}
    # 4 KiB every 20 ms: the tiny model (~500 kB) takes about 2.5 s (25 s
    # for the one cancelled).
    hub = fake_hub.start(body, wrong_hash=(curated[WRONG]["repo"],), slow=(curated[CANCELLED]["repo"], curated[SURVIVOR]["repo"], curated[QUIT]["repo"]), huge=(curated[TOO_BIG]["repo"],), chunk=4096, pace=0.02)
    os.environ["VALECHAT_HF_ENDPOINT"] = f"http://127.0.0.1:{hub.server_address[1]}"

    app = App(binary, data_dir)
    try:
        # 1. First run: a curated model, paused and resumed.
        app.find("the welcome page", lambda n: name(n) == "Welcome to ValeChat")
        time.sleep(1)  # the stack's crossfade
        screenshot("local-models-01-welcome")
        app.click(app.find("Use a Model on This Computer", named_button("Use a Model on This Computer")))
        window = app.find("the Models on This Computer window", lambda n: role(n) in WINDOW_ROLES and name(n) == "Models on This Computer")
        in_window = lambda what, pred: wait_for(what, pred, lambda: window)  # noqa: E731
        in_window("the empty library", label_with("No models yet"))
        app.click(row_button(app, lambda: window, FIRST, "Download"))
        first = row_of(lambda: window, FIRST)
        wait_for("progress with the speed", lambda n: role(n) == "label" and " of " in text_of(n) and "/s" in text_of(n) and showing(n), lambda: first)
        screenshot("local-models-02-downloading")
        app.click(row_button(app, lambda: window, FIRST, "Pause"))
        kept = wait_for("the paused download", label_with("Paused, "), lambda: first)
        screenshot("local-models-03-paused")
        paused_text = text_of(kept)
        app.click(row_button(app, lambda: window, FIRST, "Resume"))
        app.wait_gone("the Models on This Computer window", lambda n: role(n) in WINDOW_ROLES and name(n) == "Models on This Computer" and showing(n), timeout=60)
        app.find("the toast", lambda n: role(n) == "label" and text_of(n) == "Added valechat-tiny-random")
        app.find("the chat page", lambda n: role(n) == "label" and text_of(n) == "No Model Chosen" and showing(n))
        resumed = [r for r in hub.ranges if r]
        if not resumed or resumed[-1] == "bytes=0-":
            raise Failure(f"the download did not resume with a Range (paused at {paused_text!r}; ranges {hub.ranges})")
        listed = models_list(binary, data_dir)
        if len(listed) != 1 or listed[0]["origin"] != "downloaded":
            raise Failure(f"the library after the first download: {listed}")
        screenshot("local-models-04-chat")

        # 2. Preferences → Models on This Computer: import, refuse, remove.
        prefs = open_preferences_again(app)
        in_prefs = lambda what, pred, timeout=30: wait_for(what, pred, lambda: prefs, timeout)  # noqa: E731
        app.click(in_prefs("the Local Models page", lambda n: role(n) in ("toggle button", "radio button", "push button", "page tab") and name(n) == "Local Models" and showing(n)))
        in_prefs("the downloaded model's row", label_with("valechat-tiny-random"))
        app.click(in_prefs("Import Model File…", named_button("Import Model File…")))
        app.find("the file chooser", lambda n: name(n) == "Import Model File")
        type_path(corrupt)
        heading = app.find("the refusal's heading", lambda n: role(n) == "label" and text_of(n) == "Cannot Import “corrupt.gguf”" and showing(n))
        app.find("the refusal's reason", label_with("It is not a GGUF model ValeChat can read: "))
        screenshot("local-models-05-refused")
        # The dialog's Close, not the main window's.
        dialog = next(a for a in ancestors(heading) if role(a) in WINDOW_ROLES)
        app.click(wait_for("the dialog's Close", named_button("Close"), lambda: dialog))
        if len(models_list(binary, data_dir)) != 1:
            raise Failure("a corrupt file was added to the library")
        app.click(in_prefs("Import Model File…", named_button("Import Model File…")))
        app.find("the file chooser", lambda n: name(n) == "Import Model File")
        type_path(tiny)
        app.find("the toast", lambda n: role(n) == "label" and text_of(n) == "Added valechat-tiny-random")
        wait_until("two models in the library", lambda: len(models_list(binary, data_dir)) == 2)
        details = in_prefs("the imported model's details", lambda n: role(n) == "label" and text_of(n).startswith("llama · ") and "parameters" in text_of(n) and "on disk" in text_of(n) and "tokens of context" in text_of(n) and "of memory" in text_of(n) and "tiny.gguf · copied into ValeChat's models folder" in text_of(n) and showing(n))
        print(f"row details: {text_of(details)!r}")
        screenshot("local-models-06-library")
        copied = next(m for m in models_list(binary, data_dir) if m["origin"] == "copied")
        # A GtkMenuButton is a button holding a toggle button of its name:
        # the outer ones.
        menus = [n for n in app.find_all(lambda n: role(n) in ("toggle button", "push button") and name(n) == "Menu of valechat-tiny-random" and showing(n)) if name(n.parent) != name(n)]
        if len(menus) != 2:
            raise Failure(f"expected two rows' menus, found {len(menus)}")
        # The rows follow the library's order: the import is the second.
        app.click(menus[1])
        time.sleep(0.3)
        app.click(app.find("Remove…", lambda n: role(n) == "menu item" and name(n) == "Remove…" and showing(n)))
        app.find("the confirmation", label_with("Its file is deleted: " + copied["path"]))
        screenshot("local-models-07-remove")
        app.click(app.button("Remove"))
        wait_until("the copy removed", lambda: len(models_list(binary, data_dir)) == 1 and not os.path.exists(copied["path"]))
        app.find("the toast", lambda n: role(n) == "label" and text_of(n) == "Removed valechat-tiny-random")
        if not os.path.exists(tiny):
            raise Failure("removing the copy deleted the original")

        # 3. A wrong hash refused; a download to the end.
        in_prefs("the first download, in the library", lambda n: role(n) == "label" and text_of(n) == "In the library" and showing(n) and any(a == row_of(lambda: prefs, FIRST) for a in ancestors(n)))
        app.click(row_button(app, lambda: prefs, WRONG, "Download"))
        wrong = row_of(lambda: prefs, WRONG)
        wait_for("the wrong hash", label_with("does not match the SHA-256"), lambda: wrong, 60)
        app.click(row_button(app, lambda: prefs, TOO_BIG, "Download"))
        too_big = row_of(lambda: prefs, TOO_BIG)
        wait_for("the free-space refusal", label_with("Not enough free space: the download needs 10.0\xa0PB"), lambda: too_big)
        # Cancel: the row offers Download again and the partial file is gone.
        app.click(row_button(app, lambda: prefs, CANCELLED, "Download"))
        cancelled = row_of(lambda: prefs, CANCELLED)
        wait_for("the cancelled download's progress", lambda n: role(n) == "label" and " of " in text_of(n) and showing(n), lambda: cancelled)
        app.click(row_button(app, lambda: prefs, CANCELLED, "Cancel"))
        wait_for("Download again", named_button("Download"), lambda: cancelled)
        part = os.path.join(data_dir, "models", curated[CANCELLED]["file"] + ".part")
        wait_until("the partial file deleted", lambda: not os.path.exists(part))

        app.click(row_button(app, lambda: prefs, LAST, "Download"))
        last = row_of(lambda: prefs, LAST)
        wait_for("the finished download", label_with("Downloaded: in the library"), lambda: last, 60)
        bar = wait_for("its progress bar", lambda n: role(n) == "progress bar" and showing(n), lambda: last)
        if progress_value(bar) < 1.0:
            raise Failure(f"the progress bar stopped at {progress_value(bar)}")
        screenshot("local-models-08-downloaded")
        origins = sorted(m["origin"] for m in models_list(binary, data_dir))
        if origins != ["downloaded", "downloaded"]:
            raise Failure(f"the library at the end of part 3: {origins}")

        # 4. Preferences closed and opened again during a download.
        app.click(row_button(app, lambda: prefs, SURVIVOR, "Download"))
        before = progress_of(lambda: prefs, SURVIVOR, above=0.0)
        app.click(wait_for("the Preferences' Close", lambda n: role(n) == "push button" and name(n) == "Close" and showing(n), lambda: prefs))
        app.wait_gone("the Preferences window", lambda n: role(n) in WINDOW_ROLES and name(n) == "Preferences" and showing(n))
        time.sleep(2)
        prefs = open_preferences_again(app)
        app.click(in_prefs("the Local Models page", lambda n: role(n) in ("toggle button", "radio button", "push button", "page tab") and name(n) == "Local Models" and showing(n)))
        after = progress_of(lambda: prefs, SURVIVOR)
        row_button(app, lambda: prefs, SURVIVOR, "Pause")
        print(f"bytes shown before closing Preferences: {before:.0f}, after reopening: {after:.0f}")
        if after <= before:
            raise Failure(f"the reopened row shows {after} bytes, not more than {before} before closing")
        screenshot("local-models-09-reopened")
        survivor = row_of(lambda: prefs, SURVIVOR)
        wait_for("the download that outlived Preferences, finished", label_with("Downloaded: in the library"), lambda: survivor, 90)
        origins = sorted(m["origin"] for m in models_list(binary, data_dir))
        if origins != ["downloaded"] * 3:
            raise Failure(f"the library at the end of part 4: {origins}")

        # 5. The app quit during a download, started again, resumed.
        app.click(row_button(app, lambda: prefs, QUIT, "Download"))
        progress_of(lambda: prefs, QUIT, above=0.0)
        app.quit()
        part = os.path.join(data_dir, "models", curated[QUIT]["file"] + ".part")
        kept = os.path.getsize(part) if os.path.exists(part) else 0
        if kept == 0:
            raise Failure("quitting during a download kept no partial file")
        app = App(binary, data_dir)
        prefs = open_preferences_again(app)
        app.click(in_prefs("the Local Models page", lambda n: role(n) in ("toggle button", "radio button", "push button", "page tab") and name(n) == "Local Models" and showing(n)))
        wait_for("the download paused by quitting", label_with("Paused, "), lambda: row_of(lambda: prefs, QUIT))
        app.click(row_button(app, lambda: prefs, QUIT, "Resume"))
        wait_for("the resumed download, finished", label_with("Downloaded: in the library"), lambda: row_of(lambda: prefs, QUIT), 90)
        if hub.ranges[-1] != f"bytes={kept}-":
            raise Failure(f"the resumed download asked for {hub.ranges[-1]!r}, not the {kept} bytes kept on")
        print(f"bytes kept by quitting: {kept}, resumed with {hub.ranges[-1]}")
        origins = sorted(m["origin"] for m in models_list(binary, data_dir))
        if origins != ["downloaded"] * 4:
            raise Failure(f"the library at the end: {origins}")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(work, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {work}/a11y-tree.txt", file=sys.stderr)
        screenshot("local-models-failure")
        raise
    finally:
        app.quit()
        hub.shutdown()
    shutil.rmtree(work, ignore_errors=True)
    print("ui-local-models: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-local-models: FAILED: {e}", file=sys.stderr)
        print("ui-local-models: 0 passed, 1 failed")
        sys.exit(1)
