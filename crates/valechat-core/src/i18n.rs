//! gettext helpers with named `{placeholders}`, for the engine's own
//! user-facing sentences (and re-exported by the app's `i18n`).
//!
//! Translators see whole sentences such as `"{count} tokens left"` and may move
//! the placeholder anywhere; positional `{}` formatting would not allow that.
//! The engine only translates: binding the `valechat` text domain to a
//! catalogue directory is the front end's job (the app's `i18n::init`); with
//! no domain bound, every string passes through unchanged (English).

use gettextrs::{gettext, ngettext};

/// Translates `msgid`, then replaces every `{name}` with the value paired with
/// `name` in `args`.
///
/// Placeholders without a matching argument are left as written, and values
/// are inserted verbatim (a value containing `{x}` is not expanded again).
///
/// ```
/// # use valechat_core::i18n::gettext_f;
/// assert_eq!(gettext_f("{count} tokens", &[("count", "12")]), "12 tokens");
/// ```
#[must_use]
pub fn gettext_f(msgid: &str, args: &[(&str, &str)]) -> String {
    substitute(&gettext(msgid), args)
}

/// Translates `singular` / `plural` for the count `n` (the language's plural
/// rules choose the form), then replaces `{name}` placeholders as
/// [`gettext_f`] does. `n` is usually also passed in `args` for display.
#[must_use]
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
        if let Some((value, close)) = value {
            out.push_str(value);
            rest = &after[close + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    // The public helpers are aliased so xgettext does not offer these test
    // strings to translators.
    use super::{gettext_f as translate_f, ngettext_f as translate_plural_f, substitute};

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
