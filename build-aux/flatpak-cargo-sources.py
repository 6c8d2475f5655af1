#!/usr/bin/env python3
"""Writes flatpak/cargo-sources.json: the crates of Cargo.lock as
flatpak-builder sources, so the Flatpak builds offline (as Flathub requires).

For every package of Cargo.lock that comes from crates.io it emits
  - an `archive` source: https://static.crates.io/crates/NAME/NAME-VERSION.crate
    with the sha256 from Cargo.lock's `checksum`, unpacked into
    cargo/vendor/NAME-VERSION (the .crate's top directory is stripped);
  - an `inline` .cargo-checksum.json in that directory (the package checksum,
    no per-file sums), which cargo requires of a vendored crate;
and, once, an inline cargo/config.toml that replaces crates.io with the
vendor directory and turns cargo offline. The manifest sets CARGO_HOME to
<build dir>/cargo, so cargo reads that file; relative paths in it resolve
against the build directory.

Path dependencies (the workspace itself) are skipped; git and other
registries are refused, since nothing would fetch them offline.

Usage:
  build-aux/flatpak-cargo-sources.py [Cargo.lock] [-o flatpak/cargo-sources.json]
  build-aux/flatpak-cargo-sources.py --check     # fails if the file is stale

Standard library only (Python 3.11+, for tomllib).
"""

import argparse
import json
import sys
import tomllib
from pathlib import Path

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"
DOWNLOAD_URL = "https://static.crates.io/crates/{name}/{name}-{version}.crate"
VENDOR_DIR = "cargo/vendor"
CARGO_CONFIG = f"""[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "{VENDOR_DIR}"

[net]
offline = true
"""


class LockError(Exception):
    pass


def sources_for(lock: dict) -> list[dict]:
    """The flatpak-builder sources for a parsed Cargo.lock."""
    if lock.get("version", 1) < 3:
        raise LockError("Cargo.lock version 3 or later is needed (checksums inline)")
    out = []
    for package in sorted(lock.get("package", []), key=lambda p: (p["name"], p["version"])):
        source = package.get("source")
        if source is None:
            continue  # a path dependency: the project itself
        name, version = package["name"], package["version"]
        if source != CRATES_IO:
            raise LockError(f"{name} {version} comes from {source}; only crates.io is supported")
        checksum = package.get("checksum")
        if not checksum:
            raise LockError(f"{name} {version} has no checksum in Cargo.lock")
        dest = f"{VENDOR_DIR}/{name}-{version}"
        out.append({
            "type": "archive",
            "archive-type": "tar-gzip",
            "url": DOWNLOAD_URL.format(name=name, version=version),
            "sha256": checksum,
            "dest": dest,
        })
        out.append({
            "type": "inline",
            "contents": json.dumps({"package": checksum, "files": {}}),
            "dest": dest,
            "dest-filename": ".cargo-checksum.json",
        })
    out.append({
        "type": "inline",
        "contents": CARGO_CONFIG,
        "dest": "cargo",
        "dest-filename": "config.toml",
    })
    return out


def render(lock_path: Path) -> str:
    with lock_path.open("rb") as f:
        lock = tomllib.load(f)
    return json.dumps(sources_for(lock), indent=4) + "\n"


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lock", nargs="?", type=Path, default=root / "Cargo.lock")
    parser.add_argument("-o", "--output", type=Path, default=root / "flatpak" / "cargo-sources.json")
    parser.add_argument("--check", action="store_true", help="compare with the output file instead of writing it")
    args = parser.parse_args()
    try:
        text = render(args.lock)
    except (LockError, OSError, tomllib.TOMLDecodeError, KeyError) as e:
        print(f"flatpak-cargo-sources: {args.lock}: {e}", file=sys.stderr)
        return 1
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date with {args.lock}; run {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{args.output} matches {args.lock}")
        return 0
    args.output.write_text(text)
    crates = sum(1 for s in json.loads(text) if s["type"] == "archive")
    print(f"wrote {args.output}: {crates} crates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
