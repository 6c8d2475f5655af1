//! Add a price override: provider id, model id, and input / output prices
//! in USD per 1M tokens (validated as non-negative decimals), in an
//! `adw::MessageDialog`. Stored per token by
//! [`Store::set_user_price`](valechat_core::store::Store::set_user_price).

use std::str::FromStr;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use rust_decimal::Decimal;

use valechat_core::billing::price::ModelPrice;

/// A price the person entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceEntry {
    /// Provider id (as configured), e.g. `"openai"`.
    pub provider_id: String,
    /// Model id as the server names it.
    pub model: String,
    /// The prices (converted to USD per token).
    pub price: ModelPrice,
}

/// Reads a price per 1M tokens: a decimal ≥ 0, `$` allowed.
fn per_million(text: &str) -> Option<Decimal> {
    Decimal::from_str(text.trim().trim_start_matches('$'))
        .ok()
        .filter(|d| *d >= Decimal::ZERO)
}

/// Opens the dialog over `parent`, with `provider_id` filled in when
/// given; `save` receives the valid entry.
pub fn ask_price(
    parent: &impl IsA<gtk::Window>,
    provider_id: Option<&str>,
    save: impl Fn(PriceEntry) + 'static,
) {
    let dialog = adw::MessageDialog::new(
        Some(parent),
        Some(&gettext("Add Price")),
        Some(&gettext(
            "Your price replaces the shipped one for this model from now on; earlier usage keeps the price it had.",
        )),
    );
    let provider = adw::EntryRow::builder()
        .title(gettext("Provider id"))
        .text(provider_id.unwrap_or_default())
        .build();
    let model = adw::EntryRow::builder().title(gettext("Model")).build();
    let input = adw::EntryRow::builder()
        .title(gettext("Input, USD per 1M tokens"))
        .build();
    let output = adw::EntryRow::builder()
        .title(gettext("Output, USD per 1M tokens"))
        .build();
    let group = adw::PreferencesGroup::new();
    for row in [&provider, &model, &input, &output] {
        group.add(row);
    }
    group.set_width_request(360);
    dialog.set_extra_child(Some(&group));
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("save", &gettext("Save"));
    dialog.set_response_appearance("save", adw::ResponseAppearance::Suggested);
    dialog.set_close_response("cancel");

    let read = {
        let (provider, model, input, output) = (
            provider.clone(),
            model.clone(),
            input.clone(),
            output.clone(),
        );
        move || -> Option<PriceEntry> {
            let provider_id = provider.text().trim().to_owned();
            let model = model.text().trim().to_owned();
            if provider_id.is_empty() || model.is_empty() {
                return None;
            }
            Some(PriceEntry {
                provider_id,
                model,
                price: ModelPrice::from_per_million(
                    per_million(&input.text())?,
                    per_million(&output.text())?,
                ),
            })
        }
    };
    let check = {
        let (read, dialog) = (read.clone(), dialog.clone());
        move || dialog.set_response_enabled("save", read().is_some())
    };
    check();
    for row in [&provider, &model, &input, &output] {
        let check = check.clone();
        row.connect_changed(move |_| check());
    }
    dialog.connect_response(None, move |_, response| {
        if response == "save"
            && let Some(entry) = read()
        {
            save(entry);
        }
    });
    dialog.present();
}
