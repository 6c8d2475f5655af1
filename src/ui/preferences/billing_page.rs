//! Preferences → Billing: the spending limits (add, edit, remove) and the
//! user's price overrides per model (add, remove).
//!
//! ```text
//! adw::PreferencesPage "Billing"
//! ├─ adw::PreferencesGroup "Spending Limits" (suffix: Add Limit…)
//! │  └─ adw::ActionRow ×n (edit, remove)      dialog: limit_dialog.rs
//! └─ adw::PreferencesGroup "Prices" (suffix: Add Price…)
//!    └─ adw::ActionRow ×n (remove)            dialog: price_dialog.rs
//! ```
//!
//! Every change is stored through the engine's store in a command; the
//! lists are reloaded when it is done. The dialogs are components whose
//! outputs the page forwards into its own input.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use super::limit_dialog::{LimitDialog, LimitDialogOutput};
use super::price_dialog::{PriceDialog, PriceDialogOutput, PriceEntry};
use crate::i18n::gettext_f;
use crate::reports::ProviderNames;
use crate::reports::format::limit_title;
use valechat_core::billing::pricing::PriceOrigin;
use valechat_core::chat::Engine;
use valechat_core::format::format_usd;
use valechat_core::ledger::{NewLimit, SpendingLimit, format_thresholds};
use valechat_core::store::PriceRow;

/// The page's state.
pub struct BillingPage {
    engine: Engine,
    limits: Vec<SpendingLimit>,
    /// The limit dialog, kept until the next one opens.
    limit_dialog: Option<Controller<LimitDialog>>,
    /// The price dialog, kept until the next one opens.
    price_dialog: Option<Controller<PriceDialog>>,
}

impl std::fmt::Debug for BillingPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillingPage").finish_non_exhaustive()
    }
}

/// What the page is asked to do.
#[derive(Debug)]
pub enum BillingPageInput {
    /// Reload limits and prices.
    Reload,
    /// Open the limit dialog: a new limit, or the limit with this id.
    EditLimit(Option<i64>),
    /// Store a limit: new (`None`) or replacing the one with this id.
    SaveLimit(Option<i64>, NewLimit),
    /// Remove the limit with this id.
    RemoveLimit(i64),
    /// Open the price dialog.
    AddPrice,
    /// Store a price override.
    SavePrice(PriceEntry),
    /// Remove the user's prices of (provider id, model).
    RemovePrice(String, String),
}

/// What the page tells Preferences.
#[derive(Debug)]
pub enum BillingPageOutput {
    /// Show `text` as a toast.
    Toast(String),
}

/// Results of background work.
#[derive(Debug)]
pub enum BillingPageCommand {
    /// Limits and user prices, or the error's message.
    Loaded(Result<(Vec<SpendingLimit>, Vec<PriceRow>, ProviderNames), String>),
    /// A change was stored (reload), or the error's message.
    Stored(Result<(), String>),
}

/// Widgets the page updates.
#[derive(Debug)]
pub struct BillingPageWidgets {
    limits: adw::PreferencesGroup,
    limit_rows: Vec<adw::ActionRow>,
    prices: adw::PreferencesGroup,
    price_rows: Vec<adw::ActionRow>,
}

