//! One row of the model picker: a section heading, a model (name, provider,
//! provider status, dim badges for context length / tools / vision, and a
//! favourite star), or a provider whose model list failed.

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use super::entries::{Entry, ModelPriceTag, Section};
use crate::i18n::gettext_f;
use valechat_core::billing::PriceOrigin;
use valechat_core::provider::ModelInfo;
use valechat_core::provider::resilient::BreakerState;
use valechat_core::store::Provider;

/// Builds the row for `entry`; `on_star` runs when its star is clicked.
///
/// The row's widget name is the text searched (empty for headings, which
/// the filter hides while searching). `current` is the `(provider id,
/// model id)` in use, drawn in bold.
pub fn entry_row(
    entry: &Entry,
    current: Option<&(String, String)>,
    on_star: impl Fn() + 'static,
) -> gtk::ListBoxRow {
    match entry {
        Entry::Section(section) => section_row(*section),
        Entry::Model {
            provider,
            model,
            favourite,
            state,
            price,
        } => {
            let is_current = current.is_some_and(|(p, m)| *p == provider.id && *m == model.id);
            let row = model_row(provider, model, *favourite, *state, is_current, on_star);
            if let Some(price) = price {
                add_price_badge(&row, price);
            }
            row
        }
        Entry::Error {
            provider,
            error,
            state,
        } => error_row(provider, error, *state),
    }
}

fn section_row(section: Section) -> gtk::ListBoxRow {
    let title = match section {
        Section::Favourites => gettext("Favourites"),
        Section::AllModels => gettext("All Models"),
    };
    let label = gtk::Label::builder()
        .label(&title)
        .xalign(0.0)
        .margin_top(6)
        .css_classes(["heading", "dim-label"])
        .build();
    gtk::ListBoxRow::builder()
        .child(&label)
        .activatable(false)
        .selectable(false)
        .build()
}

fn model_row(
    provider: &Provider,
    model: &ModelInfo,
    favourite: bool,
    state: BreakerState,
    is_current: bool,
    on_star: impl Fn() + 'static,
) -> gtk::ListBoxRow {
    let title = gtk::Label::builder()
        .label(model.label())
        .xalign(0.0)
        .ellipsize(gtk::pango::EllipsizeMode::End)
        .tooltip_text(&model.id)
        .build();
    if is_current {
        title.add_css_class("heading");
    }
    let details = gtk::Box::builder().spacing(6).build();
    details.append(&caption(&provider.name, &["dim-label"]));
    if let Some(status) = status_label(state) {
        details.append(&status);
    }
    for badge in badges(model) {
        details.append(&badge);
    }
    let text = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .hexpand(true)
        .build();
    text.append(&title);
    text.append(&details);

    let star = star_button(favourite);
    star.connect_clicked(move |_| on_star());
    let content = gtk::Box::builder()
        .spacing(6)
        .margin_top(4)
        .margin_bottom(4)
        .build();
    content.append(&text);
    content.append(&star);

    let row: gtk::ListBoxRow =
        crate::ui::a11y::labelled("GtkListBoxRow", model.label()).unwrap_or_default();
    row.set_child(Some(&content));
    row.set_widget_name(&format!("{} {} {}", model.label(), model.id, provider.name));
    row
}

fn error_row(provider: &Provider, error: &str, state: BreakerState) -> gtk::ListBoxRow {
    let content = gtk::Box::builder()
        .spacing(6)
        .margin_top(4)
        .margin_bottom(4)
        .build();
    if let Some(status) = status_label(state) {
        status.set_valign(gtk::Align::Start);
        content.append(&status);
    }
    let label = gtk::Label::builder()
        .label(gettext_f(
            "{provider}: could not list models: {error}",
            &[("provider", &provider.name), ("error", error)],
        ))
        .wrap(true)
        .xalign(0.0)
        .hexpand(true)
        .css_classes(["caption", "error"])
        .build();
    content.append(&label);
    let row: gtk::ListBoxRow =
        crate::ui::a11y::labelled("GtkListBoxRow", &provider.name).unwrap_or_default();
    row.set_child(Some(&content));
    row.set_activatable(false);
    row.set_widget_name(&provider.name);
    row
}

/// A flat star toggling the favourite, labelled for screen readers.
fn star_button(favourite: bool) -> gtk::Button {
    let (icon, label) = if favourite {
        ("starred-symbolic", gettext("Remove from Favourites"))
    } else {
        ("non-starred-symbolic", gettext("Add to Favourites"))
    };
    let button: gtk::Button = crate::ui::a11y::labelled("GtkButton", &label).unwrap_or_default();
    button.set_icon_name(icon);
    button.set_tooltip_text(Some(&label));
    button.set_valign(gtk::Align::Center);
    button.add_css_class("flat");
    button.add_css_class("circular");
    if !favourite {
        button.add_css_class("dim-label");
    }
    button
}

