#!/usr/bin/python3
"""What the first window costs: no icon of a page it does not show, and no
spinner for a quick start (issue 12, start-up).

GTK 4.8 preloads an image's icon as soon as the image's style is computed,
shown or not, and draws an SVG icon through gdk-pixbuf's librsvg loader
(about 7 MiB once loaded). The window's stack builds its pages hidden and
shows each the first time it is needed, and the loading page's spinner
(an SVG icon) turns only when the engine takes a while to open.

1. First run: the welcome page is shown, and its app icon is drawn (the
   icon's area of a screenshot holds the icon's colours).
2. The app opened no SVG icon from the icon theme (`strace` of its
   `openat` calls): not the conversation's empty page's
   chat-message-new-symbolic, the error page's dialog-error-symbolic or
   the spinner's process-working-symbolic, which it did before.
3. In a release build (not .Devel, whose header's stripes are an SVG of
   libadwaita's), librsvg is not among the process's mappings either: the
   app icon the welcome page shows is a 128 px PNG in the app's resources.

Usage: tests/ui/test_startup.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (startup-first-run.png).
"""

import os
import shutil
import subprocess
import sys
import tempfile

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
from test_first_slice import App, Failure, name, role, screenshot, showing, wait_until  # noqa: E402

# The app icon has a sky gradient, a valley and a bubble: far more colours
# than the flat page behind it.
DRAWN_COLOURS = 16


def colours_at(x, y, width, height):
    """The number of distinct colours in a rectangle of the main window
    (window coordinates: GTK 4.8 reports no screen positions)."""
    window = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "^ValeChat$"], capture_output=True, text=True, check=False
    ).stdout.split()
    if not window:
        return 0
    shot = subprocess.run(
        ["import", "-window", window[0], "-crop", f"{width}x{height}+{x}+{y}", "-format", "%k", "info:"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return int(shot.stdout.strip() or 0)
    except ValueError:
        return 0


def icon_area(app):
    """Where the welcome page's 128 px app icon is drawn: above its title,
    in the page's header (the image itself is not in the accessibility
    tree)."""
    title = app.find("the welcome page's title", lambda n: role(n) == "label" and name(n) == "Welcome to ValeChat" and showing(n))
    header = title.parent
    t = title.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    h = header.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    # Stop short of the title, so that its letters are not counted.
    return h.x, h.y, h.width, max(1, t.y - h.y - 8)


def mappings(pid):
    with open(f"/proc/{pid}/maps") as f:
        return {line.split()[5] for line in f if len(line.split()) > 5}


def is_development(binary):
    """Whether `binary` is a development build (its version carries the
    git hash, `0.1.0-1a2b3c4`), whose window has libadwaita's `devel`
    header."""
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout.split()[-1]
    return "-" in version


class TracedApp(App):
    """The app run under `strace`, which logs the files it opens."""

    def __init__(self, binary, data_dir, log):
        env = dict(os.environ, VALECHAT_DATA_DIR=data_dir, GDK_BACKEND="x11", GSK_RENDERER="cairo")
        self.strace = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=openat", "-e", "signal=none", "-o", log, binary], env=env)
        self.proc = self.strace
        wait_until("the app to start under strace", lambda: self._child() is not None)
        self.pid = self._child()

    def _child(self):
        try:
            with open(f"/proc/{self.strace.pid}/task/{self.strace.pid}/children") as f:
                children = f.read().split()
        except OSError:
            return None
        return int(children[0]) if children else None


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/debug/valechat")
    for tool in ("import", "xdotool", "strace"):
        if not shutil.which(tool):
            raise Failure(f"{tool} is needed (.ci/install-deps --tests)")
    data_dir = tempfile.mkdtemp(prefix="valechat-startup-")
    log = os.path.join(data_dir, "openat.log")
    app = TracedApp(binary, data_dir, log)
    try:
        # 1. The welcome page, its icon drawn.
        app.find("the welcome page", lambda n: name(n) == "Welcome to ValeChat" and showing(n))
        area = icon_area(app)
        wait_until("the app icon to be drawn", lambda: colours_at(*area) >= DRAWN_COLOURS)
        screenshot("startup-first-run")

        # 2. No SVG icon from the theme.
        with open(log) as f:
            opened = [line for line in f if "/icons/" in line and ".svg" in line and "ENOENT" not in line]
        if opened:
            raise Failure("the first-run window loaded SVG icons:\n" + "".join(opened))

        # 3. No librsvg in a release build.
        maps = mappings(app.pid)
        devel = is_development(binary)
        svg = sorted(m for m in maps if "rsvg" in m)
        if svg and not devel:
            raise Failure(f"the first-run window loaded librsvg: {svg}")
        print("ui-startup: OK (no SVG icon loaded" + ("" if devel else ", no librsvg") + ")")
    finally:
        app.quit()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"ui-startup: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
