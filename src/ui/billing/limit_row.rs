//! One spending limit on the billing page: its name, a level bar of the
//! spend with offsets at the alert thresholds, spent / amount / remaining,
//! and the end-of-period projection at the current pace.
//!
//! The level bar's blocks take the style classes `spend-ok` (below the
//! first threshold), `spend-warn` (up to the amount) and `spend-over`
//! (past it); `resources/style.css` colours them.

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::format::{format_percent, limit_title};
use crate::i18n::gettext_f;
use crate::reports::ProviderNames;
use crate::ui::a11y;
use valechat_core::format::format_usd;
use valechat_core::ledger::LimitStatus;

/// Builds the row of `status`; its accessible name is the limit's title
/// ("Monthly, all providers", "Monthly, provider OpenAI": providers by
/// their names in `names`).
pub fn limit_row(status: &LimitStatus, names: &ProviderNames) -> gtk::ListBoxRow {
    let limit = &status.usage.limit;
    let title = limit_title(limit, names);
    let row: gtk::ListBoxRow = a11y::labelled("GtkListBoxRow", &title).unwrap_or_default();
    row.set_activatable(false);
    row.set_selectable(false);

    let body = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(6)
        .margin_top(10)
        .margin_bottom(10)
        .margin_start(12)
        .margin_end(12)
        .build();
    let heading = gtk::Box::builder().spacing(6).build();
    heading.append(
        &gtk::Label::builder()
            .label(&title)
            .xalign(0.0)
            .hexpand(true)
            .ellipsize(gtk::pango::EllipsizeMode::End)
            .css_classes(["heading"])
            .build(),
    );
    let kind = if !limit.enabled {
        gettext("Disabled")
    } else if limit.hard {
        gettext("Hard limit")
    } else {
        gettext("Soft limit")
    };
    heading.append(
        &gtk::Label::builder()
            .label(&kind)
            .css_classes(["dim-label", "caption"])
            .build(),
    );
    body.append(&heading);

    body.append(&level_bar(status));

    let spent = gettext_f(
        "{spent} of {amount} ({percent}) · {remaining} left",
        &[
            ("spent", &format_usd(status.usage.spent)),
            ("amount", &format_usd(limit.amount_usd)),
            ("percent", &format_percent(status.fraction)),
            ("remaining", &format_usd(status.usage.remaining())),
        ],
    );
    body.append(
        &gtk::Label::builder()
            .label(&spent)
            .xalign(0.0)
            .wrap(true)
            .build(),
    );
    let mut details = Vec::new();
    if let Some(projected) = status.projected {
        details.push(gettext_f(
            // An estimate: shown to the cent.
            "At this pace: {amount} by the end of the period",
            &[("amount", &format_usd(projected.round_dp(2)))],
        ));
    }
    if status.reserved > Decimal::ZERO {
        details.push(gettext_f(
            "{amount} held by replies in progress",
            &[("amount", &format_usd(status.reserved))],
        ));
    }
    if !details.is_empty() {
        body.append(
            &gtk::Label::builder()
                .label(details.join(" · "))
                .xalign(0.0)
                .wrap(true)
                .css_classes(["dim-label", "caption"])
                .build(),
        );
    }
    row.set_child(Some(&body));
    row
}

/// A level bar of `spent / amount` with offsets at the thresholds.
fn level_bar(status: &LimitStatus) -> gtk::LevelBar {
    let fraction = status.fraction.to_f64().unwrap_or(0.0).max(0.0);
    let bar = gtk::LevelBar::builder()
        .min_value(0.0)
        .max_value(fraction.max(1.0))
        .value(fraction)
        .build();
    // Added, not set: GTK's own classes (e.g. "horizontal") size the bar.
    bar.add_css_class("spend");
    for name in ["low", "high", "full"] {
        bar.remove_offset_value(Some(name));
    }
    let thresholds: Vec<f64> = status
        .usage
        .limit
        .thresholds
        .iter()
        .map(|t| f64::from(*t) / 100.0)
        .collect();
    let first = thresholds.first().copied().unwrap_or(1.0);
    bar.add_offset_value("spend-ok", first);
    if first < 1.0 {
        bar.add_offset_value("spend-warn", 1.0);
    }
    bar.add_offset_value("spend-over", fraction.max(1.0));
    bar.set_tooltip_text(Some(&gettext_f(
        "Alerts at {thresholds} %",
        &[(
            "thresholds",
            &valechat_core::ledger::format_thresholds(&status.usage.limit.thresholds),
        )],
    )));
    bar
}
