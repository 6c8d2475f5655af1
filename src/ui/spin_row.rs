//! A preferences row holding a whole-number spin button (libadwaita 1.2 has
//! no `AdwSpinRow`): an `adw::ActionRow` with the title and subtitle, and a
//! `gtk::SpinButton` as its suffix and activatable widget.

use relm4::adw::prelude::*;
use relm4::{adw, gtk};

/// A row titled `title` with a spin button over `min..=max` moving by
/// `step`, showing whole numbers; the caller adds the row where it belongs
/// and sets the value.
pub fn spin_row(
    title: &str,
    subtitle: &str,
    (min, max, step): (f64, f64, f64),
) -> (adw::ActionRow, gtk::SpinButton) {
    let spin = gtk::SpinButton::with_range(min, max, step);
    spin.set_digits(0);
    spin.set_valign(gtk::Align::Center);
    let row = adw::ActionRow::builder()
        .title(title)
        .subtitle(subtitle)
        .activatable_widget(&spin)
        .build();
    row.add_suffix(&spin);
    (row, spin)
}