impl Component for BillingPage {
    type CommandOutput = BillingPageCommand;
    type Input = BillingPageInput;
    type Output = BillingPageOutput;
    type Init = Engine;
    type Root = adw::PreferencesPage;
    type Widgets = BillingPageWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesPage::builder()
            .title(gettext("Billing"))
            .icon_name("accessories-calculator-symbolic")
            .build()
    }

    fn init(
        engine: Engine,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let suffix = |label: String, input: fn() -> BillingPageInput| {
            let button = gtk::Button::builder()
                .label(label)
                .valign(gtk::Align::Center)
                .build();
            let s = sender.clone();
            button.connect_clicked(move |_| s.input(input()));
            button
        };
        let limits = adw::PreferencesGroup::builder()
            .title(gettext("Spending Limits"))
            .description(gettext(
                "A hard limit refuses to send a message that could cross it; a soft one only warns. Days and months follow your calendar.",
            ))
            .header_suffix(&suffix(gettext("Add Limit…"), || BillingPageInput::EditLimit(None)))
            .build();
        let prices = adw::PreferencesGroup::builder()
            .title(gettext("Prices"))
            .description(gettext(
                "Your own prices for models, in USD per million tokens. They replace the shipped table; local models are free unless priced here.",
            ))
            .header_suffix(&suffix(gettext("Add Price…"), || BillingPageInput::AddPrice))
            .build();
        root.add(&limits);
        root.add(&prices);
        let model = BillingPage {
            engine,
            limits: Vec::new(),
            limit_dialog: None,
            price_dialog: None,
        };
        model.reload(&sender);
        ComponentParts {
            model,
            widgets: BillingPageWidgets {
                limits,
                limit_rows: Vec::new(),
                prices,
                price_rows: Vec::new(),
            },
        }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>, root: &Self::Root) {
        let store = self.engine.store().clone();
        let parent = root.root().and_downcast::<gtk::Window>();
        match message {
            BillingPageInput::Reload => self.reload(&sender),
            BillingPageInput::EditLimit(id) => {
                let Some(parent) = parent else { return };
                let existing = id.and_then(|id| self.limits.iter().find(|l| l.id == id));
                let dialog = LimitDialog::builder()
                    .launch((parent, existing.cloned()))
                    .forward(sender.input_sender(), move |output| {
                        let LimitDialogOutput::Save(limit) = output;
                        BillingPageInput::SaveLimit(id, limit)
                    });
                self.limit_dialog = Some(dialog);
            }
            BillingPageInput::SaveLimit(id, limit) => {
                sender.oneshot_command(async move {
                    let result = match id {
                        Some(id) => store.update_limit(id, limit).await.map(drop),
                        None => store.create_limit(limit).await.map(drop),
                    };
                    BillingPageCommand::Stored(result.map_err(|e| e.to_string()))
                });
            }
            BillingPageInput::RemoveLimit(id) => {
                sender.oneshot_command(async move {
                    let result = store.delete_limit(id).await.map(drop);
                    BillingPageCommand::Stored(result.map_err(|e| e.to_string()))
                });
            }
            BillingPageInput::AddPrice => {
                let Some(parent) = parent else { return };
                let dialog = PriceDialog::builder().launch((parent, None)).forward(
                    sender.input_sender(),
                    |output| {
                        let PriceDialogOutput::Save(entry) = output;
                        BillingPageInput::SavePrice(entry)
                    },
                );
                self.price_dialog = Some(dialog);
            }
            BillingPageInput::SavePrice(entry) => {
                sender.oneshot_command(async move {
                    let now = chrono::Utc::now().timestamp_millis();
                    let result = store
                        .set_user_price(&entry.provider_id, &entry.model, entry.price, now)
                        .await;
                    BillingPageCommand::Stored(result.map_err(|e| e.to_string()))
                });
            }
            BillingPageInput::RemovePrice(provider, model) => {
                sender.oneshot_command(async move {
                    let result = store.remove_user_price(&provider, &model).await.map(drop);
                    BillingPageCommand::Stored(result.map_err(|e| e.to_string()))
                });
            }
        }
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match message {
            BillingPageCommand::Loaded(Ok((limits, prices, names))) => {
                for row in widgets.limit_rows.drain(..) {
                    widgets.limits.remove(&row);
                }
                for limit in &limits {
                    let row = limit_row(limit, &names, &sender);
                    widgets.limits.add(&row);
                    widgets.limit_rows.push(row);
                }
                self.limits = limits;
                for row in widgets.price_rows.drain(..) {
                    widgets.prices.remove(&row);
                }
                for price in prices {
                    let row = price_row(&price, &sender);
                    widgets.prices.add(&row);
                    widgets.price_rows.push(row);
                }
            }
            BillingPageCommand::Stored(Ok(())) => self.reload(&sender),
            BillingPageCommand::Loaded(Err(e)) | BillingPageCommand::Stored(Err(e)) => {
                let _ = sender.output(BillingPageOutput::Toast(e));
            }
        }
    }
}

