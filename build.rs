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
}
