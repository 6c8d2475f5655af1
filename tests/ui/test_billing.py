#!/usr/bin/python3
"""End-to-end UI test of the Billing window, through AT-SPI.

Runs the real app against tests/ui/fake_openai.py (under the session that
tests/run-in-session.sh provides), reusing test_first_slice.py's helpers:

1. first run: a provider for the fake server is added, a model chosen, and
   one message sent and answered;
2. a daily limit of $5 is set with `valechat limits set` (same data
   directory), and two usage records with known costs are written into the
   database (the conversation's, so the tables name it) -- the figures do
   not depend on what the engine bills for the fake reply;
3. Ctrl+Shift+B (or, if the synthetic key press does not reach the window,
   main menu -> Billing) opens the Billing window;
4. the limit's row is found by its name ("Daily, all providers"), and the
   "Spent this month" / "Requests this month" cards show the month's exact
   totals as the database holds them; the tables name providers by their
   display names ("fake-small (Fake Server)", "Fake Server"), not their ids;
   the header's Export menu offers "Export CSV…" and "Export PDF Report…"
   (there are no separate export buttons);
5. Preferences -> Billing -> Add Limit... adds a monthly limit of $20 through
   the dialog; it is listed there, and the Billing window, opened again,
   shows its row with the month's spend against $20.00.

Usage: tests/ui/test_billing.py [path/to/valechat]
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (billing*.png).
"""

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

import pyatspi

sys.path.insert(0, os.path.dirname(__file__))
import fake_openai  # noqa: E402
from test_first_slice import App, add_fake_provider, Failure, dump, menu_item, name, role, screenshot, set_text, showing, text_of, wait_for  # noqa: E402

LIMIT_NAME = "Daily, all providers"
MONTHLY_NAME = "Monthly, all providers"
SEEDED = (("ui-seed-1", "fake-server", "fake-small", "1.25"), ("ui-seed-2", "other", "other-model", "0.5"))


def usd(amount):
    """The app's format for these amounts: two to four decimals."""
    text = f"{amount.quantize(Decimal('0.0001')).normalize():f}"
    whole, _, frac = text.partition(".")
    frac = (frac + "00")[: max(2, len(frac))]
    return f"${int(whole):,}.{frac}"


def seed_usage(db_path):
    """Writes SEEDED as usage records of the first conversation, now; returns
    (cost, requests) of the current local month as the database holds it."""
    now_ms = int(time.time() * 1000)
    with sqlite3.connect(db_path, timeout=10) as db:
        conversation = db.execute("SELECT id FROM conversations ORDER BY id LIMIT 1").fetchone()[0]
        for request_id, provider, model, cost in SEEDED:
            db.execute(
                "INSERT INTO usage_records (request_id, provider_id, model, conversation_id, created_at,"
                " input_tokens, output_tokens, verification, cost_usd, cost_source, outcome)"
                " VALUES (?, ?, ?, ?, ?, 1000, 200, 'unverifiable', ?, 'estimated', 'completed')",
                (request_id, provider, model, conversation, now_ms, cost),
            )
        month = time.strftime("%Y-%m", time.localtime())
        rows = db.execute("SELECT created_at, cost_usd FROM usage_records").fetchall()
    in_month = [Decimal(c) for t, c in rows if time.strftime("%Y-%m", time.localtime(t / 1000)) == month]
    return sum(in_month, Decimal(0)), len(in_month)


def figure(billing, card_name, expected):
    """The figure label inside the card named `card_name` (the card carries
    the name; a label's name is its own text), once it shows `expected`."""
    def matches(node):
        if role(node) not in ("panel", "filler", "grouping") or name(node) != card_name:
            return False
        return any(role(c) == "label" and text_of(c) == expected for c in node)

    card = wait_for(f"{card_name!r} showing {expected!r}", matches, lambda: billing)
    return next(c for c in card if role(c) == "label" and text_of(c) == expected)


