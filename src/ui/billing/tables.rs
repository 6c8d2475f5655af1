//! The billing page's tables: usage of the month grouped by model,
//! provider or conversation, one `gtk::ListBox` row per group with the
//! requests, input and output tokens, and the cost (in the user's locale).

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use crate::i18n::gettext_f;
use crate::ui::a11y;
use valechat_core::format::{format_count, format_integer, format_usd};
use valechat_core::ledger::UsageGroup;

/// Replaces the rows of `list` with one per group (or a placeholder
/// "No usage this month" when `groups` is empty).
pub fn fill(list: &gtk::ListBox, groups: &[UsageGroup]) {
    while let Some(child) = list.first_child() {
        list.remove(&child);
    }
    if groups.is_empty() {
        let label = gtk::Label::builder()
            .label(gettext("No usage this month"))
            .css_classes(["dim-label"])
            .margin_top(12)
            .margin_bottom(12)
            .build();
        list.append(&label);
        return;
    }
    for group in groups {
        list.append(&row(group));
    }
}

/// One group: the key on the left, the figures on the right.
fn row(group: &UsageGroup) -> gtk::ListBoxRow {
    let t = &group.totals;
    let cost = format_usd(t.cost_usd);
    let row: gtk::ListBoxRow = a11y::labelled(
        "GtkListBoxRow",
        &gettext_f("{name}: {cost}", &[("name", &group.key), ("cost", &cost)]),
    )
    .unwrap_or_default();
    row.set_activatable(false);
    let line = gtk::Box::builder()
        .spacing(12)
        .margin_top(8)
        .margin_bottom(8)
        .margin_start(12)
        .margin_end(12)
        .build();
    line.append(
        &gtk::Label::builder()
            .label(&group.key)
            .xalign(0.0)
            .hexpand(true)
            .ellipsize(gtk::pango::EllipsizeMode::Middle)
            .build(),
    );
    let figures = crate::i18n::ngettext_f(
        "{requests} request · {input} in · {output} out",
        "{requests} requests · {input} in · {output} out",
        u32::try_from(t.requests).unwrap_or(u32::MAX),
        &[
            ("requests", &format_count(t.requests)),
            ("input", &format_integer(t.tokens.input)),
            ("output", &format_integer(t.tokens.output)),
        ],
    );
    line.append(
        &gtk::Label::builder()
            .label(&figures)
            .css_classes(["dim-label", "caption"])
            .build(),
    );
    line.append(
        &gtk::Label::builder()
            .label(&cost)
            .width_chars(10)
            .xalign(1.0)
            .css_classes(["numeric"])
            .build(),
    );
    row.set_child(Some(&line));
    row
}
