#!/bin/bash
# Stands in for `flatpak-spawn --host` in tests/mcp/environment.rs. It
# writes its own argv (NUL-separated) to `argv` and its environment to
# `env` next to itself, sets the variables of `--env=NAME=VALUE` and of
# `--env-fd=FD` (env -0 format), changes to `--directory=DIR`, refuses any
# other option, and execs the command, as flatpak-spawn has the host do.
set -euo pipefail
here=$(dirname "$0")
printf '%s\0' "$0" "$@" > "$here/argv"
env -0 > "$here/env"
while [ $# -gt 0 ]; do
    case "$1" in
        --host|--watch-bus) ;;
        --directory=*) cd "${1#--directory=}" ;;
        --env=*) export "${1#--env=}" ;;
        --env-fd=*)
            fd=${1#--env-fd=}
            while IFS= read -r -d '' pair; do
                export "${pair?}"
            done <&"$fd"
            eval "exec $fd<&-"
            ;;
        -*) echo "fake-flatpak-spawn: unexpected option $1" >&2; exit 2 ;;
        *) break ;;
    esac
    shift
done
exec "$@"
