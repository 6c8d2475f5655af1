#!/bin/bash
# Installs what tests/providers/llamacpp.rs needs, in the virtualenv
# tests/llamacpp/venv:
# - llama-cpp-python[server] (PyPI, pinned), whose install compiles llama.cpp
#   from source with cmake and a C++ compiler (minutes on two cores);
# - gguf (PyPI, pinned), used by make_tiny_model.py to write a tiny
#   random-weights model offline.
# Idempotent: nothing is reinstalled when the pinned versions are present.
# Needs python3 with the venv module, cmake and build-essential (Debian
# packages python3-venv, cmake, build-essential: see .ci/install-deps).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
llama_version="0.3.36"
gguf_version="0.19.0"
venv="$here/venv"

installed() {
    "$venv/bin/pip" show "$1" 2>/dev/null | grep -x "Version: $2" >/dev/null
}

if [ -x "$venv/bin/python" ] && installed llama_cpp_python "$llama_version" \
    && installed gguf "$gguf_version" \
    && "$venv/bin/python" -c "import llama_cpp.server, gguf" 2>/dev/null; then
    echo "install-peers: llama-cpp-python $llama_version and gguf $gguf_version are installed"
    exit 0
fi

echo "install-peers: installing llama-cpp-python[server]==$llama_version and gguf==$gguf_version in $venv"
echo "install-peers: (llama.cpp is compiled from source; this takes several minutes)"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
# A portable CPU build (no -march=native: the venv may be reused on another
# CPU of the same kind), without the examples and tools llama.cpp would build.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
"$venv/bin/pip" install --quiet --no-cache-dir \
    "llama-cpp-python[server]==$llama_version" "gguf==$gguf_version"
"$venv/bin/python" -c "import llama_cpp.server, gguf; print('install-peers: llama_cpp', llama_cpp.__version__)"
