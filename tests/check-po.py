#!/usr/bin/python3
"""Checks every translation listed in po/LINGUAS (meson test `po-check`).

For each po/<lang>.po:
- `msgfmt --check --check-format` passes (syntax, headers, plural forms,
  format strings);
- the header names the language (`Language: <lang>`) and has Plural-Forms;
- `msgcmp` finds every msgid of po/valechat.pot translated (nothing missing,
  untranslated or fuzzy);
- every msgstr keeps exactly the `{placeholders}` of its msgid (gettext_f and
  ngettext_f substitute them by name; a renamed one would show up raw); a
  plural form that the language's Plural-Forms uses for some n ≥ 2 keeps
  those of msgid_plural, and one used only for n = 0 or 1 those of msgid or
  of msgid_plural.

Usage: tests/check-po.py [PO_DIR]   (default: po/ next to this script's parent)
Prints one line per language and exits non-zero on any problem.
"""

import gettext
import os
import re
import struct
import subprocess
import sys
import tempfile

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def linguas(po_dir):
    with open(os.path.join(po_dir, "LINGUAS"), encoding="utf-8") as f:
        return [w for line in f if not line.lstrip().startswith("#") for w in line.split()]


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def mo_entries(mo):
    """Yields (msgid, msgid_plural or None, [msgstr, …]) from a GNU .mo file.

    Read from the file's tables (GNU gettext manual, "The Format of GNU MO
    Files") because Python's gettext keeps only the singular of a plural
    msgid.
    """
    with open(mo, "rb") as f:
        data = f.read()
    order = "<" if struct.unpack("<I", data[:4])[0] == 0x950412DE else ">"
    count, originals, translations = struct.unpack(order + "3I", data[8:20])
    for i in range(count):
        olen, ooff = struct.unpack(order + "2I", data[originals + 8 * i:originals + 8 * i + 8])
        tlen, toff = struct.unpack(order + "2I", data[translations + 8 * i:translations + 8 * i + 8])
        original = data[ooff:ooff + olen].decode("utf-8")
        translated = data[toff:toff + tlen].decode("utf-8").split("\0")
        if "\x04" in original:  # msgctxt EOT msgid
            original = original.split("\x04", 1)[1]
        msgid, _, plural = original.partition("\0")
        yield msgid, (plural if _ else None), translated


def plural_uses(plural_forms, nplurals):
    """For each plural index, whether the language uses it for some n ≥ 2."""
    match = re.search(r"plural\s*=\s*([^;]+)", plural_forms)
    if not match:
        return [True] * nplurals
    choose = gettext.c2py(match.group(1))
    uses = [False] * nplurals
    for n in range(2, 1000):
        index = choose(n)
        if index < nplurals:
            uses[index] = True
    return uses


def check_placeholders(mo, plural_forms):
    problems = []
    for msgid, plural, msgstrs in mo_entries(mo):
        if msgid == "":
            continue
        if plural is None:
            if placeholders(msgstrs[0]) != placeholders(msgid):
                problems.append(f"placeholders differ: {msgid!r} -> {msgstrs[0]!r}")
            continue
        for index, (msgstr, many) in enumerate(zip(msgstrs, plural_uses(plural_forms, len(msgstrs)))):
            found = placeholders(msgstr)
            if many and found != placeholders(plural):
                problems.append(f"placeholders differ: {plural!r} -> msgstr[{index}] {msgstr!r}")
            elif not many and found not in (placeholders(msgid), placeholders(plural)):
                problems.append(f"placeholders differ: {msgid!r} -> msgstr[{index}] {msgstr!r}")
    return problems


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
    problems.extend(check_placeholders(mo, info.get("plural-forms", "")))
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
