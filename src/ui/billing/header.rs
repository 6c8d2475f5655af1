//! The Billing window's header bar: the title with the month as subtitle,
//! the Export menu (a `gtk::MenuButton` over a `GMenuModel` whose items
//! activate the window's `billing.export-csv` and `billing.export-pdf`
//! actions), and Refresh.

use gettextrs::gettext;
use relm4::gtk::gio;
use relm4::gtk::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use super::{Billing, BillingInput};
use crate::ui::a11y;

/// Builds the header bar and returns it with its title (whose subtitle
/// shows the month); installs the `billing.*` actions on `root`.
pub fn header(
    root: &adw::Window,
    sender: &ComponentSender<Billing>,
) -> (adw::HeaderBar, adw::WindowTitle) {
    let title = adw::WindowTitle::new(&gettext("Billing"), "");
    let header = adw::HeaderBar::builder().title_widget(&title).build();

    let export: gtk::MenuButton =
        a11y::labelled("GtkMenuButton", &gettext("Export")).unwrap_or_default();
    export.set_icon_name("document-save-symbolic");
    export.set_tooltip_text(Some(&gettext("Export")));
    export.set_menu_model(Some(&export_menu()));
    header.pack_start(&export);
    root.insert_action_group("billing", Some(&actions(sender)));

    let refresh: gtk::Button = a11y::labelled("GtkButton", &gettext("Refresh")).unwrap_or_default();
    refresh.set_icon_name("view-refresh-symbolic");
    refresh.set_tooltip_text(Some(&gettext("Refresh")));
    let s = sender.clone();
    refresh.connect_clicked(move |_| s.input(BillingInput::Refresh));
    header.pack_end(&refresh);
    (header, title)
}

/// The Export menu: this month's usage as CSV, this month's PDF report.
fn export_menu() -> gio::Menu {
    let menu = gio::Menu::new();
    menu.append(Some(&gettext("Export CSV…")), Some("billing.export-csv"));
    menu.append(
        Some(&gettext("Export PDF Report…")),
        Some("billing.export-pdf"),
    );
    menu
}

/// The window's `billing.*` actions: each asks the Billing component to
/// export.
fn actions(sender: &ComponentSender<Billing>) -> gio::SimpleActionGroup {
    let group = gio::SimpleActionGroup::new();
    for (name, pdf) in [("export-csv", false), ("export-pdf", true)] {
        let action = gio::SimpleAction::new(name, None);
        let sender = sender.clone();
        action.connect_activate(move |_, _| {
            sender.input(if pdf {
                BillingInput::ExportPdf
            } else {
                BillingInput::ExportCsv
            });
        });
        group.add_action(&action);
    }
    group
}
