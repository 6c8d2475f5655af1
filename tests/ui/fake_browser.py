#!/usr/bin/env python3
"""A fake web browser for the OAuth UI test (tests/ui/test_oauth.py), made
GIO's default handler for http(s) URLs through a desktop file.

Usage: fake_browser.py CONTROL_DIR URL

Appends URL as one line to CONTROL_DIR/invocations, then waits until
CONTROL_DIR/go exists (the user "signs in") or CONTROL_DIR/stop exists
(the user walks away), polling every 100 ms for at most 10 minutes. On
"go" it GETs URL following redirects (urllib), as a browser would, so the
app's loopback listener receives the authorization server's redirect to
/callback; the final status and body go to CONTROL_DIR/results.
"""

import os
import sys
import time
import urllib.error
import urllib.request

GIVE_UP_AFTER = 600.0


def note(control, name, line):
    with open(os.path.join(control, name), "a") as f:
        f.write(line.replace("\n", " ") + "\n")


def main():
    control, url = sys.argv[1], sys.argv[2]
    note(control, "invocations", url)
    deadline = time.monotonic() + GIVE_UP_AFTER
    while not os.path.exists(os.path.join(control, "go")):
        if os.path.exists(os.path.join(control, "stop")) or time.monotonic() > deadline:
            note(control, "results", "stopped without loading the page")
            return 0
        time.sleep(0.1)
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = response.read(2000).decode("utf-8", "replace")
            note(control, "results", f"{response.status} {response.geturl()} {body[:300]}")
    except urllib.error.HTTPError as e:
        note(control, "results", f"{e.code} {e.geturl()} {e.read(300).decode('utf-8', 'replace')}")
    except OSError as e:
        note(control, "results", f"error {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
