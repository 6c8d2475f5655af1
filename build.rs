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
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    pack_relative_relocations();
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
