#!/usr/bin/python3
"""Takes the screenshots of the AppStream metainfo and the README.

Fills a database through the CLI (three conversations answered by
tests/ui/fake_openai.py), starts the app under tests/run-in-session.sh and
captures the window with ImageMagick's `import`:

  main.png    a conversation, light style
  dark.png    the same, dark style
  search.png  the sidebar search (Ctrl+F) finding a word inside a message

Usage (the schema must be compiled, as meson does in build/data):
  GSETTINGS_SCHEMA_DIR=build/data tests/run-in-session.sh \\
      tests/ui/take_screenshots.py build/src/valechat data/screenshots
"""

import os
import subprocess
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, name, role, showing, wait_until  # noqa: E402
from test_shortcuts import CONTROL, KEY_F, main_frame, point_at, press, wait_selected  # noqa: E402

WIDTH, HEIGHT = 960, 720
PROMPTS = ("Sourdough starter tips", "Explain Rust lifetimes", "Plan a week in Iceland\nWith time for the glaciers")
OPEN = "Plan a week in Iceland"


def capture(path):
    subprocess.run(["import", "-window", "root", "-crop", f"{WIDTH}x{HEIGHT}+0+0", "+repage", path], check=True)


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat")
    out = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "data/screenshots")
    if not os.environ.get("GSETTINGS_SCHEMA_DIR"):
        raise Failure("set GSETTINGS_SCHEMA_DIR to the compiled schema (build/data)")
    os.makedirs(out, exist_ok=True)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-shots-")
    config_dir = tempfile.mkdtemp(prefix="valechat-shots-config-")
    os.environ.update(GSETTINGS_BACKEND="keyfile", XDG_CONFIG_HOME=config_dir)
    env = dict(os.environ, VALECHAT_DATA_DIR=data_dir)
    subprocess.run([binary, "providers", "add", "--name", "Local Server", "--base-url", base_url], env=env, check=True)
    for prompt in PROMPTS:
        subprocess.run([binary, "chat", "--provider", "local-server", "--model", "fake-small", prompt],
                       env=env, check=True, stdout=subprocess.DEVNULL)
    settings = os.path.join(config_dir, "glib-2.0", "settings")
    os.makedirs(settings, exist_ok=True)

    for style, shot in (("light", "main"), ("dark", "dark")):
        with open(os.path.join(settings, "keyfile"), "w") as f:
            # Release and development (.Devel) builds keep their settings apart.
            for path in ("io/github/valechat/ValeChat", "io/github/valechat/ValeChat/Devel"):
                f.write(f"[{path}]\ncolor-scheme='{style}'\nwindow-width={WIDTH}\nwindow-height={HEIGHT}\n")
        app = App(binary, data_dir)
        try:
            frame = main_frame(app)
            point_at(frame)
            # The newest conversation is first: Ctrl+PgDn opens it.
            press(CONTROL, 117)
            wait_selected(app, OPEN)
            time.sleep(1)
            capture(os.path.join(out, f"{shot}.png"))
            if shot == "main":
                press(CONTROL, KEY_F)
                entry = app.find("the search entry", lambda n: name(n) == "Search conversations" and role(n) in ("text", "entry") and showing(n))
                wait_until("the search entry to have the focus", lambda: entry.getState().contains(pyatspi.STATE_FOCUSED))
                pyatspi.Registry.generateKeyboardEvent(0, "glaciers", pyatspi.KEY_STRING)
                time.sleep(1.5)
                capture(os.path.join(out, "search.png"))
        finally:
            app.quit()
    server.shutdown()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
