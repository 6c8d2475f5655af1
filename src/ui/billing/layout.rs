//! Building blocks of the Billing window's layout: the headline figure
//! cards, boxed lists, and titled sections.

use relm4::gtk;
use relm4::gtk::prelude::*;

use gettextrs::gettext;

use crate::ui::a11y;

/// The two headline figures: a card whose accessible name says what it is
/// ("Spent this month", role panel) holding the figure's label and the
/// caption. (A label's accessible name is its text, so the name goes on
/// the card.)
pub fn totals_box() -> (gtk::Box, gtk::Label, gtk::Label) {
    let row = gtk::Box::builder().spacing(12).homogeneous(true).build();
    let figure = |caption: &str| {
        let card: gtk::Box = a11y::labelled("GtkBox", caption).unwrap_or_default();
        card.set_orientation(gtk::Orientation::Vertical);
        card.set_spacing(4);
        card.add_css_class("card");
        let value = gtk::Label::builder()
            .label("—")
            .css_classes(["title-1", "numeric"])
            .selectable(true)
            .margin_top(12)
            .build();
        card.append(&value);
        card.append(
            &gtk::Label::builder()
                .label(caption)
                .css_classes(["dim-label"])
                .margin_bottom(12)
                .build(),
        );
        row.append(&card);
        value
    };
    let spent = figure(&gettext("Spent this month"));
    let requests = figure(&gettext("Requests this month"));
    (row, spent, requests)
}

/// A `boxed-list` ListBox without selection.
pub fn boxed_list() -> gtk::ListBox {
    gtk::ListBox::builder()
        .selection_mode(gtk::SelectionMode::None)
        .css_classes(["boxed-list"])
        .build()
}

/// A heading over `child`.
pub fn section(title: &str, child: &impl IsA<gtk::Widget>) -> gtk::Box {
    let section = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(12)
        .build();
    section.append(
        &gtk::Label::builder()
            .label(title)
            .xalign(0.0)
            .css_classes(["heading"])
            .build(),
    );
    section.append(child);
    section
}
