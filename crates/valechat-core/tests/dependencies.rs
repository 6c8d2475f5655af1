//! The engine stays free of GUI libraries (DESIGN.md, Layers): nothing in
//! `valechat-core`'s normal dependency tree may be GTK, `GLib`, GIO, cairo,
//! libadwaita, Relm4 or `GtkSourceView`, so the CLI, the MCP-server mode and
//! the WebSocket API can run where none of them is installed.
//!
//! Reads the tree with `cargo tree -p valechat-core -e normal` (the cargo
//! that runs this test, offline: `Cargo.lock` pins everything).

use std::process::Command;

/// Crate names (or prefixes ending in `-`) that must not appear.
const FORBIDDEN: &[&str] = &[
    "gtk4",
    "gtk4-",
    "gdk4",
    "gdk4-",
    "gsk4",
    "glib",
    "glib-",
    "gio",
    "gio-",
    "gobject-",
    "cairo-",
    "pango",
    "pango-",
    "libadwaita",
    "libadwaita-",
    "relm4",
    "relm4-",
    "sourceview5",
    "sourceview5-",
    "graphene-",
];

fn forbidden(name: &str) -> bool {
    FORBIDDEN.iter().any(|f| {
        if f.ends_with('-') {
            name.starts_with(f)
        } else {
            name == *f
        }
    })
}

/// The crate names of `valechat-core`'s normal dependency tree.
fn core_tree() -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "valechat-core",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .args(["--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("cargo tree prints UTF-8")
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn the_core_has_no_gui_library_in_its_dependency_tree() {
    let tree = core_tree();
    assert!(
        tree.iter().any(|name| name == "diesel") && tree.iter().any(|name| name == "rmcp"),
        "the tree read is not the core's: {tree:?}"
    );
    let mut found: Vec<&String> = tree.iter().filter(|name| forbidden(name)).collect();
    found.sort();
    found.dedup();
    assert!(
        found.is_empty(),
        "valechat-core depends on GUI crates: {found:?}"
    );
}

#[test]
fn the_check_recognises_gui_crates() {
    for name in [
        "gtk4",
        "gtk4-sys",
        "glib",
        "glib-sys",
        "gio",
        "cairo-rs",
        "libadwaita",
        "relm4",
        "sourceview5",
        "pango",
    ] {
        assert!(forbidden(name), "{name} is not caught");
    }
    for name in [
        "diesel",
        "tokio",
        "rmcp",
        "giota",
        "glibc-version",
        "pangolin",
    ] {
        assert!(!forbidden(name), "{name} is caught");
    }
}
