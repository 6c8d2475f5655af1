#!/usr/bin/env bash
# Measures time from launch to the first mapped window and the idle RSS of
# ValeChat and of a bare GTK4 + libadwaita window built with the same cargo
# profile, under Xvfb with GSK_RENDERER=cairo. Prints one line per run and a
# median per program. Usage: benches/startup.sh [runs] [profile]
#   runs    number of launches per program (default 5)
#   profile cargo profile: release (default) or dev
# Needs: xvfb, xdotool, dbus (installed by .ci/install-deps). Binaries come
# from $CARGO_TARGET_DIR (default ./target).
set -euo pipefail
runs=${1:-5}
profile=${2:-release}
cd "$(dirname "$0")/.."
flag=$([ "$profile" = release ] && echo --release || echo)
# Two builds: built together, the binary would get the features the
# example's dev-dependencies turn on (a larger binary than the one meson
# installs, about 1 MiB more resident).
if [ -z "${DISPLAY:-}" ]; then
  cargo build $flag --example bare_window >/dev/null
  cargo build $flag --bin valechat >/dev/null
fi
dir=${CARGO_TARGET_DIR:-target}/$([ "$profile" = release ] && echo release || echo debug)

measure() { # name binary window-title
  local name=$1 bin=$2 title=$3 times=() rss=()
  for _ in $(seq "$runs"); do
    local data; data=$(mktemp -d)
    local start end pid
    start=$(date +%s%N)
    VALECHAT_DATA_DIR=$data GSK_RENDERER=cairo "$bin" >/dev/null 2>&1 &
    pid=$!
    # xdotool's own --sync polls every 500 ms: poll every 5 ms instead.
    until xdotool search --onlyvisible --name "^${title}\$" >/dev/null 2>&1; do sleep 0.005; done
    end=$(date +%s%N)
    sleep 3
    times+=($(( (end - start) / 1000000 )))
    rss+=($(awk '/VmRSS/ {print $2}' "/proc/$pid/status"))
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$data"
    printf '%-12s first window %5d ms   idle RSS %7d KiB\n' "$name" "${times[-1]}" "${rss[-1]}"
  done
  local mt mr
  mt=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mr=$(printf '%s\n' "${rss[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-12s MEDIAN       %5d ms   idle RSS %7d KiB (%d MiB)\n' "$name" "$mt" "$mr" $((mr / 1024))
}

run_all() {
  measure bare-window "$dir/examples/bare_window" "Bare Window"
  measure valechat "$dir/valechat" "ValeChat"
}

if [ -n "${DISPLAY:-}" ]; then
  run_all
else
  # No display: run this script again inside Xvfb and a private D-Bus.
  exec xvfb-run -a -s "-screen 0 1280x900x24" dbus-run-session -- "$0" "$runs" "$profile"
fi
