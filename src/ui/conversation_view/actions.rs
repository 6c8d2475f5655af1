//! The view's `conversation.*` actions, which buttons in the message rows
//! activate (recycled row widgets carry an action name and a target
//! rather than a callback): `retry` (a failed reply's Retry,
//! [`crate::ui::message_row::RETRY_ACTION`]), and, with the message id as
//! their `i64` target, `show-version`, `edit`, `regenerate`,
//! `regenerate-with` and `delete`
//! ([`crate::ui::message_row::SHOW_VERSION_ACTION`] and the others).

use relm4::gtk;
use relm4::gtk::gio;
use relm4::gtk::prelude::*;
use relm4::prelude::*;

use super::{ConversationView, ConversationViewInput};

/// The actions on a message's branch, disabled while a reply streams.
#[derive(Debug)]
pub(super) struct BranchActions(Vec<gio::SimpleAction>);

impl BranchActions {
    /// Enables or disables every branch action.
    pub(super) fn set_enabled(&self, enabled: bool) {
        for action in &self.0 {
            action.set_enabled(enabled);
        }
    }
}

/// The input an action with a message id as its target sends.
type OnMessage = fn(i64) -> ConversationViewInput;

/// Installs the actions on `root` as the `conversation` group.
pub(super) fn install(
    root: &gtk::Box,
    sender: &ComponentSender<ConversationView>,
) -> BranchActions {
    let group = gio::SimpleActionGroup::new();
    let retry = gio::SimpleAction::new("retry", None);
    let input = sender.input_sender().clone();
    retry.connect_activate(move |_, _| input.emit(ConversationViewInput::Retry));
    group.add_action(&retry);
    let on_message: [(&str, OnMessage); 5] = [
        ("show-version", ConversationViewInput::ShowVersion),
        ("edit", ConversationViewInput::Edit),
        ("regenerate", ConversationViewInput::Regenerate),
        ("regenerate-with", ConversationViewInput::RegenerateWith),
        ("delete", ConversationViewInput::AskDelete),
    ];
    let mut branch = Vec::new();
    for (name, message) in on_message {
        let action = gio::SimpleAction::new(name, Some(glib_i64()));
        let input = sender.input_sender().clone();
        action.connect_activate(move |_, target| {
            if let Some(id) = target.and_then(gtk::glib::Variant::get::<i64>) {
                input.emit(message(id));
            }
        });
        group.add_action(&action);
        branch.push(action);
    }
    root.insert_action_group("conversation", Some(&group));
    BranchActions(branch)
}

/// The type of an `i64` action target.
fn glib_i64() -> &'static gtk::glib::VariantTy {
    gtk::glib::VariantTy::INT64
}
