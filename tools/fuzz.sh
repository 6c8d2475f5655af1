#!/bin/bash
# Coverage-guided fuzzing of ValeChat's parsers with AFL++ (cargo-afl, which
# works on stable Rust): builds the targets of fuzz/ (the valechat-fuzz
# crate) instrumented, runs each for SECONDS (default 60), one after the
# other, and prints per target the executions, executions per second, the
# corpus size (seeds → after the run) and the crashes and hangs found.
#
# Usage: tools/fuzz.sh [SECONDS-PER-TARGET] [TARGET ...]
#   (targets: the folders of fuzz/corpus; default: all)
#
# Needs cargo-afl: `cargo install cargo-afl --locked` (it builds its AFL++
# on first use). The instrumented build goes to $CARGO_TARGET_DIR/afl (a
# separate folder: its RUSTFLAGS differ, so it would otherwise throw away
# the normal build); AFL_OPT_LEVEL (default 1) is its optimisation level.
# Findings go to $VALECHAT_FUZZ_OUT (default $CARGO_TARGET_DIR/fuzz-out),
# one folder per target, started afresh each run from fuzz/corpus/<target>.
# A crash is replayed without AFL by
#   $CARGO_TARGET_DIR/debug/valechat-fuzz-run TARGET FILE
# Exits 1 when any target crashed. Not part of CI: CI runs the bounded,
# uninstrumented run (the meson test `fuzz`, fuzz/tests/targets.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
case "$seconds" in
    '' | *[!0-9]*) echo "usage: tools/fuzz.sh [SECONDS-PER-TARGET] [TARGET ...]" >&2; exit 2 ;;
esac

if ! cargo afl --version >/dev/null 2>&1; then
    echo "fuzz: cargo-afl is missing: cargo install cargo-afl --locked" >&2
    exit 1
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
afl_target_dir=$CARGO_TARGET_DIR/afl
out=${VALECHAT_FUZZ_OUT:-$CARGO_TARGET_DIR/fuzz-out}

echo "fuzz: building the instrumented targets in $afl_target_dir"
CARGO_TARGET_DIR=$afl_target_dir AFL_OPT_LEVEL=${AFL_OPT_LEVEL:-1} \
    cargo afl build -p valechat-fuzz --features afl --bin valechat-fuzz-afl
binary=$afl_target_dir/debug/valechat-fuzz-afl
# The replayer, for the crash files (uninstrumented, the normal build).
cargo build -p valechat-fuzz --bin valechat-fuzz-run
runner=$CARGO_TARGET_DIR/debug/valechat-fuzz-run

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(find fuzz/corpus -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
fi

# afl-fuzz in a script: no curses UI, no CPU frequency or core-dump-pattern
# checks (not ours to change on a shared machine), no pinning to a core.
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    AFL_NO_AFFINITY=1

stat() { # stat FILE KEY: a value of AFL's fuzzer_stats
    sed -n "s/^$2 *: *//p" "$1"
}

mkdir -p "$out"
failed=0
rows=()
for target in "${targets[@]}"; do
    seeds=fuzz/corpus/$target
    if [ ! -d "$seeds" ]; then
        echo "fuzz: no target $target (no folder $seeds)" >&2
        exit 2
    fi
    rm -rf "${out:?}/$target"
    echo "fuzz: $target for $seconds s"
    # -V: stop after that many seconds; -t: an input taking over 2 s is a hang.
    cargo afl fuzz -i "$seeds" -o "$out/$target" -V "$seconds" -t 2000 \
        "$binary" "$target" >"$out/$target.log" 2>&1 || {
        echo "fuzz: afl-fuzz failed on $target; the end of $out/$target.log:" >&2
        tail -20 "$out/$target.log" >&2
        failed=1
        continue
    }
    stats=$out/$target/default/fuzzer_stats
    execs=$(stat "$stats" execs_done)
    run_time=$(stat "$stats" run_time)
    per_second=$(( execs / (run_time > 0 ? run_time : 1) ))
    crashes=$(stat "$stats" saved_crashes)
    hangs=$(stat "$stats" saved_hangs)
    seed_count=$(find "$seeds" -maxdepth 1 -type f | wc -l)
    rows+=("$(printf '%-18s %6s %11s %9s %8s %8s %7s %5s' "$target" "$run_time" "$execs" \
        "$per_second" "$seed_count" "$(stat "$stats" corpus_count)" "$crashes" "$hangs")")
    if [ "$crashes" != 0 ]; then
        failed=1
        echo "fuzz: $target crashed; replay with:" >&2
        for file in "$out/$target"/default/crashes/id:*; do
            echo "  $runner $target '$file'" >&2
        done
    fi
done

echo
printf '%-18s %6s %11s %9s %8s %8s %7s %5s\n' target secs execs execs/s seeds corpus crashes hangs
printf '%s\n' "${rows[@]}"
exit "$failed"
