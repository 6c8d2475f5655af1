//! The three timeout rows of a provider row (connect, first byte, idle),
//! each an `adw::ActionRow` with a `gtk::SpinButton` of whole seconds
//! (libadwaita 1.2 has no `SpinRow`).

use std::time::Duration;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::factory::FactorySender;
use relm4::{adw, gtk};

use super::{ProviderRow, ProviderRowInput};
use valechat_core::provider::timeouts::{MAX_TIMEOUT, MIN_TIMEOUT, ProviderTimeouts};

/// The spin buttons, in seconds.
#[derive(Debug)]
pub(super) struct TimeoutRows {
    connect: gtk::SpinButton,
    first_byte: gtk::SpinButton,
    idle: gtk::SpinButton,
}

impl TimeoutRows {
    /// Builds the three rows at the end of `root`, showing the defaults
    /// until the stored values arrive; any change sends
    /// [`ProviderRowInput::TimeoutsEdited`].
    pub(super) fn build(root: &adw::ExpanderRow, sender: &FactorySender<ProviderRow>) -> Self {
        let defaults = ProviderTimeouts::default();
        let rows = Self {
            connect: spin_row(
                root,
                &gettext("Connect Timeout"),
                &gettext("Seconds allowed to reach the server"),
                defaults.connect,
            ),
            first_byte: spin_row(
                root,
                &gettext("First Reply Timeout"),
                &gettext(
                    "Seconds allowed until the reply begins; reasoning models may think for long",
                ),
                defaults.first_byte,
            ),
            idle: spin_row(
                root,
                &gettext("Idle Timeout"),
                &gettext("Seconds of silence allowed while a reply streams"),
                defaults.idle,
            ),
        };
        for spin in [&rows.connect, &rows.first_byte, &rows.idle] {
            let s = sender.clone();
            spin.connect_value_changed(move |_| s.input(ProviderRowInput::TimeoutsEdited));
        }
        rows
    }

    /// Shows `timeouts`, rounded to whole seconds.
    pub(super) fn show(&self, timeouts: ProviderTimeouts) {
        self.connect.set_value(whole_secs(timeouts.connect));
        self.first_byte.set_value(whole_secs(timeouts.first_byte));
        self.idle.set_value(whole_secs(timeouts.idle));
    }

    /// The timeouts shown, or `None` when they equal `stored` once that is
    /// rounded to whole seconds (nothing to save).
    pub(super) fn edited(&self, stored: ProviderTimeouts) -> Option<ProviderTimeouts> {
        let shown = ProviderTimeouts {
            connect: secs(&self.connect),
            first_byte: secs(&self.first_byte),
            idle: secs(&self.idle),
        };
        let rounded = ProviderTimeouts {
            connect: Duration::from_secs_f64(whole_secs(stored.connect)),
            first_byte: Duration::from_secs_f64(whole_secs(stored.first_byte)),
            idle: Duration::from_secs_f64(whole_secs(stored.idle)),
        };
        (shown != rounded).then_some(shown)
    }
}

/// Adds a row titled `title` with a 1–3600 s spin button showing `value`.
fn spin_row(
    root: &adw::ExpanderRow,
    title: &str,
    subtitle: &str,
    value: Duration,
) -> gtk::SpinButton {
    let (row, spin) = crate::ui::spin_row::spin_row(
        title,
        subtitle,
        (MIN_TIMEOUT.as_secs_f64(), MAX_TIMEOUT.as_secs_f64(), 1.0),
    );
    spin.set_value(whole_secs(value));
    root.add_row(&row);
    spin
}

/// `d` rounded to whole seconds.
fn whole_secs(d: Duration) -> f64 {
    d.as_secs_f64().round()
}

/// The spin button's value as a duration (its range keeps it within 1–3600 s).
fn secs(spin: &gtk::SpinButton) -> Duration {
    Duration::try_from_secs_f64(spin.value()).unwrap_or(MIN_TIMEOUT)
}
