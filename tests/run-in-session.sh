#!/bin/bash
# Usage: tests/run-in-session.sh CMD [ARGS...]
#
# Runs CMD the way a desktop session would, but private and throw-away:
#   - a fresh HOME and XDG_* directories in a temporary directory;
#   - a private D-Bus session bus (dbus-run-session);
#   - gnome-keyring-daemon with an unlocked "login" keyring (empty password),
#     so the Secret Service has a default collection;
#   - the AT-SPI accessibility bus, for UI tests that read the widget tree;
#   - an Xvfb X server on a free display; GSETTINGS_BACKEND=memory and
#     GSK_RENDERER=cairo.
# Exits with CMD's exit status. cargo and rustup keep using the caller's
# CARGO_HOME and RUSTUP_HOME.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

log() { echo "run-in-session: $*" >&2; }

if [ -z "${VALECHAT_SESSION_DIR:-}" ]; then
    # Outer half: private directories, then re-run this script on a new bus.
    for tool in dbus-run-session gnome-keyring-daemon Xvfb; do
        command -v "$tool" >/dev/null || { log "$tool is missing; run .ci/install-deps"; exit 2; }
    done
    export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
    export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
    session_dir=$(mktemp -d "${TMPDIR:-/tmp}/valechat-session.XXXXXX")
    trap 'rm -rf "$session_dir"' EXIT
    export VALECHAT_SESSION_DIR="$session_dir"
    export HOME="$session_dir/home"
    export XDG_DATA_HOME="$HOME/.local/share"
    export XDG_CONFIG_HOME="$HOME/.config"
    export XDG_CACHE_HOME="$HOME/.cache"
    export XDG_STATE_HOME="$HOME/.local/state"
    export XDG_RUNTIME_DIR="$session_dir/runtime"
    mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
    mkdir -m 700 "$XDG_RUNTIME_DIR"
    unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY NO_AT_BRIDGE \
        GNOME_KEYRING_CONTROL SSH_AUTH_SOCK AT_SPI_BUS_ADDRESS
    status=0
    dbus-run-session -- "$0" "$@" || status=$?
    exit "$status"
fi

# Inner half: we are on the private session bus.
# meson sets a random MALLOC_PERTURB_ for each test; keep it away from the
# session's servers (Xvfb, keyring, AT-SPI), which are not under test.
perturb=${MALLOC_PERTURB_:-}
unset MALLOC_PERTURB_
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

# Waits until a well-known name is owned on the session bus (up to ~10 s).
wait_for_name() {
    for _ in $(seq 100); do
        if dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
            org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'; then
            return 0
        fi
        sleep 0.1
    done
    log "$1 did not appear on the session bus"
    return 1
}

# X server on a display picked at random in :100–:899, not the lowest free
# one: consecutive sessions would otherwise reuse :0 while the previous
# server is still removing its socket, and a client of the new one then
# finds no display. -displayfd reports when the server accepts clients; a
# taken display makes Xvfb exit, and the next number is tried.
# -noreset: Xvfb otherwise resets when its last client (the AT-SPI bus
# launcher) disconnects, and an app connecting during the reset gets
# "cannot open display" (seen in about one run in three of ui-tools).
display_file="$VALECHAT_SESSION_DIR/display"
xvfb_pid=""
for number in $(shuf -i 100-899 -n 20); do
    [ -e "/tmp/.X$number-lock" ] && continue
    : >"$display_file"
    Xvfb ":$number" -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp -noreset \
        3>"$display_file" 2>"$VALECHAT_SESSION_DIR/xvfb.log" &
    xvfb_pid=$!
    for _ in $(seq 100); do
        [ -s "$display_file" ] && break
        kill -0 "$xvfb_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -s "$display_file" ] && [ -S "/tmp/.X11-unix/X$number" ]; then
        pids+=("$xvfb_pid")
        break
    fi
    kill "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
    xvfb_pid=""
done
if [ -z "$xvfb_pid" ]; then
    log "Xvfb did not start:"; cat "$VALECHAT_SESSION_DIR/xvfb.log" >&2
    exit 2
fi
export DISPLAY=":$(head -n1 "$display_file")"

# Secret Service: create and unlock the login keyring with an empty password
# (a bare newline: a stdin with no bytes at all leaves the keyring uncreated).
echo | gnome-keyring-daemon --foreground --unlock --components=secrets \
    >"$VALECHAT_SESSION_DIR/keyring.env" 2>"$VALECHAT_SESSION_DIR/keyring.log" &
pids+=($!)
wait_for_name org.freedesktop.secrets || { cat "$VALECHAT_SESSION_DIR/keyring.log" >&2; exit 2; }

# Accessibility bus (the registry daemon is started on demand by the bus).
atspi_launcher=""
for candidate in /usr/libexec/at-spi-bus-launcher /usr/lib/at-spi2-core/at-spi-bus-launcher; do
    [ -x "$candidate" ] && { atspi_launcher=$candidate; break; }
done
if [ -n "$atspi_launcher" ]; then
    "$atspi_launcher" --launch-immediately 2>"$VALECHAT_SESSION_DIR/atspi.log" &
    pids+=($!)
    wait_for_name org.a11y.Bus || exit 2
else
    log "at-spi-bus-launcher not found; accessibility tests will fail"
fi

export GSETTINGS_BACKEND=memory
export GSK_RENDERER=cairo
export GDK_BACKEND=x11
export LIBGL_ALWAYS_SOFTWARE=1

status=0
if [ -n "$perturb" ]; then export MALLOC_PERTURB_=$perturb; fi
"$@" || status=$?
exit "$status"
