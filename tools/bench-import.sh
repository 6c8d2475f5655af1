#!/bin/sh
# Import benchmark (issue 14, part 4): imports generated ChatGPT exports of
# 20 MB and 200 MB (tools/gen-chatgpt-export.py) into fresh data folders
# with `valechat history import` and prints, for each, the time and the
# peak resident memory (`/usr/bin/time -v`). Memory that does not grow
# with the file shows the streaming import at work.
#
# usage: tools/bench-import.sh [VALECHAT_BINARY] [WORK_DIR]
#   VALECHAT_BINARY defaults to $CARGO_TARGET_DIR/release/valechat, else
#   target/release/valechat (build it with `cargo build --release`);
#   WORK_DIR (default: a temporary folder) keeps the generated files.
set -eu
here=$(dirname "$0")
bin=${1:-${CARGO_TARGET_DIR:-target}/release/valechat}
work=${2:-$(mktemp -d)}
mkdir -p "$work"
[ -x "$bin" ] || { echo "no binary at $bin (cargo build --release, or pass its path)" >&2; exit 2; }
for mb in 20 200; do
    file="$work/chatgpt-$mb.json"
    [ -f "$file" ] || python3 "$here/gen-chatgpt-export.py" "$file" "$mb"
    data=$(mktemp -d)
    /usr/bin/time -v -o "$work/time-$mb.txt" env VALECHAT_DATA_DIR="$data" RUST_LOG=off \
        "$bin" history import "$file" > "$work/summary-$mb.txt"
    elapsed=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time-$mb.txt")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time-$mb.txt")
    db=$(du -m "$data/valechat.db" | cut -f1)
    echo "$mb MB export: $(head -n1 "$work/summary-$mb.txt"); wall $elapsed; peak RSS $((rss / 1024)) MiB; database $db MB"
    rm -rf "$data"
done
