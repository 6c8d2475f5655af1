#!/bin/sh
# Checks po/POTFILES.in against the tree, from the source root:
# every listed file must exist, and every Rust file under src/ and crates/ that calls
# gettext / ngettext / gettext_f / ngettext_f with a string literal must be
# listed (unit tests that must not reach translators call them through aliases).
set -eu
cd "$(dirname "$0")/.."
status=0
listed=$(grep -v '^[[:space:]]*#' po/POTFILES.in | sed '/^[[:space:]]*$/d')

for file in $listed; do
    if [ ! -f "$file" ]; then
        echo "po/POTFILES.in lists $file, which does not exist" >&2
        status=1
    fi
done

# Comment lines (doc examples) are skipped, as xgettext skips them; the
# literal may start on the line after the call's parenthesis.
callers=$(find src crates -name '*.rs' -print0 | xargs -0 perl -0777 -ne '
    s{^[ \t]*//.*$}{}mg;
    print "$ARGV\n" if /\bn?gettext(_f)?\(\s*"/;
' | sort -u)
for file in $callers; do
    if ! printf '%s\n' "$listed" | grep -qxF "$file"; then
        echo "$file has translatable strings but is missing from po/POTFILES.in" >&2
        status=1
    fi
done

[ "$status" -eq 0 ] && echo "po/POTFILES.in is up to date"
exit "$status"
