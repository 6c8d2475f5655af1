//! Compiles `resources/resources.gresource.xml` into `$OUT_DIR/valechat.gresource`
//! so `gio::resources_register_include!` works with plain cargo as well as meson.

fn main() {
    glib_build_tools::compile_resources(
        &["resources"],
        "resources/resources.gresource.xml",
        "valechat.gresource",
    );
    println!("cargo:rerun-if-changed=resources");
    println!("cargo:rerun-if-changed=data/icons");
    for var in [
        "VALECHAT_APP_ID",
        "VALECHAT_VERSION",
        "VALECHAT_PROFILE",
        "VALECHAT_GETTEXT_PACKAGE",
        "VALECHAT_LOCALEDIR",
        "VALECHAT_PKGDATADIR",
        "VALECHAT_PKGLIBDIR",
        "VALECHAT_BINDIR",
        "DEP_LLAMA_BACKENDS_DIR",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    pack_relative_relocations();
    llama_runpath();
}

/// On Linux, llama.cpp is built as shared libraries plus back-end modules
/// (see `crates/valechat-core/src/local/runtime/backends.rs`). The binary
/// finds the libraries through its RUNPATH:
/// - `$ORIGIN`, its own directory: meson's build directory, where
///   `src/cargo-build.sh` copies them;
/// - once installed, meson's `<libdir>/valechat`, written relative to
///   `<bindir>` so that a relocated prefix (Flatpak's `/app`, a Homebrew
///   keg) still finds it;
/// - in a plain cargo build, first, the directory llama-cpp-sys-2's build
///   script installed them to.
///
/// `cargo test` and `cargo run` also put that directory on
/// `LD_LIBRARY_PATH`, which comes before RUNPATH.
fn llama_runpath() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os != "linux" || std::env::var_os("CARGO_FEATURE_LOCAL_MODELS").is_none() {
        return;
    }
    let mut paths = vec!["$ORIGIN".to_owned()];
    if let (Ok(bindir), Ok(pkglibdir)) = (
        std::env::var("VALECHAT_BINDIR"),
        std::env::var("VALECHAT_PKGLIBDIR"),
    ) {
        let from_bindir = relative(&bindir, &pkglibdir);
        paths.push(format!("$ORIGIN/{from_bindir}"));
        // The runner looks for the back-end modules there too (src/config.rs).
        println!("cargo:rustc-env=VALECHAT_PKGLIBDIR_FROM_BINDIR={from_bindir}");
    } else if let Some(lib) = std::env::var_os("DEP_LLAMA_BACKENDS_DIR")
        .map(std::path::PathBuf::from)
        .and_then(|backends| Some(backends.parent()?.join("lib")))
    {
        // A plain cargo build (not configured by meson, so never
        // installed): the build script's own library directory, so that
        // `target/debug/valechat` runs without `cargo run`. First: the
        // copies llama-cpp-sys-2 makes beside the binary are never
        // replaced (`if !dst.exists()`), so after an upgrade of the
        // binding they are the old libraries.
        paths.insert(0, lib.display().to_string());
    }
    println!("cargo:rustc-link-arg-bins=-Wl,-rpath,{}", paths.join(":"));
}

/// The path of the absolute path `to` relative to the absolute directory
/// `from`: `relative("/usr/bin", "/usr/lib/valechat")` is `../lib/valechat`.
fn relative(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').filter(|c| !c.is_empty()).collect();
    let to: Vec<&str> = to.split('/').filter(|c| !c.is_empty()).collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts = vec![".."; from.len() - common];
    parts.extend(&to[common..]);
    parts.join("/")
}

/// Links the `valechat` binary with packed relative relocations (`DT_RELR`,
/// GNU ld 2.38+ and glibc 2.36+, both older than GTK 4.8's distributions).
/// A position-independent Rust binary has one relative relocation per
/// pointer in its read-only data (vtables, string slices): about 61,000
/// here, 1.4 MiB of `.rela.dyn` that the dynamic loader reads, and so keeps
/// resident, at every start. Packed, they take a few KiB. Only for Linux
/// with glibc: macOS's linker has no such option.
fn pack_relative_relocations() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
