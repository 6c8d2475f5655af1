//! Translation set-up and gettext helpers with named `{placeholders}`.
//!
//! Translators see whole sentences such as `"{count} tokens left"` and may move
//! the placeholder anywhere; positional `{}` formatting would not allow that.
//! `po/meson.build` tells xgettext that [`gettext_f`] (argument 1) and
//! [`ngettext_f`] (arguments 1 and 2), which the engine defines
//! (`valechat_core::i18n`), carry translatable strings.
//!
//! The catalogues are looked up in [`config::LOCALEDIR`]
//! (`<dir>/<lang>/LC_MESSAGES/valechat.mo`) unless the environment variable
//! [`LOCALEDIR_ENV`] (`VALECHAT_LOCALEDIR`) names another directory at run
//! time: tests point it at the build tree, where meson compiles the catalogues
//! into `<build>/po/<lang>/LC_MESSAGES/valechat.mo`, e.g.
//! `LANG=de_DE.UTF-8 LANGUAGE=de VALECHAT_LOCALEDIR=build/po valechat`.
//! glibc ignores `LANGUAGE` while the locale is `C`/`POSIX`, so `LANG` (or
//! `LC_ALL`/`LC_MESSAGES`) must name a locale that is installed.

use std::ffi::OsString;
use std::path::PathBuf;

use gettextrs::LocaleCategory;

use crate::config;

/// Environment variable that overrides [`config::LOCALEDIR`] at run time: a
/// directory holding `<lang>/LC_MESSAGES/valechat.mo`. Unset or empty means
/// the build-time directory.
pub const LOCALEDIR_ENV: &str = "VALECHAT_LOCALEDIR";

/// The directory [`init`] binds the text domain to: the value of
/// [`LOCALEDIR_ENV`] when it is set and not empty, else [`config::LOCALEDIR`].
pub fn locale_dir() -> PathBuf {
    locale_dir_from(std::env::var_os(LOCALEDIR_ENV))
}

/// [`locale_dir`] for a given value of the override variable.
fn locale_dir_from(value: Option<OsString>) -> PathBuf {
    value
        .filter(|dir| !dir.is_empty())
        .map_or_else(|| PathBuf::from(config::LOCALEDIR), PathBuf::from)
}

/// Sets the process locale from the environment and binds the `valechat`
/// text domain to [`locale_dir`] (normally [`config::LOCALEDIR`]) in UTF-8.
///
/// Failures are logged with `tracing` and leave the UI in English; they never
/// abort start-up.
pub fn init() {
    if gettextrs::setlocale(LocaleCategory::LcAll, "").is_none() {
        tracing::warn!(
            "setlocale(LC_ALL, \"\") failed; the locale from the environment is unsupported"
        );
    }
    let dir = locale_dir();
    if let Err(error) = gettextrs::bindtextdomain(config::GETTEXT_PACKAGE, dir.as_path()) {
        tracing::warn!(
            domain = config::GETTEXT_PACKAGE,
            dir = %dir.display(),
            %error,
            "could not bind the text domain"
        );
    }
    if let Err(error) = gettextrs::bind_textdomain_codeset(config::GETTEXT_PACKAGE, "UTF-8") {
        tracing::warn!(domain = config::GETTEXT_PACKAGE, %error, "could not set the UTF-8 codeset");
    }
    if let Err(error) = gettextrs::textdomain(config::GETTEXT_PACKAGE) {
        tracing::warn!(domain = config::GETTEXT_PACKAGE, %error, "could not select the text domain");
    }
}

pub use valechat_core::i18n::{gettext_f, ngettext_f};

#[cfg(test)]
mod tests {
    // The public helpers are aliased so xgettext does not offer these test
    // strings to translators.
    use std::ffi::OsString;
    use std::path::Path;

    use super::{locale_dir, locale_dir_from};
    use crate::config;

    #[test]
    fn init_binds_the_valechat_domain_in_utf8() {
        super::init();
        let domain = gettextrs::getters::current_textdomain().unwrap();
        assert_eq!(domain, config::GETTEXT_PACKAGE.as_bytes());
        let dir = gettextrs::getters::domain_directory(config::GETTEXT_PACKAGE).unwrap();
        assert_eq!(dir, locale_dir());
        let codeset = gettextrs::getters::textdomain_codeset(config::GETTEXT_PACKAGE).unwrap();
        assert_eq!(codeset.as_deref(), Some("UTF-8"));
    }

    #[test]
    fn the_environment_overrides_the_build_time_locale_dir() {
        let build_tree = OsString::from("/tmp/build/po");
        assert_eq!(
            locale_dir_from(Some(build_tree)),
            Path::new("/tmp/build/po")
        );
    }

    #[test]
    fn unset_or_empty_override_means_the_build_time_locale_dir() {
        assert_eq!(locale_dir_from(None), Path::new(config::LOCALEDIR));
        assert_eq!(
            locale_dir_from(Some(OsString::new())),
            Path::new(config::LOCALEDIR)
        );
    }
}
