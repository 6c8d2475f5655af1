#!/bin/sh
# Called by src/meson.build: cargo-build.sh SOURCE_ROOT debug|release OUTPUT
# Builds the `valechat` binary and copies it to meson's OUTPUT path.
# CARGO_TARGET_DIR and the VALECHAT_* variables come from meson's environment.
#
# On Linux llama.cpp is a set of shared libraries and back-end modules
# (crates/valechat-core/src/local/runtime/backends.rs). They are copied next
# to OUTPUT from the directory llama-cpp-sys-2's build script installed them
# to in this very build (cargo's build-script-executed message names it), so
# the binary in meson's build tree runs (RUNPATH $ORIGIN) and
# install-llama-libs.sh installs them.
set -eu
source_root=$1
mode=$2
# Absolute: the build runs from the source tree below.
output=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
messages=$(dirname "$output")/cargo-messages.json

# From the source tree, so that cargo reads its .cargo/config.toml (the
# build directory may be anywhere).
cd "$source_root"
if [ "$mode" = release ]; then
    profile=--release
else
    profile=
fi
# shellcheck disable=SC2086 # $profile is one word or none
cargo build $profile --manifest-path "$source_root/Cargo.toml" --bin valechat \
    --message-format=json-render-diagnostics >"$messages"
cp "$CARGO_TARGET_DIR/$mode/valechat" "$output"

out_dir=$(grep '"reason":"build-script-executed"' "$messages" \
    | grep '"package_id":"[^"]*llama-cpp-sys-2' \
    | sed -n 's/.*"out_dir":"\([^"]*\)".*/\1/p' | tail -n 1)
rm -f "$messages"
# The libraries the binary needs from that directory (by their SONAME, with
# what they need in turn), and every back-end module.
needed() {
    readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
}
if [ -n "$out_dir" ] && [ "$(uname -s)" = Linux ]; then
    dest=$(dirname "$output")
    rm -f "$dest"/libllama*.so* "$dest"/libggml*.so*
    queue=$(needed "$output")
    while [ -n "$queue" ]; do
        next=
        for name in $queue; do
            src="$out_dir/lib/$name"
            if [ -e "$src" ] && [ ! -e "$dest/$name" ]; then
                # Hard links where the file systems allow: the libraries are
                # large (with debug information in a debug build).
                real=$(readlink -f "$src")
                ln -f "$real" "$dest/$name" 2>/dev/null || cp -f "$real" "$dest/$name"
                next="$next $(needed "$src")"
            fi
        done
        queue=$next
    done
    for f in "$out_dir"/backends/*.so; do
        [ -e "$f" ] || continue
        ln -f "$f" "$dest/" 2>/dev/null || cp -f "$f" "$dest/"
    done
fi
