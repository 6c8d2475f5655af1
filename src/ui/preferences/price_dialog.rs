//! Add a price override: provider id, model id, and input / output prices
//! in USD per 1M tokens (validated as non-negative decimals), in an
//! `adw::MessageDialog`. Stored per token by
//! [`Store::set_user_price`](valechat_core::store::Store::set_user_price).
//!
//! [`PriceDialog`] is a component: Preferences → Billing launches it
//! over its window and forwards [`PriceDialogOutput::Save`].
//! libadwaita destroys the dialog once it has answered.

use std::str::FromStr;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
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

/// The Add Price dialog's entries.
#[derive(Clone)]
struct Rows {
    provider: adw::EntryRow,
    model: adw::EntryRow,
    input: adw::EntryRow,
    output: adw::EntryRow,
}

impl Rows {
    /// The entry typed, when every field is valid.
    fn read(&self) -> Option<PriceEntry> {
        let provider_id = self.provider.text().trim().to_owned();
        let model = self.model.text().trim().to_owned();
        if provider_id.is_empty() || model.is_empty() {
            return None;
        }
        Some(PriceEntry {
            provider_id,
            model,
            price: ModelPrice::from_per_million(
                per_million(&self.input.text())?,
                per_million(&self.output.text())?,
            ),
        })
    }
}

/// The Add Price dialog.
pub struct PriceDialog {
    rows: Rows,
}

impl std::fmt::Debug for PriceDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PriceDialog").finish_non_exhaustive()
    }
}

/// What the dialog is told.
#[derive(Debug)]
pub enum PriceDialogInput {
    /// The user answered with this response id (`save` or `cancel`).
    Respond(String),
}

/// What the dialog tells its owner.
#[derive(Debug)]
pub enum PriceDialogOutput {
    /// Store this valid price.
    Save(PriceEntry),
}

impl Component for PriceDialog {
    type CommandOutput = ();
    type Input = PriceDialogInput;
    type Output = PriceDialogOutput;
    /// The window it belongs to, and the provider id to fill in, if any.
    type Init = (gtk::Window, Option<String>);
    type Root = adw::MessageDialog;
    type Widgets = ();

    fn init_root() -> Self::Root {
        adw::MessageDialog::new(
            None::<&gtk::Window>,
            Some(&gettext("Add Price")),
            Some(&gettext(
                "Your price replaces the shipped one for this model from now on; earlier usage keeps the price it had.",
            )),
        )
    }

    /// Fills the dialog and shows it over `parent`.
    fn init(
        (parent, provider_id): Self::Init,
        dialog: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        dialog.set_transient_for(Some(&parent));
        let rows = Rows {
            provider: adw::EntryRow::builder()
                .title(gettext("Provider id"))
                .text(provider_id.unwrap_or_default())
                .build(),
            model: adw::EntryRow::builder().title(gettext("Model")).build(),
            input: adw::EntryRow::builder()
                .title(gettext("Input, USD per 1M tokens"))
                .build(),
            output: adw::EntryRow::builder()
                .title(gettext("Output, USD per 1M tokens"))
                .build(),
        };
        let all = [&rows.provider, &rows.model, &rows.input, &rows.output];
        let group = adw::PreferencesGroup::new();
        for row in all {
            group.add(row);
        }
        group.set_width_request(360);
        dialog.set_extra_child(Some(&group));
        dialog.add_response("cancel", &gettext("Cancel"));
        dialog.add_response("save", &gettext("Save"));
        dialog.set_response_appearance("save", adw::ResponseAppearance::Suggested);
        dialog.set_close_response("cancel");
        let check = {
            let (rows, dialog) = (rows.clone(), dialog.clone());
            move || dialog.set_response_enabled("save", rows.read().is_some())
        };
        check();
        for row in all {
            let check = check.clone();
            row.connect_changed(move |_| check());
        }
        let input = sender.input_sender().clone();
        dialog.connect_response(None, move |_, response| {
            input.emit(PriceDialogInput::Respond(response.to_owned()));
        });
        dialog.present();
        ComponentParts {
            model: PriceDialog { rows },
            widgets: (),
        }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>, _: &Self::Root) {
        let PriceDialogInput::Respond(response) = message;
        if response == "save"
            && let Some(entry) = self.rows.read()
        {
            let _ = sender.output(PriceDialogOutput::Save(entry));
        }
    }
}