impl BillingPage {
    /// Reads limits and the user's prices in the background.
    fn reload(&self, sender: &ComponentSender<Self>) {
        let store = self.engine.store().clone();
        sender.oneshot_command(async move {
            let loaded = async {
                let limits = store.list_limits().await?;
                let mut prices = store.list_prices(None).await?;
                prices.retain(|p| p.origin == PriceOrigin::User);
                // Newest first within a model: keep the price in force.
                prices.dedup_by(|a, b| a.provider == b.provider && a.model == b.model);
                let names = ProviderNames::of(&store.list_providers().await?);
                Ok::<_, valechat_core::store::StoreError>((limits, prices, names))
            };
            BillingPageCommand::Loaded(loaded.await.map_err(|e| e.to_string()))
        });
    }
}

/// An icon button with a tooltip (also its accessible name) and `css`.
fn icon_button(icon: &str, tooltip: &str, css: &[&str]) -> gtk::Button {
    let button: gtk::Button = crate::ui::a11y::labelled("GtkButton", tooltip).unwrap_or_default();
    button.set_icon_name(icon);
    button.set_tooltip_text(Some(tooltip));
    button.set_valign(gtk::Align::Center);
    button.add_css_class("flat");
    for class in css {
        button.add_css_class(class);
    }
    button
}

/// A limit's row: its target by the provider's name (see
/// [`ProviderNames`]), amount, kind and thresholds, with Edit and Remove.
fn limit_row(
    limit: &SpendingLimit,
    names: &ProviderNames,
    sender: &ComponentSender<BillingPage>,
) -> adw::ActionRow {
    let kind = if limit.hard {
        gettext("hard")
    } else {
        gettext("soft")
    };
    let subtitle = gettext_f(
        "{amount} · {kind} · alerts at {thresholds} %",
        &[
            ("amount", &format_usd(limit.amount_usd)),
            ("kind", &kind),
            ("thresholds", &format_thresholds(&limit.thresholds)),
        ],
    );
    let row = adw::ActionRow::builder()
        .title(limit_title(limit, names))
        .subtitle(subtitle)
        .build();
    let edit = icon_button("document-edit-symbolic", &gettext("Edit Limit"), &[]);
    let remove = icon_button("user-trash-symbolic", &gettext("Remove Limit"), &["error"]);
    let (s, id) = (sender.clone(), limit.id);
    edit.connect_clicked(move |_| s.input(BillingPageInput::EditLimit(Some(id))));
    let s = sender.clone();
    remove.connect_clicked(move |_| s.input(BillingPageInput::RemoveLimit(id)));
    row.add_suffix(&edit);
    row.add_suffix(&remove);
    row
}

fn price_row(price: &PriceRow, sender: &ComponentSender<BillingPage>) -> adw::ActionRow {
    let per_million = price.price.per_million();
    let subtitle = gettext_f(
        "{input} input · {output} output per 1M tokens",
        &[
            ("input", &format_usd(per_million.input)),
            ("output", &format_usd(per_million.output)),
        ],
    );
    let row = adw::ActionRow::builder()
        .title(format!("{}/{}", price.provider, price.model))
        .subtitle(subtitle)
        .build();
    let remove = icon_button("user-trash-symbolic", &gettext("Remove Price"), &["error"]);
    let (s, provider, model) = (sender.clone(), price.provider.clone(), price.model.clone());
    remove.connect_clicked(move |_| {
        s.input(BillingPageInput::RemovePrice(
            provider.clone(),
            model.clone(),
        ));
    });
    row.add_suffix(&remove);
    row
}
