//! The compare view's refusal: a hard spending limit (or an unpriced model
//! under one) refused the comparison when its columns were reserved. As
//! the conversation view does for a send, a dialog names the limit, what
//! is spent and what is left (the engine's explanation), and offers
//! "Send Anyway" (the same comparison, once over the limit,
//! [`CompareViewInput::RunAnyway`]) or Cancel (back to the chooser, the
//! models still ticked and the prompt kept).

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{ComponentSender, adw, gtk};

use super::{CompareView, CompareViewInput};

/// Presents the refusal `explanation` over the window holding `root`.
pub(super) fn ask_send_anyway(
    root: &gtk::Box,
    explanation: &str,
    sender: &ComponentSender<CompareView>,
) {
    let window = root.root().and_downcast::<gtk::Window>();
    let dialog = adw::MessageDialog::new(
        window.as_ref(),
        Some(&gettext("Spending Limit Reached")),
        Some(explanation),
    );
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("send", &gettext("Send Anyway"));
    dialog.set_response_appearance("send", adw::ResponseAppearance::Destructive);
    dialog.set_default_response(Some("cancel"));
    dialog.set_close_response("cancel");
    let input = sender.input_sender().clone();
    dialog.connect_response(None, move |_, response| {
        if response == "send" {
            input.emit(CompareViewInput::RunAnyway);
        }
    });
    dialog.present();
}
