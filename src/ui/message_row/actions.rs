//! The actions under a stored message (issue 14, part 1): the `‹ 2/3 ›`
//! switcher between its versions (edits or regenerations), Edit on a user
//! message, Regenerate and Regenerate With… on a reply, and Delete.
//!
//! The buttons activate the conversation view's `conversation.*` actions
//! with the message's id (or the sibling's, for `‹`/`›`) as their `i64`
//! target, so recycled row widgets need no callback of their own; the view
//! disables those actions while a reply streams, which greys every row's
//! buttons at once.

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use super::MessageRow;
use crate::i18n::gettext_f;
use valechat_core::provider::Role;
use valechat_core::store::MessageStatus;

/// Shows the version with this id (`‹`, `›`): `conversation.show-version`.
pub const SHOW_VERSION_ACTION: &str = "conversation.show-version";
/// Edits the user message with this id in the composer.
pub const EDIT_ACTION: &str = "conversation.edit";
/// Answers again in place of the reply with this id.
pub const REGENERATE_ACTION: &str = "conversation.regenerate";
/// Asks for a model (the header bar's picker), then answers again in place
/// of the reply with this id.
pub const REGENERATE_WITH_ACTION: &str = "conversation.regenerate-with";
/// Asks, then deletes the message with this id and its descendants.
pub const DELETE_ACTION: &str = "conversation.delete";

/// The bar of small flat buttons under a message.
#[derive(Debug)]
pub struct ActionsBar {
    /// The bar, to append to the row.
    pub root: gtk::Box,
    switcher: gtk::Box,
    /// Holds `previous`: insensitive on the first version (the action's
    /// own state is the view's, for streaming).
    previous_holder: gtk::Box,
    previous: gtk::Button,
    position: gtk::Label,
    next_holder: gtk::Box,
    next: gtk::Button,
    edit: gtk::Button,
    regenerate: gtk::Button,
    regenerate_with: gtk::Button,
    delete: gtk::Button,
}

/// A small flat icon button with an accessible label and a tooltip.
fn icon_button(icon: &str, label: &str, tooltip: &str) -> gtk::Button {
    let button: gtk::Button = crate::ui::a11y::labelled("GtkButton", label).unwrap_or_default();
    button.set_icon_name(icon);
    button.set_tooltip_text(Some(tooltip));
    button.add_css_class("flat");
    button.set_valign(gtk::Align::Center);
    button
}

/// A box holding only `child`, whose sensitivity `child` inherits.
fn holder(child: &gtk::Button) -> gtk::Box {
    let holder = gtk::Box::new(gtk::Orientation::Horizontal, 0);
    holder.append(child);
    holder
}

impl ActionsBar {
    /// A hidden bar (shown once bound to a stored message).
    pub fn new() -> Self {
        let previous = icon_button(
            "go-previous-symbolic",
            &gettext("Previous Version"),
            &gettext("Previous Version"),
        );
        let next = icon_button(
            "go-next-symbolic",
            &gettext("Next Version"),
            &gettext("Next Version"),
        );
        let position = gtk::Label::builder()
            .css_classes(["caption", "numeric", "message-version"])
            .build();
        let previous_holder = holder(&previous);
        let next_holder = holder(&next);
        let switcher = gtk::Box::builder()
            .orientation(gtk::Orientation::Horizontal)
            .spacing(2)
            .css_classes(["message-versions"])
            .visible(false)
            .build();
        switcher.append(&previous_holder);
        switcher.append(&position);
        switcher.append(&next_holder);
        let edit = icon_button(
            "document-edit-symbolic",
            &gettext("Edit Message"),
            &gettext("Edit and send again as a new version"),
        );
        let regenerate = icon_button(
            "view-refresh-symbolic",
            &gettext("Regenerate"),
            &gettext("Answer again with the model chosen in the header bar, as a new version"),
        );
        let regenerate_with = icon_button(
            "pan-down-symbolic",
            &gettext("Regenerate With…"),
            &gettext("Regenerate with another model…"),
        );
        let delete = icon_button(
            "user-trash-symbolic",
            &gettext("Delete Message"),
            &gettext("Delete this version and what follows it"),
        );
        let root = gtk::Box::builder()
            .orientation(gtk::Orientation::Horizontal)
            .spacing(2)
            .halign(gtk::Align::Start)
            .css_classes(["message-actions"])
            .visible(false)
            .build();
        root.append(&switcher);
        root.append(&edit);
        // Regenerate and its arrow read as one split button.
        regenerate_with.add_css_class("regenerate-with");
        let regenerate_pair = gtk::Box::new(gtk::Orientation::Horizontal, 0);
        regenerate_pair.append(&regenerate);
        regenerate_pair.append(&regenerate_with);
        root.append(&regenerate_pair);
        root.append(&delete);
        Self {
            root,
            switcher,
            previous_holder,
            previous,
            position,
            next_holder,
            next,
            edit,
            regenerate,
            regenerate_with,
            delete,
        }
    }

    /// Shows the actions `row` offers: none while it streams or before it
    /// is stored.
    pub fn render(&self, row: &MessageRow) {
        let stored = row.id != 0 && row.status != MessageStatus::Streaming;
        let role = row.role();
        let offered = stored && matches!(role, Role::User | Role::Assistant);
        self.root.set_visible(offered);
        if !offered {
            return;
        }
        let id = row.id.to_variant();
        // The target first: an action name without its target warns.
        for (button, action) in [
            (&self.edit, EDIT_ACTION),
            (&self.regenerate, REGENERATE_ACTION),
            (&self.regenerate_with, REGENERATE_WITH_ACTION),
            (&self.delete, DELETE_ACTION),
        ] {
            button.set_action_target_value(Some(&id));
            button.set_action_name(Some(action));
        }
        self.edit.set_visible(role == Role::User);
        self.regenerate.set_visible(role == Role::Assistant);
        self.regenerate_with.set_visible(role == Role::Assistant);
        let siblings = row.siblings();
        self.switcher.set_visible(siblings.is_some());
        let Some(siblings) = siblings else {
            return;
        };
        let (index, count) = (
            (siblings.index + 1).to_string(),
            siblings.count().to_string(),
        );
        self.position.set_label(&format!("{index}/{count}"));
        self.switcher.set_tooltip_text(Some(&gettext_f(
            "Version {index} of {count}",
            &[("index", &index), ("count", &count)],
        )));
        for (button, holder, target) in [
            (&self.previous, &self.previous_holder, siblings.previous()),
            (&self.next, &self.next_holder, siblings.next()),
        ] {
            holder.set_sensitive(target.is_some());
            // The button keeps its action (enabled or not by the view)
            // with the row's own id when there is nothing that way.
            let target = target.unwrap_or(row.id);
            button.set_action_target_value(Some(&target.to_variant()));
            button.set_action_name(Some(SHOW_VERSION_ACTION));
        }
    }
}
