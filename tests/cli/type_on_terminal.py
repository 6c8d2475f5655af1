"""Runs a command on a pseudo-terminal and types a line into it, for
tests/cli/api_key.rs.

Usage: type_on_terminal.py PROMPT TEXT -- COMMAND [ARG...]

The command's stdin, stdout, stderr and controlling terminal are the
terminal. Once PROMPT has appeared, this waits (10 s at most) for the
program to turn the terminal's echo off, as a password prompt does, then
types TEXT, Enter and Ctrl+D (an end of file for a program that reads to
the end). It prints everything the terminal showed, the echo of what was
typed included, and exits with the command's exit status (or 124 when
PROMPT never came within 20 s).
"""
import os
import pty
import select
import sys
import termios
import time

prompt, text, sep, *command = sys.argv[1:]
assert sep == "--" and command, __doc__

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

shown = b""


def read_for(seconds, until=None):
    """Reads what the terminal shows for up to `seconds`, or until `until`
    (a predicate on all that was shown) holds, or until the end."""
    global shown
    deadline = time.monotonic() + seconds
    while until is None or not until(shown):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the command closed the terminal
            return until is None
        if not chunk:
            return until is None
        shown += chunk
    return True


if not read_for(20, lambda s: prompt.encode() in s):
    sys.stdout.write(shown.decode(errors="replace"))
    os.kill(pid, 9)
    sys.exit(124)
deadline = time.monotonic() + 10
while termios.tcgetattr(fd)[3] & termios.ECHO and time.monotonic() < deadline:
    time.sleep(0.01)
os.write(fd, text.encode() + b"\n\x04")
read_for(20)
_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