def open_billing(app):
    """Ctrl+Shift+B, then main menu -> Billing if no window came up."""
    is_window = lambda n: role(n) in ("frame", "window", "dialog") and name(n) == "Billing"  # noqa: E731
    for keycode, kind in ((37, pyatspi.KEY_PRESS), (50, pyatspi.KEY_PRESS), (56, pyatspi.KEY_PRESSRELEASE), (50, pyatspi.KEY_RELEASE), (37, pyatspi.KEY_RELEASE)):
        pyatspi.Registry.generateKeyboardEvent(keycode, None, kind)
    try:
        window = app.find("the Billing window (Ctrl+Shift+B)", is_window, timeout=5)
        print("ui-billing: opened with Ctrl+Shift+B")
        return window
    except Failure:
        pass
    app.click(app.find("the main menu button", lambda n: role(n) in ("push button", "toggle button") and name(n) == "Main Menu" and showing(n)))
    app.click(app.find("the Billing menu item", lambda n: name(n) == "Billing" and role(n) in ("menu item", "push button") and showing(n)))
    print("ui-billing: opened from the main menu")
    return app.find("the Billing window", is_window)


def is_row(node):
    return role(node) in ("list item", "row", "list box row")


def check_provider_names(app, billing):
    """By Provider: the fake server's row carries its display name; the id
    ("fake-server") is not shown. A provider without a configuration
    ("other") keeps its id."""
    app.click(wait_for("the By Provider tab", lambda n: role(n) in ("push button", "toggle button", "radio button", "page tab") and name(n) == "By Provider" and showing(n), lambda: billing))
    wait_for("the provider's row by its name", lambda n: is_row(n) and name(n).startswith("Fake Server: ") and showing(n), lambda: billing)
    wait_for("the unconfigured provider's row", lambda n: is_row(n) and name(n) == "other: $0.50" and showing(n), lambda: billing)
    ids = [name(n) for n in app.find_all(lambda n: is_row(n) and name(n).startswith("fake-server"))]
    assert not ids, f"rows still named by provider id: {ids}"


def check_export_menu(app, billing):
    """The export actions are items of one Export menu in the header."""
    old = app.find_all(lambda n: role(n) == "push button" and name(n) in ("Export CSV…", "Export PDF Report…") and showing(n))
    assert not old, f"separate export buttons: {[name(n) for n in old]}"
    app.click(wait_for("the Export menu button", lambda n: role(n) in ("push button", "toggle button") and name(n) == "Export" and showing(n), lambda: billing))
    menu_item(app, "Export CSV…")
    menu_item(app, "Export PDF Report…")
    screenshot("billing-export-menu")
    pyatspi.Registry.generateKeyboardEvent(9, None, pyatspi.KEY_PRESSRELEASE)  # Escape closes the menu
    app.wait_gone("the open Export menu", lambda n: role(n) == "menu item" and name(n) == "Export CSV…" and showing(n))


