//! The "Sign In to <server>" dialog, shown while an MCP server's OAuth
//! sign-in waits for the user in the web browser
//! (`core::mcp::oauth::LoopbackAuthorizer`): Cancel abandons the sign-in,
//! "Copy Link" puts the authorization URL on the clipboard (for when the
//! browser did not open). The dialog closes by itself when the sign-in ends.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};

use crate::i18n::gettext_f;
use valechat_core::mcp::oauth::SignInEvent;

/// Open sign-in dialogs by server id.
pub type OpenSignIns = Rc<RefCell<HashMap<String, adw::MessageDialog>>>;

/// Shows or closes the dialog for `event` over `root`.
pub fn handle(root: &adw::ApplicationWindow, open: &OpenSignIns, event: SignInEvent) {
    match event {
        SignInEvent::Started {
            server,
            url,
            cancel,
        } => {
            let dialog = adw::MessageDialog::builder()
                .transient_for(root)
                .modal(true)
                .heading(gettext_f("Sign In to {server}", &[("server", &server.name)]))
                .body(gettext(
                    "Continue in your web browser. ValeChat connects to the server once you have signed in.",
                ))
                .build();
            dialog.add_response("cancel", &gettext("Cancel"));
            dialog.set_close_response("cancel");
            let copy = gtk::Button::with_label(&gettext("Copy Link"));
            copy.set_halign(gtk::Align::Center);
            copy.add_css_class("pill");
            copy.connect_clicked(move |button| {
                button.clipboard().set_text(&url);
                button.set_label(&gettext("Link Copied"));
            });
            dialog.set_extra_child(Some(&copy));
            dialog.connect_response(None, move |_, _| cancel.cancel());
            let previous = open.borrow_mut().insert(server.id, dialog.clone());
            if let Some(previous) = previous {
                previous.close();
            }
            dialog.present();
        }
        SignInEvent::Finished { server } => {
            let dialog = open.borrow_mut().remove(&server.id);
            if let Some(dialog) = dialog {
                dialog.close();
            }
        }
    }
}
