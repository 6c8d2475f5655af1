#!/usr/bin/python3
"""End-to-end UI test of Preferences → Providers → Download Model… for an
Ollama provider, through AT-SPI, against tests/ui/fake_ollama.py:

1. an Ollama provider is added with the CLI, then the app starts;
2. Preferences shows its row with "Download Model…";
3. a name the server does not know fails in the dialog with the server's message;
4. "tiny" downloads: a progress bar and the server's status with bytes show,
   the dialog closes, a toast says so and the row counts one model.

Usage: tests/ui/test_ollama_pull.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (pull-*.png).
"""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import fake_ollama  # noqa: E402
from test_first_slice import App, Failure, dump, name, role, screenshot, set_text, showing, text_of, wait_for  # noqa: E402
from test_preferences import is_button, open_preferences  # noqa: E402


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_ollama.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-pull-")
    env = dict(os.environ, VALECHAT_DATA_DIR=data_dir)
    subprocess.run([binary, "providers", "add", "--preset", "ollama", "--base-url", base_url], env=env, check=True, stdout=subprocess.DEVNULL)

    app = App(binary, data_dir)
    try:
        prefs = open_preferences(app)
        in_prefs = lambda what, pred: wait_for(what, pred, lambda: prefs)  # noqa: E731
        row = in_prefs("the Ollama row", lambda n: role(n) == "list item" and name(n) == "Ollama")
        app.click(row)  # expand it
        app.click(in_prefs("Download Model…", lambda n: is_button(n, "Download Model…")))

        dialog = app.find("the Download Model window", lambda n: role(n) in ("frame", "window", "dialog") and name(n) == "Download Model")
        in_dialog = lambda what, pred: wait_for(what, pred, lambda: dialog)  # noqa: E731
        field = in_dialog("the Model Name row", lambda n: role(n) == "text" and name(n) == "Model Name")
        set_text(field, "missing-model")
        app.click(in_dialog("Download", lambda n: is_button(n, "Download")))
        in_dialog("the server's error", lambda n: role(n) == "label" and "file does not exist" in text_of(n))
        screenshot("pull-01-refused")

        set_text(field, "tiny")
        app.click(in_dialog("Download", lambda n: is_button(n, "Download")))
        in_dialog("a download step with bytes", lambda n: role(n) == "label" and text_of(n).startswith("pulling 6a0746a1ec1a · ") and " of 1.0\xa0kB" in text_of(n))  # glib::format_size puts a no-break space
        in_dialog("the progress bar", lambda n: role(n) == "progress bar" and showing(n))
        screenshot("pull-02-progress")
        app.wait_gone("the Download Model window", lambda n: role(n) in ("frame", "window", "dialog") and name(n) == "Download Model")
        app.find("the toast", lambda n: role(n) == "label" and text_of(n) == "Downloaded “tiny”")
        in_prefs("the model count", lambda n: role(n) == "label" and "1 model" in text_of(n))
        screenshot("pull-03-done")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("pull-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    shutil.rmtree(data_dir, ignore_errors=True)
    print("ui-ollama-pull: 1 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-ollama-pull: FAILED: {e}", file=sys.stderr)
        print("ui-ollama-pull: 0 passed, 1 failed")
        sys.exit(1)