def add_monthly_limit(app):
    """Preferences -> Billing -> Add Limit...: monthly (the default scope),
    $20, saved; the page then lists it."""
    app.click(app.find("the main menu button", lambda n: role(n) in ("push button", "toggle button") and name(n) == "Main Menu" and showing(n)))
    app.click(app.find("the Preferences menu item", lambda n: name(n) == "Preferences" and role(n) in ("menu item", "push button", "check menu item") and showing(n)))
    prefs = app.find("the Preferences window", lambda n: role(n) in ("frame", "window", "dialog") and name(n) == "Preferences")
    in_prefs = lambda what, pred: wait_for(what, pred, lambda: prefs)  # noqa: E731
    app.click(in_prefs("the Billing page's tab", lambda n: role(n) in ("push button", "toggle button", "radio button", "page tab") and name(n) == "Billing" and showing(n)))
    in_prefs("the CLI's limit in Preferences", lambda n: role(n) in ("list item", "row") and name(n).startswith(LIMIT_NAME) and showing(n))
    time.sleep(0.5)  # the page switch's transition
    screenshot("billing-prefs")
    app.click(in_prefs("Add Limit…", lambda n: role(n) == "push button" and name(n) == "Add Limit…" and showing(n)))
    dialog = app.find("the limit dialog", lambda n: role(n) in ("dialog", "frame", "window", "alert") and name(n) == "Add Spending Limit")
    amount = wait_for("the amount field", lambda n: role(n) in ("text", "entry") and name(n) == "Amount (USD)" and showing(n), lambda: dialog)
    set_text(amount, "20")
    screenshot("billing-limit-dialog")
    app.click(wait_for("Save", lambda n: role(n) == "push button" and name(n) in ("Save", "Save Save") and showing(n), lambda: dialog))
    in_prefs("the new limit in Preferences", lambda n: role(n) in ("list item", "row") and name(n).startswith(MONTHLY_NAME) and showing(n))
    app.click(wait_for("the Preferences close button", lambda n: role(n) == "push button" and name(n) == "Close" and showing(n), lambda: prefs))


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VALECHAT_BIN", "target/debug/valechat")
    binary = os.path.abspath(binary)
    server = fake_openai.start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data_dir = tempfile.mkdtemp(prefix="valechat-ui-billing-")

    app = App(binary, data_dir)
    try:
        add_fake_provider(app, base_url)
        composer = app.find("the message field", lambda n: name(n) == "Message" and role(n) in ("text", "entry") and showing(n))
        set_text(composer, "How much does this cost?")
        app.click(app.button("Send"))
        app.find("the reply's last paragraph", lambda n: role(n) == "label" and text_of(n) == "That is all.")
        app.button("Send")

        env = dict(os.environ, VALECHAT_DATA_DIR=data_dir, RUST_LOG="off")
        subprocess.run([binary, "limits", "set", "--scope", "global-day", "--amount", "5"], env=env, check=True, timeout=30)
        cost, requests = seed_usage(os.path.join(data_dir, "valechat.db"))

        billing = open_billing(app)
        in_billing = lambda what, pred: wait_for(what, pred, lambda: billing)  # noqa: E731
        in_billing("the limit's row", lambda n: role(n) in ("list item", "row", "list box row") and name(n) == LIMIT_NAME and showing(n))
        spent = figure(billing, "Spent this month", usd(cost))
        figure(billing, "Requests this month", str(requests))
        in_billing("the limit's figures", lambda n: role(n) == "label" and text_of(n).startswith(f"{usd(cost)} of $5.00"))
        in_billing("the chart", lambda n: name(n) == "Daily spend by provider, last 30 days" and showing(n))
        in_billing("the seeded model in the table, by its provider's name", lambda n: role(n) in ("list item", "row", "list box row") and name(n) == "fake-small (Fake Server): $1.25")
        check_provider_names(app, billing)
        time.sleep(1)  # let the chart's first frame reach the X server
        screenshot("billing")
        check_export_menu(app, billing)
        print(f"ui-billing: spent {text_of(spent)} in {requests} requests")

        # The main menu lies under the Billing window: close it first (its
        # Close button; the menu button is clicked with the pointer).
        app.click(in_billing("the Billing window's Close button", lambda n: role(n) == "push button" and name(n) == "Close" and showing(n)))
        app.wait_gone("the Billing window", lambda n: role(n) in ("frame", "window", "dialog") and name(n) == "Billing" and showing(n))
        add_monthly_limit(app)
        billing = open_billing(app)
        in_billing("the new limit's row", lambda n: role(n) in ("list item", "row", "list box row") and name(n) == MONTHLY_NAME and showing(n))
        in_billing("the new limit's figures", lambda n: role(n) == "label" and text_of(n).startswith(f"{usd(cost)} of $20.00"))
        screenshot("billing-two-limits")
    except Exception:
        root = app.root()
        if root is not None:
            dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        screenshot("billing-failure")
        raise
    finally:
        app.quit()
        server.shutdown()
    print("ui-billing: ok")


if __name__ == "__main__":
    main()
