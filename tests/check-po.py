#!/usr/bin/python3
"""Checks every translation listed in po/LINGUAS (meson test `po-check`).

For each po/<lang>.po:
- `msgfmt --check --check-format` passes (syntax, headers, plural forms,
  format strings);
- the header names the language (`Language: <lang>`) and has Plural-Forms;
- `msgcmp` finds every msgid of po/valechat.pot translated (nothing missing,
  untranslated or fuzzy);
- every msgstr keeps exactly the `{placeholders}` of its msgid (gettext_f and
  ngettext_f substitute them by name; a renamed one would show up raw).

Usage: tests/check-po.py [PO_DIR]   (default: po/ next to this script's parent)
Prints one line per language and exits non-zero on any problem.
"""

import gettext
import os
import re
import subprocess
import sys
import tempfile

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def linguas(po_dir):
    with open(os.path.join(po_dir, "LINGUAS"), encoding="utf-8") as f:
        return [w for line in f if not line.lstrip().startswith("#") for w in line.split()]


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def check(po_dir, lang, workdir):
    """Returns a list of problems found in po_dir/<lang>.po."""
    po = os.path.join(po_dir, f"{lang}.po")
    if not os.path.isfile(po):
        return [f"{po} is listed in LINGUAS but does not exist"]
    problems = []
    mo = os.path.join(workdir, f"{lang}.mo")
    run = subprocess.run(
        ["msgfmt", "--check", "--check-format", "--statistics", "-o", mo, po],
        capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"),
    )
    if run.returncode != 0:
        return [f"msgfmt --check failed:\n{run.stderr.strip()}"]
    stats = run.stderr.strip()
    if "untranslated" in stats or "fuzzy" in stats:
        problems.append(f"incomplete: {stats}")

    pot = os.path.join(po_dir, "valechat.pot")
    if os.path.isfile(pot):
        cmp = subprocess.run(["msgcmp", po, pot], capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
        if cmp.returncode != 0:
            problems.append(f"not up to date with valechat.pot (run `meson compile -C build valechat-update-po`):\n{cmp.stderr.strip()}")

    with open(mo, "rb") as f:
        catalog = gettext.GNUTranslations(f)
    info = catalog.info()
    if info.get("language") != lang:
        problems.append(f"header says Language: {info.get('language')!r}, expected {lang!r}")
    if "plural-forms" not in info:
        problems.append("header has no Plural-Forms")
    # _catalog maps msgid -> msgstr, and (msgid, n) -> msgstr[n] for plurals;
    # a plural msgid is stored as its singular, so the plural's own
    # placeholders are compared through the singular (ours always match).
    for key, msgstr in catalog._catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid == "":
            continue
        if placeholders(msgstr) != placeholders(msgid):
            problems.append(f"placeholders differ: {msgid!r} -> {msgstr!r}")
    return problems


def main():
    po_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "po")
    languages = linguas(po_dir)
    if not languages:
        print("po-check: po/LINGUAS lists no language")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory(prefix="valechat-po-") as workdir:
        for lang in languages:
            problems = check(po_dir, lang, workdir)
            if problems:
                failed += 1
                print(f"po-check: {lang}: FAILED")
                for problem in problems:
                    print(f"  {problem}")
            else:
                print(f"po-check: {lang}: ok")
    print(f"po-check: {len(languages) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
