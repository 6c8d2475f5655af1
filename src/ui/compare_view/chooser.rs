//! The first step of a comparison: choose 2 to 4 models, each a check
//! button named by its model, with its provider below.

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use valechat_core::chat::Engine;
use valechat_core::store::Provider;

/// Most columns the window shows.
pub const MAX_COLUMNS: usize = 4;

/// A model that can be chosen: `(provider, model id)`.
pub type Choice = (Provider, String);

/// Every enabled provider's models, in provider order; a provider whose
/// list cannot be read is left out (and logged).
pub async fn load(engine: Engine) -> Result<Vec<Choice>, String> {
    let providers = engine
        .store()
        .list_providers()
        .await
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for mut provider in providers.into_iter().filter(|p| p.enabled) {
        provider.name = crate::reports::display_name(&provider);
        match engine.providers().list_models(&provider.id).await {
            Ok(models) => out.extend(models.into_iter().map(|m| (provider.clone(), m.id))),
            Err(e) => tracing::warn!(provider = provider.id, "no model list: {e}"),
        }
    }
    Ok(out)
}

/// Fills `list` with one check button per choice; `on_toggle(index,
/// active)` runs when one is toggled.
pub fn fill(
    list: &gtk::ListBox,
    choices: &[Choice],
    on_toggle: impl Fn(usize, bool) + Clone + 'static,
) {
    while let Some(row) = list.first_child() {
        list.remove(&row);
    }
    for (index, (provider, model)) in choices.iter().enumerate() {
        let check = gtk::CheckButton::builder().label(model).build();
        let on_toggle = on_toggle.clone();
        check.connect_toggled(move |c| on_toggle(index, c.is_active()));
        let provider_name = gtk::Label::builder()
            .label(&provider.name)
            .css_classes(["caption", "dim-label"])
            .halign(gtk::Align::End)
            .hexpand(true)
            .build();
        let line = gtk::Box::builder()
            .orientation(gtk::Orientation::Horizontal)
            .spacing(12)
            .margin_top(6)
            .margin_bottom(6)
            .margin_start(12)
            .margin_end(12)
            .build();
        line.append(&check);
        line.append(&provider_name);
        list.append(&line);
    }
    if choices.is_empty() {
        let empty = gtk::Label::builder()
            .label(gettext(
                "No models are available. Add a provider in Preferences.",
            ))
            .margin_top(12)
            .margin_bottom(12)
            .wrap(true)
            .build();
        list.append(&empty);
    }
}
