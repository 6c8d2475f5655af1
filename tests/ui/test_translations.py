#!/usr/bin/python3
"""UI test of ValeChat's translations, through AT-SPI.

Starts the real app (under the Xvfb + D-Bus + AT-SPI session that
tests/run-in-session.sh provides) on a fresh data directory, once per
language, with LANG=<locale> LANGUAGE=<lang> and VALECHAT_LOCALEDIR pointing at
the build tree's compiled catalogues, and finds the translated welcome title
and "Test Connection" button of the first-run page. The expected texts are
read from po/<lang>.po (compiled with msgfmt), so the test follows the
translations instead of repeating them. Then it opens the Billing window
(Ctrl+Shift+B) and checks that its figures follow the locale, not English:
the month as the subtitle ("Dezember 2026", "2026年12月") and the empty
spend ("0,00 $", "$0.00").

glibc ignores LANGUAGE under the C locale, so the locales must be installed
(.ci/install-deps generates de_DE.UTF-8 and ja_JP.UTF-8).

Usage: tests/ui/test_translations.py path/to/valechat path/to/localedir
(localedir holds <lang>/LC_MESSAGES/valechat.mo; meson's is <build>/po).
Screenshots go to $VALECHAT_SCREENSHOT_DIR when set (ImageMagick `import`).
"""

import datetime
import gettext
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pyatspi

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_first_slice as ui  # noqa: E402

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOMAIN = "valechat"
# (gettext language, POSIX locale) pairs under test.
LANGUAGES = [("de", "de_DE.UTF-8"), ("ja", "ja_JP.UTF-8")]
WELCOME = "Welcome to ValeChat"
TEST_CONNECTION = "Test Connection"
BILLING = "Billing"
GERMAN_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember")


def expected_figures(lang, today):
    """This month's name and zero dollars as CLDR writes them for `lang`."""
    if lang == "de":
        return f"{GERMAN_MONTHS[today.month - 1]} {today.year}", "0,00\u00a0$"
    if lang == "ja":
        return f"{today.year}年{today.month}月", "$0.00"
    raise ui.Failure(f"no expected figures for {lang}")


class LocalizedApp(ui.App):
    """ui.App started with a language environment instead of the caller's."""

    def __init__(self, binary, data_dir, env):
        self.proc = subprocess.Popen([binary], env=env)
        self.pid = self.proc.pid


def expected_texts(lang, workdir):
    """The translations of the strings under test, from po/<lang>.po."""
    po = os.path.join(SOURCE_ROOT, "po", f"{lang}.po")
    mo = os.path.join(workdir, f"{lang}.mo")
    subprocess.run(["msgfmt", "--check", "-o", mo, po], check=True)
    with open(mo, "rb") as f:
        catalog = gettext.GNUTranslations(f)
    texts = {}
    for msgid in (WELCOME, TEST_CONNECTION, BILLING):
        text = catalog.gettext(msgid)
        if text == msgid:
            raise ui.Failure(f"po/{lang}.po does not translate {msgid!r}")
        texts[msgid] = text
    return texts


def locale_installed(locale):
    """Whether `locale -a` lists `locale` (it spells UTF-8 as utf8)."""
    wanted = locale.split(".")[0].lower() + ".utf8"
    listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=True).stdout
    return wanted in (line.strip().lower() for line in listed.splitlines())


def language_env(lang, locale, localedir, data_dir):
    env = dict(
        os.environ,
        VALECHAT_DATA_DIR=data_dir,
        VALECHAT_LOCALEDIR=localedir,
        LANG=locale,
        LANGUAGE=lang,
        GDK_BACKEND="x11",
        GSK_RENDERER="cairo",
    )
    # Both would override LANG.
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    return env


def settle_for_screenshot(app, button):
    """Lets the page finish appearing before the screenshot: waits until the
    button is sensitive, then for the stack's crossfade (not an assertion:
    the texts were already found)."""
    app.find("a sensitive button", lambda n: n == button and n.getState().contains(pyatspi.STATE_SENSITIVE))
    time.sleep(0.5)


def check_billing_figures(app, lang, billing_title):
    """Ctrl+Shift+B opens the Billing window; its month and its zero spend
    are written for the locale."""
    for keycode, kind in ((37, pyatspi.KEY_PRESS), (50, pyatspi.KEY_PRESS), (56, pyatspi.KEY_PRESSRELEASE), (50, pyatspi.KEY_RELEASE), (37, pyatspi.KEY_RELEASE)):
        pyatspi.Registry.generateKeyboardEvent(keycode, None, kind)
    billing = app.find(f"the Billing window in {lang}", lambda n: ui.role(n) in ("frame", "window", "dialog") and ui.name(n) == billing_title)
    month, zero = expected_figures(lang, datetime.date.today())
    for what, text in (("the month", month), ("the month's spend", zero)):
        ui.wait_for(f"{what} written {text!r}", lambda n, text=text: ui.role(n) == "label" and ui.text_of(n) == text and ui.showing(n), lambda: billing)
    time.sleep(0.5)
    ui.screenshot(f"i18n-{lang}-billing")
    print(f"ui-i18n: {lang}: the Billing window shows {month!r} and {zero!r}")


def check_language(binary, localedir, lang, locale, workdir):
    if not locale_installed(locale):
        raise ui.Failure(f"the locale {locale} is not installed; run .ci/install-deps")
    catalog = os.path.join(localedir, lang, "LC_MESSAGES", f"{DOMAIN}.mo")
    if not os.path.isfile(catalog):
        raise ui.Failure(f"{catalog} is missing; build the catalogues (meson compile -C build {DOMAIN}-gmo)")
    texts = expected_texts(lang, workdir)
    data_dir = tempfile.mkdtemp(prefix=f"valechat-ui-{lang}-")
    app = LocalizedApp(binary, data_dir, language_env(lang, locale, localedir, data_dir))
    try:
        title = texts[WELCOME]
        app.find(f"the welcome page in {lang} ({title!r})", lambda n: ui.name(n) == title)
        button = app.button(texts[TEST_CONNECTION])
        settle_for_screenshot(app, button)
        ui.screenshot(f"i18n-{lang}-welcome")
        print(f"ui-i18n: {lang}: found {title!r} and the button {ui.name(button)!r}")
        check_billing_figures(app, lang, texts[BILLING])
    except Exception:
        root = app.root()
        if root is not None:
            ui.dump(root, os.path.join(data_dir, "a11y-tree.txt"))
            print(f"accessibility tree dumped to {data_dir}/a11y-tree.txt", file=sys.stderr)
        ui.screenshot(f"i18n-{lang}-failure")
        raise
    finally:
        app.quit()
    shutil.rmtree(data_dir, ignore_errors=True)


def main():
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} path/to/valechat path/to/localedir", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    localedir = os.path.abspath(sys.argv[2])
    try:
        with tempfile.TemporaryDirectory(prefix="valechat-i18n-") as workdir:
            for lang, locale in LANGUAGES:
                check_language(binary, localedir, lang, locale, workdir)
    except (ui.Failure, subprocess.CalledProcessError) as e:
        print(f"ui-i18n: FAILED: {e}", file=sys.stderr)
        print("ui-i18n: 0 passed, 1 failed")
        return 1
    print("ui-i18n: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
