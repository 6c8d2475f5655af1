#!/usr/bin/python3
"""UI test of the acceleration info on Preferences → Local Models (issue
16, point 4), through AT-SPI: after a reply from the tiny GGUF of
tests/llamacpp/make_tiny_model.py has loaded it in the window's runner,
the page's "This Computer" group shows the processor row naming the CPU
back end ggml chose (`cpu-…`, the same as `valechat models info
--hardware` reports), the threads row with the same number (> 0), the
graphics row, and the loaded model's row with the layers it offloads.

Usage: tests/ui/test_local_hardware.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (local-hardware-*.png).
A binary built without the cargo feature local-models has no runner: the
test is then skipped (exit 77, meson's SKIP).
"""

import json
import os
import re
import shutil
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
from test_first_slice import App, choose_model, Failure, ancestors, dump, name, role, screenshot, showing, text_of, wait_for  # noqa: E402
from test_local_loaded import cli, has_local_models, import_tiny_model, send  # noqa: E402
from test_local_models import open_preferences_again  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def row_subtitle(root_fn, title, pattern):
    """The subtitle of the showing row titled `title`, once it matches
    `pattern` (a regular expression); returns the match."""
    found = {}

    def matches(n):
        if role(n) != "label" or not showing(n) or text_of(n) == title:
            return False
        m = re.search(pattern, text_of(n))
        if not m:
            return False
        row = next((a for a in ancestors(n) if role(a) == "list item"), None)
        if row is None:
            return False
        titles = [c for c in walk_labels(row) if text_of(c) == title]
        if titles:
            found["match"] = m
        return bool(titles)

    wait_for(f"the row {title!r} showing {pattern!r}", matches, root_fn, timeout=60)
    return found["match"]


def walk_labels(node):
    for i in range(node.childCount):
        child = node.getChildAtIndex(i)
        if child is None:
            continue
        if role(child) == "label":
            yield child
        yield from walk_labels(child)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat"))
    if not has_local_models(binary):
        print("ui-local-hardware: skipped: this valechat was built without the cargo feature local-models")
        sys.exit(77)
    work = tempfile.mkdtemp(prefix="valechat-ui-hardware-")
    data_dir = os.path.join(work, "data")
    model_id, model_name, _ = import_tiny_model(binary, work, data_dir)
    hardware = json.loads(cli(binary, data_dir, "models", "info", "--hardware", "--format", "json").stdout)
    print(f"models info --hardware: {hardware}")

    app = App(binary, data_dir)
    try:
        app.click(app.find("the model picker button", lambda n: role(n) in ("push button", "toggle button") and "Choose a Model" in name(n)))
        choose_model(app, (model_name, model_id))
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry"))
        send(app, composer, "Hello world!", binary, data_dir)

        prefs = open_preferences_again(app)
        app.click(wait_for("the Local Models page", lambda n: role(n) in ("toggle button", "radio button", "push button", "page tab") and name(n) == "Local Models" and showing(n), lambda: prefs))
        in_prefs = lambda: prefs  # noqa: E731
        wait_for("the group This Computer", lambda n: role(n) == "label" and text_of(n) == "This Computer" and showing(n), in_prefs)
        backend = row_subtitle(in_prefs, "Processor", r"Back end in use: (cpu-[\w.-]+)").group(1)
        if backend != hardware.get("cpu_backend"):
            raise Failure(f"the window names the CPU back end {backend!r}, models info --hardware {hardware.get('cpu_backend')!r}")
        threads = int(row_subtitle(in_prefs, "Threads", r"^(\d+) threads? generates? replies").group(1))
        if threads <= 0 or threads != hardware["threads"]:
            raise Failure(f"the window shows {threads} threads, models info --hardware {hardware['threads']}")
        graphics = row_subtitle(in_prefs, "Graphics", r".+").group(0)
        layers = row_subtitle(in_prefs, model_name, r"^Loaded: (\d+) layers? offloaded to the GPU").group(1)
        print(f"processor back end {backend}, {threads} threads, graphics {graphics!r}, {model_name}: {layers} GPU layers")
        # Bring the group into view for the screenshot: scroll the page to
        # its end with the wheel (X button 5) over the Preferences window.
        ext = prefs.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        for _ in range(40):
            pyatspi.Registry.generateMouseEvent(ext.x + ext.width // 2, ext.y + ext.height // 2, "b5c")
            time.sleep(0.05)
        time.sleep(1)
        screenshot("local-hardware-01-this-computer")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(work, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {work}/a11y-tree.txt", file=sys.stderr)
        screenshot("local-hardware-failure")
        raise
    finally:
        app.quit()
    shutil.rmtree(work, ignore_errors=True)
    print("ui-local-hardware: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-local-hardware: FAILED: {e}", file=sys.stderr)
        print("ui-local-hardware: 0 passed, 1 failed")
        sys.exit(1)
