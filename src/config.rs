//! Build-time configuration: identity, version and install paths.
//!
//! meson passes these values to cargo as `VALECHAT_*` environment variables
//! (see `src/meson.build`); a plain `cargo build` / `cargo test` falls back to
//! the defaults below, which describe a release build installed under `/usr`.
//! `build.rs` re-runs when any of the variables changes.
//!
//! The compiled GResource bundle (`resources/resources.gresource.xml`, built by
//! `build.rs` into `OUT_DIR`) is registered with [`register_resources`].

/// Reads a `VALECHAT_*` variable given to the compiler, or falls back to a default.
macro_rules! build_env {
    ($name:literal, $default:expr) => {
        match option_env!($name) {
            Some(value) => value,
            None => $default,
        }
    };
}

/// Application id, e.g. `io.github.valechat.ValeChat`, or
/// `io.github.valechat.ValeChat.Devel` for the meson `development` profile.
/// Also the name of the desktop file, the icon and the GSettings schema.
pub const APP_ID: &str = build_env!("VALECHAT_APP_ID", "io.github.valechat.ValeChat");

/// Version shown to the user: the crate version, plus `-<git short hash>` in
/// development builds (e.g. `0.1.0-1a2b3c4`).
pub const VERSION: &str = build_env!("VALECHAT_VERSION", env!("CARGO_PKG_VERSION"));

/// meson build profile: `"default"` or `"development"`.
pub const PROFILE: &str = build_env!("VALECHAT_PROFILE", "default");

/// gettext translation domain (`valechat`); the `.mo` files are named after it.
pub const GETTEXT_PACKAGE: &str = build_env!("VALECHAT_GETTEXT_PACKAGE", "valechat");

/// Directory holding `<lang>/LC_MESSAGES/<GETTEXT_PACKAGE>.mo`.
pub const LOCALEDIR: &str = build_env!("VALECHAT_LOCALEDIR", "/usr/share/locale");

/// Directory for ValeChat's own installed data files (`<datadir>/valechat`).
pub const PKGDATADIR: &str = build_env!("VALECHAT_PKGDATADIR", "/usr/share/valechat");

/// ValeChat's own installed libraries (`<libdir>/valechat`: llama.cpp's
/// shared libraries and back-end modules on Linux), relative to the
/// directory of the installed binary (`<bindir>`), e.g.
/// `../lib/x86_64-linux-gnu/valechat`: relative, so that a relocated prefix
/// (Flatpak's `/app`, a Homebrew keg, `meson install --destdir`) keeps
/// working. Set by `build.rs` from meson's values; `None` in a plain cargo
/// build, whose runner finds them in the build tree.
pub const PKGLIBDIR_FROM_BINDIR: Option<&str> = option_env!("VALECHAT_PKGLIBDIR_FROM_BINDIR");

/// The installed directory of llama.cpp's back-end modules, found from the
/// running binary and [`PKGLIBDIR_FROM_BINDIR`]; `None` when this build
/// was not configured by meson or the binary's path is unknown.
#[cfg(feature = "local-models")]
#[must_use]
pub fn installed_llama_backends() -> Option<std::path::PathBuf> {
    let relative = PKGLIBDIR_FROM_BINDIR?;
    let exe = std::env::current_exe().ok()?;
    Some(exe.parent()?.join(relative))
}

/// GResource path under which `resources/` is registered (independent of the
/// profile, so the `.Devel` app must set its resource base path to this).
pub const RESOURCE_BASE_PATH: &str = "/io/github/valechat/ValeChat";

/// Whether this is a development build (meson `-Dprofile=development`): the UI
/// adds the `devel` style class and uses the Devel icon.
pub fn is_development() -> bool {
    PROFILE == "development"
}

/// Registers the GResource bundle compiled by `build.rs` (style sheet and other
/// files under `resources/`) with GIO, so they resolve below
/// [`RESOURCE_BASE_PATH`]. Call once at start-up, before building any widget.
///
/// # Errors
/// Returns the `glib::Error` from GIO if the embedded bundle cannot be parsed
/// (which would mean `build.rs` produced a corrupt file).
pub fn register_resources() -> Result<(), relm4::gtk::glib::Error> {
    relm4::gtk::gio::resources_register_include!("valechat.gresource")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_describe_a_consistent_identity() {
        // meson may override these, but they must keep their shape.
        assert!(APP_ID.starts_with("io.github.valechat.ValeChat"));
        assert_eq!(is_development(), APP_ID.ends_with(".Devel"));
        assert!(VERSION.starts_with(env!("CARGO_PKG_VERSION")));
        assert!(LOCALEDIR.ends_with("locale"));
        assert_eq!(GETTEXT_PACKAGE, "valechat");
    }

    #[test]
    fn resources_register_and_contain_the_style_sheet() {
        register_resources().expect("embedded gresource bundle is valid");
        let path = format!("{RESOURCE_BASE_PATH}/style.css");
        let bytes = relm4::gtk::gio::resources_lookup_data(
            &path,
            relm4::gtk::gio::ResourceLookupFlags::NONE,
        )
        .expect("style.css is in the bundle");
        let css = std::str::from_utf8(&bytes).expect("UTF-8 CSS");
        assert!(css.contains(".message-bubble"));
        for sheet in ["style.css", "style-hc.css"] {
            let path = format!("{RESOURCE_BASE_PATH}/{sheet}");
            let bytes = relm4::gtk::gio::resources_lookup_data(
                &path,
                relm4::gtk::gio::ResourceLookupFlags::NONE,
            )
            .expect("style sheet is in the bundle");
            let css = std::str::from_utf8(&bytes).expect("UTF-8 CSS");
            // High contrast needs libadwaita's named colours, not literals.
            assert!(!css.contains('#'), "{sheet} hard-codes a colour");
            assert!(!css.contains("rgb"), "{sheet} hard-codes a colour");
        }
    }
}
