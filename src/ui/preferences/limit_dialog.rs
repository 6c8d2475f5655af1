//! Add / edit a spending limit: an `adw::MessageDialog` holding a scope
//! combo, the target (provider id, `provider/model`, or conversation id,
//! shown only for scopes that need one), the amount in USD (validated as a
//! decimal), hard or soft, and the alert thresholds ("50, 80, 100").
//!
//! Save stays disabled while the input is invalid; the reason shows under
//! the fields (validation is [`NewLimit::validated`]'s).
//!
//! [`LimitDialog`] is a component: Preferences → Billing launches it
//! over its window and forwards [`LimitDialogOutput::Save`].
//! libadwaita destroys the dialog once it has answered.

use std::str::FromStr;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};
use rust_decimal::Decimal;

use valechat_core::ledger::{
    DEFAULT_THRESHOLDS, LimitScope, NewLimit, SpendingLimit, format_thresholds, parse_thresholds,
};

/// The scope names shown in the combo, in [`LimitScope::ALL`] order.
fn scope_names() -> [String; 5] {
    [
        gettext("Per day, all providers"),
        gettext("Per month, all providers"),
        gettext("Per month, one provider"),
        gettext("Per month, one model"),
        gettext("One conversation, in total"),
    ]
}

/// Placeholder of the target entry for `scope`.
fn target_hint(scope: LimitScope) -> String {
    match scope {
        LimitScope::ProviderMonth => gettext("Provider id, e.g. openai"),
        LimitScope::ModelMonth => gettext("provider/model, e.g. openai/gpt-4o"),
        LimitScope::Conversation => gettext("Conversation number"),
        LimitScope::GlobalDay | LimitScope::GlobalMonth => String::new(),
    }
}

/// The dialog's fields.
#[derive(Clone)]
struct Fields {
    scope: adw::ComboRow,
    target: adw::EntryRow,
    amount: adw::EntryRow,
    hard: gtk::Switch,
    thresholds: adw::EntryRow,
    error: gtk::Label,
}

impl Fields {
    fn scope(&self) -> LimitScope {
        let index = usize::try_from(self.scope.selected()).unwrap_or(0);
        LimitScope::ALL
            .get(index)
            .copied()
            .unwrap_or(LimitScope::GlobalMonth)
    }

    /// The limit entered, or why it is not valid.
    fn read(&self) -> Result<NewLimit, String> {
        let scope = self.scope();
        let amount = Decimal::from_str(self.amount.text().trim().trim_start_matches('$'))
            .map_err(|_| gettext("The amount is not a number (e.g. 10 or 2.50)."))?;
        let thresholds = parse_thresholds(&self.thresholds.text()).map_err(|e| e.to_string())?;
        let target = scope.needs_target().then(|| self.target.text().to_string());
        NewLimit {
            scope,
            target,
            amount_usd: amount,
            hard: self.hard.is_active(),
            thresholds,
            enabled: true,
        }
        .validated()
        .map_err(|e| e.to_string())
    }
}

/// The Add / Edit Spending Limit dialog.
pub struct LimitDialog {
    fields: Fields,
}

impl std::fmt::Debug for LimitDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LimitDialog").finish_non_exhaustive()
    }
}

/// What the dialog is told.
#[derive(Debug)]
pub enum LimitDialogInput {
    /// The user answered with this response id (`save` or `cancel`).
    Respond(String),
}

/// What the dialog tells its owner.
#[derive(Debug)]
pub enum LimitDialogOutput {
    /// Store this valid limit.
    Save(NewLimit),
}

impl Component for LimitDialog {
    type CommandOutput = ();
    type Input = LimitDialogInput;
    type Output = LimitDialogOutput;
    /// The window it belongs to, and the limit edited or `None` for a new
    /// one (monthly, hard, 50/80/100 %).
    type Init = (gtk::Window, Option<SpendingLimit>);
    type Root = adw::MessageDialog;
    type Widgets = ();

    fn init_root() -> Self::Root {
        adw::MessageDialog::new(None::<&gtk::Window>, None, None)
    }

