#!/usr/bin/python3
"""End-to-end UI test of image attachments, through AT-SPI.

Runs the real app (under tests/run-in-session.sh) against
tests/ui/fake_openai.py, whose reply says how many images the last user
message carried:

1. a conversation is created with the CLI, then opened in the window;
2. two images are attached with the Attach Image button and the file
   chooser (one is a JPEG named `.png`: the type comes from the bytes);
   both show above the entry with a Remove button each, and one is removed
   and attached again;
3. the message is sent: the fake model's reply reports 2 images, and the
   user's message row shows them.

Usage: tests/ui/test_images.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (ImageMagick `import`).
"""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, Failure, name, role, screenshot, set_text, showing, text_of  # noqa: E402

PROMPT = "What is in these pictures?"


def make_images(folder):
    """A PNG sunset and a JPEG sea, the JPEG misnamed `.png`."""
    sunset = os.path.join(folder, "sunset.png")
    sea = os.path.join(folder, "sea.png")
    subprocess.run(["convert", "-size", "480x320", "gradient:orange-purple", sunset], check=True)
    subprocess.run(["convert", "-size", "320x320", "gradient:skyblue-navy", "jpeg:" + sea], check=True)
    return sunset, sea


def attach(app, path):
    """Attach Image, then type the path into the chooser's location field."""
    app.click(app.button("Attach Image"))
    app.find("the file chooser", lambda n: name(n) == "Attach Images")
    time.sleep(0.5)
    subprocess.run(["xdotool", "type", "--delay", "15", path], check=True)
    time.sleep(0.5)
    subprocess.run(["xdotool", "key", "Return"], check=True)
    base = os.path.basename(path)
    return app.find(f"the pending {base}", lambda n: name(n) == f"Remove “{base}”" and showing(n))


def wait_for_display():
    """Waits until the X server answers (the session's Xvfb may still be settling)."""
    for _ in range(40):
        if subprocess.run(["xdotool", "getmouselocation"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            return
        time.sleep(0.25)
    raise Failure(f"the X display {os.environ.get('DISPLAY')} does not answer")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-")
    env = dict(os.environ, VALECHAT_DATA_DIR=data_dir)
    subprocess.run([binary, "providers", "add", "--name", "Fake", "--base-url", base_url], env=env, check=True)
    subprocess.run([binary, "chat", "--provider", "fake", "--model", "fake-large", "Pictures"], env=env, check=True, stdout=subprocess.DEVNULL)
    sunset, sea = make_images(data_dir)

    wait_for_display()
    app = App(binary, data_dir)
    time.sleep(2)
    if app.proc.poll() is not None:  # the session's display sometimes refuses the first client
        app = App(binary, data_dir)
    try:
        row = app.find("the conversation", lambda n: name(n) == "Pictures" and showing(n))
        app.click(row)
        app.find("the first reply", lambda n: role(n) == "label" and text_of(n).startswith("Hello from") and showing(n))

        attach(app, sunset)
        remove_sea = attach(app, sea)
        app.click(remove_sea)
        deadline = time.monotonic() + 10
        while app.find_all(lambda n: name(n) == "Remove “sea.png”" and showing(n)):
            if time.monotonic() > deadline:
                raise Failure("Remove did not remove the pending image")
            time.sleep(0.25)
        attach(app, sea)
        entry = app.find("the message field", lambda n: name(n) == "Message" and showing(n))
        set_text(entry, PROMPT)
        time.sleep(1.0)
        screenshot("images-01-pending")

        app.click(app.button("Send"))
        app.find("the reply about two images", lambda n: role(n) == "label" and "(with 2 images)" in text_of(n) and showing(n))
        if app.find_all(lambda n: name(n).startswith("Remove “") and showing(n)):
            raise Failure("the pending images were not cleared after sending")
        time.sleep(1.5)
        screenshot("images-02-sent")
        print("test_images: ok")
    finally:
        app.quit()
        server.shutdown()


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        screenshot("images-failure")
        print(f"test_images: FAIL: {e}", file=sys.stderr)
        sys.exit(1)
