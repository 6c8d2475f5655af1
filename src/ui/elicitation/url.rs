//! URL mode: the server wants the user to open a web page (to sign in,
//! pay…) where the information goes straight to the server. The dialog
//! names the server and the page's host, shows the full URL (selectable)
//! and opens nothing by itself: "Open in Browser" opens the page and
//! answers `accept`; Decline answers `decline`; Cancel, Escape and closing
//! answer `cancel`.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use rmcp::model::{ElicitResult, ElicitationAction};

use super::Answer;
use crate::i18n::gettext_f;
use valechat_core::mcp::elicitation::UrlElicitation;

/// Fills `dialog` with the confirmation for `request` from `server_name`;
/// returns how a response becomes the answer ("Open in Browser" opens the
/// page).
pub(super) fn fill(
    dialog: &adw::MessageDialog,
    server_name: &str,
    request: UrlElicitation,
) -> Answer {
    let heading = gettext_f(
        "{server} Asks You to Open {host}",
        &[("server", server_name), ("host", &request.host)],
    );
    dialog.set_heading(Some(&heading));
    dialog.set_body(&request.message);
    dialog.set_extra_child(Some(&url_view(&request.url)));
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("decline", &gettext("Decline"));
    dialog.add_response("open", &gettext("Open in Browser"));
    dialog.set_response_appearance("open", adw::ResponseAppearance::Suggested);
    // Enter never sends the user to a web page by accident.
    dialog.set_default_response(Some("cancel"));
    dialog.set_close_response("cancel");
    let url = request.url;
    Box::new(move |dialog, response| match response {
        "open" => {
            let window = dialog.transient_for();
            gtk::show_uri(window.as_ref(), &url, gtk::gdk::CURRENT_TIME);
            ElicitResult::new(ElicitationAction::Accept)
        }
        "decline" => ElicitResult::new(ElicitationAction::Decline),
        _ => ElicitResult::new(ElicitationAction::Cancel),
    })
}

/// The full URL, selectable, in a card.
fn url_view(url: &str) -> gtk::Widget {
    let heading = gtk::Label::builder()
        .label(gettext("Address"))
        .xalign(0.0)
        .css_classes(["caption-heading"])
        .build();
    let label = gtk::Label::builder()
        .label(url)
        .xalign(0.0)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::Char)
        .selectable(true)
        .css_classes(["monospace", "card"])
        .build();
    // Selectable labels take the focus: keep it on the buttons.
    label.set_focus_on_click(false);
    let column = gtk::Box::new(gtk::Orientation::Vertical, 6);
    column.append(&heading);
    column.append(&label);
    column.upcast()
}
