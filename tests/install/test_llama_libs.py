#!/usr/bin/env python3
"""meson test `install-llama-libs`: llama.cpp's shared libraries and
back-end modules are installed, and the installed binary runs on them.

`meson install --destdir` into a temporary directory, then:
- the installed `valechat` resolves libllama.so, libggml.so and
  libggml-base.so inside that directory (its RUNPATH is relative to the
  binary, `$ORIGIN/../<libdir>/valechat`), not in the build tree;
- `valechat models info --hardware --format json` from there starts its
  runner, which loads a CPU back end from the installed directory: the
  module's file is under the temporary directory.

Linux only (elsewhere llama.cpp is linked into the binary); a build without
llama.cpp (cargo feature local-models off) installs none and is skipped
(exit code 77).

Usage: test_llama_libs.py BUILD_ROOT BINDIR
"""

import json
import os
import subprocess
import sys
import tempfile

SKIP = 77


def main():
    build_root, bindir = sys.argv[1], sys.argv[2]
    if not sys.platform.startswith("linux"):
        print("not Linux: llama.cpp is linked into the binary")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        destdir = os.path.join(tmp, "root")
        subprocess.run(
            ["meson", "install", "-C", build_root, "--destdir", destdir,
             "--no-rebuild", "--quiet"],
            check=True)
        exe = destdir + bindir + "/valechat"
        ldd = subprocess.run(["ldd", exe], capture_output=True, text=True,
                             check=True, env=clean_env(tmp)).stdout
        if "libllama" not in ldd:
            print("this build has no llama.cpp (cargo feature local-models off)")
            return SKIP
        for lib in ("libllama.so", "libggml.so", "libggml-base.so"):
            lines = [l for l in ldd.splitlines() if l.strip().startswith(lib)]
            assert lines, f"{lib} not among the binary's libraries:\n{ldd}"
            resolved = lines[0].split("=>")[1].strip()
            assert resolved.startswith(destdir), \
                f"{lib} resolves to {resolved}, not inside {destdir}"
            print(f"{lib} => {resolved}")

        run = subprocess.run(
            [exe, "models", "info", "--hardware", "--format", "json"],
            capture_output=True, text=True, timeout=120, env=clean_env(tmp))
        assert run.returncode == 0, \
            f"models info --hardware failed ({run.returncode}):\n{run.stdout}\n{run.stderr}"
        report = json.loads(run.stdout)
        module = report.get("cpu_backend_file") or ""
        assert module.startswith(destdir), \
            f"the CPU back end came from {module!r}, not from inside {destdir}: {report}"
        assert report.get("cpu_backend", "").startswith("cpu-"), report
        assert any(d.startswith("CPU") for d in report["devices"]), report
        print(f"CPU back end {report['cpu_backend']} from {module}")
    return 0


def clean_env(tmp):
    """The environment of a user's session: no library path or module
    directory pointing into the build tree, and a home of its own."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_LIBRARY_PATH", "VALECHAT_LLAMA_BACKENDS_DIR")}
    home = os.path.join(tmp, "home")
    env.update(HOME=home, XDG_DATA_HOME=os.path.join(home, "data"),
               XDG_CONFIG_HOME=os.path.join(home, "config"),
               XDG_CACHE_HOME=os.path.join(home, "cache"),
               XDG_STATE_HOME=os.path.join(home, "state"))
    return env


if __name__ == "__main__":
    sys.exit(main())
