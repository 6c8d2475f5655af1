//! Translation set-up and gettext helpers with named `{placeholders}`.
//!
//! Translators see whole sentences such as `"{count} tokens left"` and may move
//! the placeholder anywhere; positional `{}` formatting would not allow that.
//! `po/meson.build` tells xgettext that [`gettext_f`] (argument 1) and
//! [`ngettext_f`] (arguments 1 and 2) carry translatable strings.
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

use gettextrs::{LocaleCategory, gettext, ngettext};

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

/// Translates `msgid`, then replaces every `{name}` with the value paired with
/// `name` in `args`.
///
/// Placeholders without a matching argument are left as written, and values
/// are inserted verbatim (a value containing `{x}` is not expanded again).
///
/// ```
/// # use valechat::i18n::gettext_f;
/// assert_eq!(gettext_f("{count} tokens", &[("count", "12")]), "12 tokens");
/// ```
pub fn gettext_f(msgid: &str, args: &[(&str, &str)]) -> String {
    substitute(&gettext(msgid), args)
}

/// Translates `singular` / `plural` for the count `n` (the language's plural
/// rules choose the form), then replaces `{name}` placeholders as
/// [`gettext_f`] does. `n` is usually also passed in `args` for display.
pub fn ngettext_f(singular: &str, plural: &str, n: u32, args: &[(&str, &str)]) -> String {
    substitute(&ngettext(singular, plural, n), args)
}

/// Single left-to-right pass replacing `{name}` by its value from `args`.
fn substitute(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    // The public helpers are aliased so xgettext does not offer these test
    // strings to translators.
    use std::ffi::OsString;
    use std::path::Path;

    use super::{
        gettext_f as translate_f, locale_dir, locale_dir_from, ngettext_f as translate_plural_f,
        substitute,
    };
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

    #[test]
    fn replaces_named_placeholders_in_any_order() {
        let text = substitute(
            "{spent} of {limit} spent on {provider}",
            &[
                ("limit", "$10.00"),
                ("provider", "OpenAI"),
                ("spent", "$2.50"),
            ],
        );
        assert_eq!(text, "$2.50 of $10.00 spent on OpenAI");
    }

    #[test]
    fn repeats_and_unknown_placeholders() {
        assert_eq!(substitute("{a}{a} {b}", &[("a", "x")]), "xx {b}");
        assert_eq!(substitute("open { brace", &[("a", "x")]), "open { brace");
        assert_eq!(substitute("{a", &[("a", "x")]), "{a");
        assert_eq!(substitute("{{a}}", &[("a", "x")]), "{x}");
    }

    #[test]
    fn values_are_not_expanded_again() {
        assert_eq!(
            substitute("{a} and {b}", &[("a", "{b}"), ("b", "B")]),
            "{b} and B"
        );
    }

    #[test]
    fn keeps_non_ascii_text_intact() {
        assert_eq!(
            substitute("Gespräch „{title}“ löschen?", &[("title", "Ünïcödé")]),
            "Gespräch „Ünïcödé“ löschen?"
        );
    }

    #[test]
    fn untranslated_strings_pass_through_gettext() {
        // No catalogue is bound for these ids, so gettext returns them unchanged.
        assert_eq!(
            translate_f("Delete “{name}”?", &[("name", "Plans")]),
            "Delete “Plans”?"
        );
    }

    #[test]
    fn ngettext_f_chooses_the_english_form_by_count() {
        let one = translate_plural_f("{n} message", "{n} messages", 1, &[("n", "1")]);
        let many = translate_plural_f("{n} message", "{n} messages", 3, &[("n", "3")]);
        let none = translate_plural_f("{n} message", "{n} messages", 0, &[("n", "0")]);
        assert_eq!(one, "1 message");
        assert_eq!(many, "3 messages");
        assert_eq!(none, "0 messages");
    }
}
