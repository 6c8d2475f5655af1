//! The "Memory" group of Preferences → Local Models: "Unload After Idle",
//! the minutes a model on this computer stays loaded without use (a switch
//! off: until ValeChat quits). Stored in GSettings
//! (`local-idle-unload-minutes`, [`crate::ui::settings`]) and handed to
//! the engine at once ([`Engine::set_local_idle_unload`]); the window
//! hands the stored value over at start.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};

use crate::ui::settings::{
    MAX_IDLE_UNLOAD_MINUTES, idle_unload_after, local_idle_unload_minutes,
    set_local_idle_unload_minutes,
};
use valechat_core::chat::Engine;

/// Minutes the spin button shows while the switch is off.
const DEFAULT_MINUTES: u32 = 15;

/// The group with its one row, showing the stored setting; a change is
/// stored and given to `engine` (and its clones) at once.
#[must_use]
pub fn group(engine: &Engine) -> adw::PreferencesGroup {
    let title = gettext("Unload After Idle");
    let switch: gtk::Switch = crate::ui::a11y::labelled("GtkSwitch", &title).unwrap_or_default();
    switch.set_valign(gtk::Align::Center);
    let spin: gtk::SpinButton =
        crate::ui::a11y::labelled("GtkSpinButton", &gettext("Minutes")).unwrap_or_default();
    spin.set_adjustment(&gtk::Adjustment::new(
        f64::from(DEFAULT_MINUTES),
        1.0,
        f64::from(MAX_IDLE_UNLOAD_MINUTES),
        1.0,
        5.0,
        0.0,
    ));
    spin.set_digits(0);
    spin.set_numeric(true);
    spin.set_valign(gtk::Align::Center);
    switch
        .bind_property("active", &spin, "sensitive")
        .sync_create()
        .build();
    let stored = local_idle_unload_minutes();
    switch.set_active(stored > 0);
    if stored > 0 {
        spin.set_value(f64::from(stored));
    }
    let row = adw::ActionRow::builder()
        .title(title.as_str())
        .subtitle(gettext(
            "Frees a model's memory after this many minutes without use; off: models stay loaded until ValeChat quits",
        ))
        .build();
    let minutes = gtk::Label::new(Some(&gettext("minutes")));
    minutes.add_css_class("dim-label");
    row.add_suffix(&spin);
    row.add_suffix(&minutes);
    row.add_suffix(&switch);

    let apply = {
        let (switch, spin, engine) = (switch.clone(), spin.clone(), engine.clone());
        move || {
            // The spin range is 1–1440: the value fits a u32.
            #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
            let minutes = if switch.is_active() {
                spin.value().round() as u32
            } else {
                0
            };
            set_local_idle_unload_minutes(minutes);
            // The page shows this group only when the engine runs models.
            let _ = engine.set_local_idle_unload(idle_unload_after(minutes));
        }
    };
    {
        let apply = apply.clone();
        switch.connect_active_notify(move |_| apply());
    }
    spin.connect_value_changed(move |_| apply());

    let group = adw::PreferencesGroup::builder()
        .title(gettext("Memory"))
        .build();
    group.add(&row);
    group
}
