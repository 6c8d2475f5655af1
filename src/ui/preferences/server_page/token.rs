//! The "Access Token" group of Preferences → Server: the token every
//! request to the local API needs, hidden until shown, copied, or replaced
//! by a new one after a confirmation.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{ComponentSender, adw, gtk};

use super::{ServerPage, ServerPageInput};

/// What the row shows while the token is hidden.
const HIDDEN: &str = "••••••••••••••••";

/// The token row and its Show button.
#[derive(Debug)]
pub struct TokenRow {
    row: adw::ActionRow,
}

impl TokenRow {
    /// Adds the group with its row to `page`.
    pub fn new(page: &adw::PreferencesPage, sender: &ComponentSender<ServerPage>) -> Self {
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Access Token"))
            .description(gettext(
                "Apps send it with every request: “Authorization: Bearer” and the token. Keep it secret: it lets them spend on your providers.",
            ))
            .build();
        let row = adw::ActionRow::builder()
            .title(gettext("Token"))
            .subtitle(HIDDEN)
            .build();

        let show: gtk::ToggleButton =
            crate::ui::a11y::labelled("GtkToggleButton", &gettext("Show Token"))
                .unwrap_or_default();
        show.set_icon_name("view-reveal-symbolic");
        show.set_tooltip_text(Some(&gettext("Show Token")));
        let s = sender.clone();
        show.connect_toggled(move |b| {
            b.set_icon_name(if b.is_active() {
                "view-conceal-symbolic"
            } else {
                "view-reveal-symbolic"
            });
            s.input(ServerPageInput::Reveal(b.is_active()));
        });

        let copy: gtk::Button =
            crate::ui::a11y::labelled("GtkButton", &gettext("Copy Token")).unwrap_or_default();
        copy.set_icon_name("edit-copy-symbolic");
        copy.set_tooltip_text(Some(&gettext("Copy Token")));
        let s = sender.clone();
        copy.connect_clicked(move |_| s.input(ServerPageInput::CopyToken));

        let regenerate = gtk::Button::with_label(&gettext("Regenerate…"));
        let s = sender.clone();
        regenerate.connect_clicked(move |_| s.input(ServerPageInput::AskRegenerate));

        for button in [
            show.upcast_ref::<gtk::Widget>(),
            copy.upcast_ref(),
            regenerate.upcast_ref(),
        ] {
            button.set_valign(gtk::Align::Center);
            row.add_suffix(button);
        }
        show.add_css_class("flat");
        copy.add_css_class("flat");
        group.add(&row);
        page.add(&group);
        Self { row }
    }

    /// Shows the token when `revealed` and known, else the dots.
    pub fn show(&self, token: Option<&str>, revealed: bool) {
        match token {
            Some(token) if revealed => self.row.set_subtitle(token),
            _ => self.row.set_subtitle(HIDDEN),
        }
    }
}

/// Asks before replacing the token; Regenerate sends
/// [`ServerPageInput::Regenerate`].
pub fn confirm_regenerate(root: &adw::PreferencesPage, sender: &ComponentSender<ServerPage>) {
    let parent = root.root().and_downcast::<gtk::Window>();
    let dialog = adw::MessageDialog::new(
        parent.as_ref(),
        Some(&gettext("Regenerate the Token?")),
        Some(&gettext(
            "Apps using the current token are refused until they are given the new one.",
        )),
    );
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("regenerate", &gettext("Regenerate"));
    dialog.set_response_appearance("regenerate", adw::ResponseAppearance::Destructive);
    dialog.set_close_response("cancel");
    let s = sender.clone();
    dialog.connect_response(None, move |dialog, response| {
        if response == "regenerate" {
            s.input(ServerPageInput::Regenerate);
        }
        dialog.destroy();
    });
    dialog.present();
}
