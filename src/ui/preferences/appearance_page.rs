//! Preferences → Appearance: the style (follow the system, light, dark) and
//! the size of the conversation text (80–200 %). Both apply at once and are
//! stored through [`crate::ui::appearance`].
//!
//! ```text
//! adw::PreferencesPage "Appearance"
//! ├─ adw::PreferencesGroup "Style"
//! │  └─ adw::ComboRow "Style": Follow System / Light / Dark
//! └─ adw::PreferencesGroup "Text"
//!    └─ adw::ActionRow "Message Text Size" + gtk::SpinButton (percent)
//! ```

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};

use crate::ui::appearance::{self, MAX_FONT_SCALE, MIN_FONT_SCALE, Style};

/// Builds the Appearance page, showing the current choices.
pub fn page() -> adw::PreferencesPage {
    let page = adw::PreferencesPage::builder()
        .title(gettext("Appearance"))
        .icon_name("applications-graphics-symbolic")
        .build();
    page.add(&style_group());
    page.add(&text_group());
    page
}

fn style_group() -> adw::PreferencesGroup {
    let group = adw::PreferencesGroup::builder()
        .title(gettext("Style"))
        .build();
    let labels: Vec<String> = Style::ALL
        .iter()
        .map(|style| match style {
            Style::System => gettext("Follow System"),
            Style::Light => gettext("Light"),
            Style::Dark => gettext("Dark"),
        })
        .collect();
    let names: Vec<&str> = labels.iter().map(String::as_str).collect();
    let row = adw::ComboRow::builder()
        .title(gettext("Style"))
        .subtitle(gettext("High contrast follows the system setting"))
        .model(&gtk::StringList::new(&names))
        .build();
    let current = Style::ALL
        .iter()
        .position(|s| *s == appearance::style())
        .unwrap_or_default();
    row.set_selected(u32::try_from(current).unwrap_or_default());
    row.connect_selected_notify(|row| {
        let style = usize::try_from(row.selected())
            .ok()
            .and_then(|i| Style::ALL.get(i).copied())
            .unwrap_or(Style::System);
        appearance::set_style(style);
    });
    group.add(&row);
    group
}

fn text_group() -> adw::PreferencesGroup {
    let group = adw::PreferencesGroup::builder()
        .title(gettext("Text"))
        .build();
    // The row names the spin button for assistive technologies (it is the
    // row's activatable widget).
    let spin = gtk::SpinButton::default();
    spin.set_adjustment(&gtk::Adjustment::new(
        (appearance::font_scale() * 100.0).round(),
        MIN_FONT_SCALE * 100.0,
        MAX_FONT_SCALE * 100.0,
        10.0,
        50.0,
        0.0,
    ));
    spin.set_digits(0);
    spin.set_numeric(true);
    spin.set_valign(gtk::Align::Center);
    spin.connect_value_changed(|spin| appearance::set_font_scale(spin.value() / 100.0));
    let row = adw::ActionRow::builder()
        .title(gettext("Message Text Size"))
        .subtitle(gettext("Percent of the system font size"))
        .activatable_widget(&spin)
        .build();
    row.add_suffix(&spin);
    group.add(&row);
    group
}
