#!/bin/sh
# Called by src/meson.build: cargo-build.sh SOURCE_ROOT debug|release OUTPUT
# Builds the `valechat` binary and copies it to meson's OUTPUT path.
# CARGO_TARGET_DIR and the VALECHAT_* variables come from meson's environment.
set -eu
source_root=$1
mode=$2
output=$3

if [ "$mode" = release ]; then
    cargo build --release --manifest-path "$source_root/Cargo.toml" --bin valechat
else
    cargo build --manifest-path "$source_root/Cargo.toml" --bin valechat
fi
cp "$CARGO_TARGET_DIR/$mode/valechat" "$output"
