#!/usr/bin/python3
"""Opens one long conversation in ValeChat and prints what it costs.

Fills a fresh database with a conversation of N messages (questions, and
answers with a list and a two-line Python block: tests/ui/long_conversation.py),
starts the app under the caller's display and accessibility bus, clicks the
conversation in the sidebar through AT-SPI and prints:

- `painted`: milliseconds from the click to the first frame painted with
  the conversation's rows, and `read` the part of it spent reading the
  database (the app logs both at debug level: `conversation shown`);
- `settled`: seconds from the click until the app is idle (less than
  IDLE_CPU seconds of CPU in a one-second window), i.e. everything is built,
  measured and drawn;
- `CPU`: processor seconds the app spent on it;
- `RSS`: resident memory before the click and once settled (MiB).

Run it through tests/run-in-session.sh (tools/bench-conversation.sh does).
Usage: tools/bench-conversation.py BINARY [MESSAGES ...]   (default 10000)
"""

import os
import re
import subprocess
import sys
import tempfile
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "ui"))
import long_conversation  # noqa: E402
from test_first_slice import App  # noqa: E402
from test_shortcuts import main_frame, point_at, row_of  # noqa: E402

IDLE_CPU = 0.05
DEADLINE = 900.0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class LoggedApp(App):
    """The app with its debug log of the conversation view read from stderr."""

    def __init__(self, binary, data_dir):
        env = dict(
            os.environ,
            VALECHAT_DATA_DIR=data_dir,
            GDK_BACKEND="x11",
            GSK_RENDERER="cairo",
            RUST_LOG="valechat::ui::conversation_view=debug,warn",
            NO_COLOR="1",
        )
        self.proc = subprocess.Popen([binary], env=env, stderr=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        self.shown = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            if "conversation shown" in line:
                fields = dict(re.findall(r"(\w+)=(\d+)", line))
                self.shown.append(fields)


def measure(binary, messages):
    data_dir = tempfile.mkdtemp(prefix="valechat-bench-")
    long_conversation.prepare(binary, data_dir, messages)
    app = LoggedApp(binary, data_dir)
    try:
        point_at(main_frame(app))
        row = row_of(app, "A long conversation")
        time.sleep(2.0)
        rss_before = rss_mib(app.pid)
        cpu_before = cpu_seconds(app.pid)
        start = time.monotonic()
        app.click(row)
        last = cpu_before
        while time.monotonic() - start < DEADLINE:
            time.sleep(1.0)
            now = cpu_seconds(app.pid)
            if now - last < IDLE_CPU:
                break
            last = now
        settled = time.monotonic() - start - 1.0
        shown = app.shown[-1] if app.shown else {}
        painted = f"{int(shown['painted_ms']):6d} ms" if "painted_ms" in shown else "     ? ms"
        read = f"{int(shown['read_ms']):5d} ms" if "read_ms" in shown else "    ? ms"
        print(
            f"{messages:6d} messages: painted {painted} (read {read}), settled {settled:6.1f} s, "
            f"CPU {last - cpu_before:6.1f} s, "
            f"RSS {rss_before:6.0f} MiB before, {rss_mib(app.pid):6.0f} MiB after",
            flush=True,
        )
    finally:
        app.quit()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    for count in [int(n) for n in sys.argv[2:]] or [10000]:
        measure(binary, count)


if __name__ == "__main__":
    main()
