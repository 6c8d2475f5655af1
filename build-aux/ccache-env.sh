# Sourced by .ci/run and tests/run-all.sh. llama.cpp (the app's default
# `local-models` feature) is C/C++ compiled by llama-cpp-sys-2's build script
# with cmake, and cargo runs that build script once per distinct build-script
# unit: `cargo clippy --all-targets`, meson's `cargo build` and the test
# builds each get their own (their host-side features differ), so without a
# compiler cache llama.cpp would be compiled two or three times in one run.
# With ccache installed (.ci/install-deps --tests installs it) cmake compiles
# through it: the first unit fills the cache and the others hit it.
#
# The object files are the same whatever the build directory: CCACHE_BASEDIR
# rewrites absolute paths to relative ones (the build directories
# target/*/build/llama-cpp-sys-2-HASH/out differ only by the hash, so the
# relative paths are equal), and CCACHE_NOHASHDIR keeps the current
# directory out of the hash (RelWithDebInfo compiles with -g). "/" as the
# base also rewrites system header paths, harmless on one machine.
if command -v ccache >/dev/null; then
    export CMAKE_C_COMPILER_LAUNCHER=ccache
    export CMAKE_CXX_COMPILER_LAUNCHER=ccache
    export CCACHE_BASEDIR=/
    export CCACHE_NOHASHDIR=1
fi
