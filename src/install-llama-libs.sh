#!/bin/sh
# meson install script: install-llama-libs.sh BUILD_DIR PKGLIBDIR
# Installs llama.cpp's shared libraries and back-end modules, which
# cargo-build.sh put next to the binary in BUILD_DIR, to PKGLIBDIR (under
# $DESTDIR when set). A build without llama.cpp has none: nothing to do.
set -eu
build_dir=$1
dest="${DESTDIR:-}$2"
found=
for f in "$build_dir"/libllama*.so* "$build_dir"/libggml*.so*; do
    [ -e "$f" ] || continue
    if [ -z "$found" ]; then
        mkdir -p "$dest"
        found=1
    fi
    cp -f "$f" "$dest/"
    echo "Installing $(basename "$f") to $dest"
done