    /// Fills the dialog and shows it over `parent`.
    fn init(
        (parent, existing): Self::Init,
        dialog: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        dialog.set_transient_for(Some(&parent));
        let fields = fill(&dialog, existing.as_ref());
        let input = sender.input_sender().clone();
        dialog.connect_response(None, move |_, response| {
            input.emit(LimitDialogInput::Respond(response.to_owned()));
        });
        dialog.present();
        ComponentParts {
            model: LimitDialog { fields },
            widgets: (),
        }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>, _: &Self::Root) {
        let LimitDialogInput::Respond(response) = message;
        if response == "save"
            && let Ok(limit) = self.fields.read()
        {
            let _ = sender.output(LimitDialogOutput::Save(limit));
        }
    }
}

/// Builds the fields into `dialog`, filled from `existing`, with Save
/// enabled only while they are valid.
fn fill(dialog: &adw::MessageDialog, existing: Option<&SpendingLimit>) -> Fields {
    let title = if existing.is_some() {
        gettext("Edit Spending Limit")
    } else {
        gettext("Add Spending Limit")
    };
    dialog.set_heading(Some(&title));
    let names = scope_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let fields = Fields {
        scope: adw::ComboRow::builder()
            .title(gettext("Applies to"))
            .model(&gtk::StringList::new(&names))
            .build(),
        target: adw::EntryRow::builder().title(gettext("Target")).build(),
        amount: adw::EntryRow::builder()
            .title(gettext("Amount (USD)"))
            .build(),
        hard: gtk::Switch::builder()
            .valign(gtk::Align::Center)
            .active(true)
            .build(),
        thresholds: adw::EntryRow::builder()
            .title(gettext("Alert at (percent, comma-separated)"))
            .text(format_thresholds(&DEFAULT_THRESHOLDS))
            .build(),
        error: gtk::Label::builder()
            .wrap(true)
            .xalign(0.0)
            .css_classes(["error", "caption"])
            .build(),
    };
    let scope_index = existing
        .and_then(|l| LimitScope::ALL.iter().position(|s| *s == l.scope))
        .unwrap_or(1);
    fields
        .scope
        .set_selected(u32::try_from(scope_index).unwrap_or(1));
    if let Some(limit) = existing {
        fields
            .target
            .set_text(limit.target.as_deref().unwrap_or_default());
        fields.amount.set_text(&limit.amount_usd.to_string());
        fields.hard.set_active(limit.hard);
        fields
            .thresholds
            .set_text(&format_thresholds(&limit.thresholds));
    }
    let hard_row = adw::ActionRow::builder()
        .title(gettext("Hard limit"))
        .subtitle(gettext(
            "Refuse to send when it would be crossed; otherwise only warn",
        ))
        .subtitle_lines(0)
        .activatable_widget(&fields.hard)
        .build();
    hard_row.add_suffix(&fields.hard);

    let group = adw::PreferencesGroup::new();
    group.add(&fields.scope);
    group.add(&fields.target);
    group.add(&fields.amount);
    group.add(&hard_row);
    group.add(&fields.thresholds);
    let body = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(12)
        .width_request(360)
        .build();
    body.append(&group);
    body.append(&fields.error);
    dialog.set_extra_child(Some(&body));
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("save", &gettext("Save"));
    dialog.set_response_appearance("save", adw::ResponseAppearance::Suggested);
    dialog.set_default_response(Some("save"));
    dialog.set_close_response("cancel");

    let check = {
        let (fields, dialog) = (fields.clone(), dialog.clone());
        move || {
            let scope = fields.scope();
            fields.target.set_visible(scope.needs_target());
            fields.target.set_title(&target_hint(scope));
            let result = fields.read();
            let blank = fields.amount.text().trim().is_empty();
            fields.error.set_label(match (&result, blank) {
                (Err(e), false) => e.as_str(),
                _ => "",
            });
            dialog.set_response_enabled("save", result.is_ok());
        }
    };
    check();
    for entry in [&fields.target, &fields.amount, &fields.thresholds] {
        let check = check.clone();
        entry.connect_changed(move |_| check());
    }
    let c = check.clone();
    fields.scope.connect_selected_notify(move |_| c());
    fields
}