/// A dot and word for a provider whose breaker is not closed.
fn status_label(state: BreakerState) -> Option<gtk::Label> {
    let (text, class) = match state {
        BreakerState::Closed => return None,
        BreakerState::Open { .. } => (gettext("Unavailable"), "error"),
        BreakerState::HalfOpen => (gettext("Recovering"), "warning"),
    };
    // The dot is a symbol, not a word: it stays out of the translation.
    let label = caption(&format!("\u{25CF} {text}"), &[class]);
    label.set_tooltip_text(Some(&match state {
        BreakerState::HalfOpen => {
            gettext("Recent requests failed; the next one checks the provider")
        }
        _ => gettext("Recent requests failed; the provider is paused for a moment"),
    }));
    Some(label)
}

/// Appends the price badge ("$2.50 / $10 per 1M", or "Free") to a model
/// row's details line.
fn add_price_badge(row: &gtk::ListBoxRow, price: &ModelPriceTag) {
    let Some(details) = row
        .child()
        .and_then(|content| content.first_child())
        .and_then(|text| text.last_child())
        .and_then(|d| d.downcast::<gtk::Box>().ok())
    else {
        return;
    };
    let p = &price.per_million;
    let (text, tooltip) =
        if price.origin == PriceOrigin::Local || (p.input.is_zero() && p.output.is_zero()) {
            (
                gettext("Free"),
                gettext("This model runs without a charge per token"),
            )
        } else {
            let (input, output) = (usd(p.input), usd(p.output));
            (
                gettext_f(
                    "{input} / {output} per 1M",
                    &[("input", &input), ("output", &output)],
                ),
                gettext_f(
                    "Input {input}, output {output} per million tokens",
                    &[("input", &input), ("output", &output)],
                ),
            )
        };
    let badge = caption(&text, &["dim-label"]);
    badge.set_tooltip_text(Some(&tooltip));
    details.append(&badge);
}

/// An amount in US dollars, as everywhere in the app.
fn usd(amount: rust_decimal::Decimal) -> String {
    valechat_core::format::format_usd(amount)
}

/// The dim badges for what is known about `model`.
fn badges(model: &ModelInfo) -> Vec<gtk::Label> {
    let mut badges = Vec::new();
    if let Some(tokens) = model.context_length {
        let badge = caption(&compact_tokens(tokens), &["dim-label"]);
        badge.set_tooltip_text(Some(&gettext_f(
            "Context window: {tokens} tokens",
            &[("tokens", &valechat_core::format::format_count(tokens))],
        )));
        badges.push(badge);
    }
    if model.supports_tools == Some(true) {
        badges.push(caption(&gettext("Tools"), &["dim-label"]));
    }
    if model.supports_vision == Some(true) {
        badges.push(caption(&gettext("Vision"), &["dim-label"]));
    }
    badges
}

fn caption(text: &str, classes: &[&str]) -> gtk::Label {
    let label = gtk::Label::builder().label(text).xalign(0.0).build();
    label.add_css_class("caption");
    for class in classes {
        label.add_css_class(class);
    }
    label
}

/// A token count as a short badge: `128K`, `1M`, `1.5M`. Multiples of 1 024
/// that are not multiples of 1 000 read in binary units (131 072 → `128K`,
/// 1 048 576 → `1M`), others in decimal (128 000 → `128K`, 200 000 →
/// `200K`); below 1 000 the number itself.
pub fn compact_tokens(tokens: u64) -> String {
    let unit = if !tokens.is_multiple_of(1000) && tokens.is_multiple_of(1024) {
        1024
    } else {
        1000
    };
    let (value, suffix) = if tokens >= unit * unit {
        (tokens as f64 / (unit * unit) as f64, "M")
    } else if tokens >= unit {
        (tokens as f64 / unit as f64, "K")
    } else {
        return tokens.to_string();
    };
    // One decimal at most, in the user's locale ("1.5M", "1,5M").
    let value = rust_decimal::Decimal::from_f64_retain(value)
        .unwrap_or_default()
        .round_dp(1)
        .normalize();
    format!("{}{suffix}", valechat_core::format::format_decimal(value))
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::{compact_tokens, usd};

    #[test]
    fn prices_show_at_least_cents_and_every_significant_digit() {
        let d = |s| rust_decimal::Decimal::from_str(s).expect("decimal");
        assert_eq!(usd(d("2.5")), "$2.50");
        assert_eq!(usd(d("10.000000")), "$10.00");
        assert_eq!(usd(d("0.075")), "$0.075");
        assert_eq!(usd(d("0")), "$0.00");
    }

    #[test]
    fn token_counts_shorten_like_model_cards() {
        let cases = [
            (512, "512"),
            (8192, "8K"),
            (131_072, "128K"),
            (128_000, "128K"),
            (200_000, "200K"),
            (32_768, "32K"),
            (1_048_576, "1M"),
            (2_000_000, "2M"),
            (1_500_000, "1.5M"),
            (4096 + 1000, "5.1K"),
            (0, "0"),
        ];
        for (tokens, text) in cases {
            assert_eq!(compact_tokens(tokens), text, "{tokens}");
        }
    }
}
