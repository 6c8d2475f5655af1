//! Messages as a tree in the view (issue 14, part 1): switching versions
//! with `‹ 2/3 ›`, editing a user message in the composer, regenerating a
//! reply, deleting a branch after asking.
//!
//! The list shows the active path, so the row above a message is its
//! parent. When the branch below a row changes (a version switched, a
//! branch deleted) the rows down to that parent stay where they are, and
//! the new continuation is read from the store, a page at a time from the
//! active leaf up to the parent ([`Continuation`]), and put after it; the
//! rows on screen above do not move. An edit or a regeneration streams like
//! any turn: its first stored message takes the place of the replaced one
//! and what followed it ([`ConversationView::take_replaced`]).
//!
//! Edits happen in the composer rather than in the row: the composer
//! already sends with Enter, keeps attachments and the `/` menu, and a
//! text field inside a recycled list row would lose what was typed when
//! the row scrolls away. A banner over the composer says a message is
//! being edited, with Cancel (or Escape); the conversation's draft is put
//! aside meanwhile and comes back afterwards.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use super::pages::rows_of;
use super::turn::Start;
use super::{
    ConversationView, ConversationViewCommand, ConversationViewInput, ConversationViewOutput,
};
use crate::i18n::ngettext_f;
use crate::ui::composer::{ComposerInput, Draft};
use valechat_core::chat::{ConversationTarget, EngineError, SendRequest};
use valechat_core::provider::Role;
use valechat_core::store::{ConversationPage, PageEnd, Siblings, Store, StoreError};

/// How many messages each read of a continuation asks for.
const CONTINUATION_PAGE: usize = 64;

/// The active path below a message, read after the branch below it
/// changed: pages from the active leaf up to that message (`anchor`).
#[derive(Debug)]
pub struct Continuation {
    conversation_id: i64,
    anchor: i64,
    /// Pages of the active path, the last one first.
    pages: Vec<ConversationPage>,
    /// Whether `anchor` is on the active path (it is unless the
    /// conversation changed meanwhile).
    found: bool,
}

impl Continuation {
    /// Reads the active path of `conversation_id` up to `anchor`.
    async fn load(store: &Store, conversation_id: i64, anchor: i64) -> Result<Self, StoreError> {
        let mut pages = Vec::new();
        let mut end = PageEnd::Last;
        let found = loop {
            let page = store
                .conversation_page(conversation_id, end, CONTINUATION_PAGE)
                .await?;
            let found = page.messages.iter().any(|m| m.id == anchor);
            let first = page.messages.first().map(|m| m.id);
            let more = page.has_earlier;
            pages.push(page);
            match first {
                Some(first) if !found && more => end = PageEnd::Before(first),
                _ => break found,
            }
        };
        Ok(Self {
            conversation_id,
            anchor,
            pages,
            found,
        })
    }
}

impl ConversationView {
    /// Handles the inputs of the branch actions (the others are not
    /// expected here and do nothing).
    pub(super) fn on_branch_input(
        &mut self,
        message: ConversationViewInput,
        sender: &ComponentSender<Self>,
    ) {
        match message {
            ConversationViewInput::ShowVersion(id) => self.show_version(id, sender),
            ConversationViewInput::Edit(id) => self.edit(id),
            ConversationViewInput::CancelEdit => self.cancel_edit(),
            ConversationViewInput::Regenerate(id) => self.regenerate(id, None, false, sender),
            ConversationViewInput::RegenerateWith(id) if self.can_branch().is_some() => {
                let _ = sender.output(ConversationViewOutput::ChooseModelFor(id));
            }
            ConversationViewInput::RegenerateWithModel(id, provider, model) => {
                self.regenerate(id, Some((provider, model)), false, sender);
            }
            ConversationViewInput::AskDelete(id) => self.ask_delete(id, sender),
            ConversationViewInput::DeleteBranch(id) => self.delete_branch(id, sender),
            _ => {}
        }
    }

    /// Position of the row showing message `id`.
    fn position_of(&self, id: i64) -> Option<u32> {
        self.messages.rposition(|row| row.id == id)
    }

    /// The id of the row above message `id` (its parent), if shown.
    fn parent_row(&self, id: i64) -> Option<i64> {
        let position = self.position_of(id)?.checked_sub(1)?;
        self.messages.read(position, |row| row.id)
    }

    /// Whether the branch actions can run now: a stored conversation is
    /// shown and no reply streams.
    fn can_branch(&self) -> Option<(i64, Store)> {
        if self.streaming.is_some() {
            return None;
        }
        let id = self.shown?;
        Some((id, self.engine.as_ref()?.store().clone()))
    }

    /// Shows version `id` of a message: the store makes its branch active,
    /// then the rows below its parent are read again.
    pub(super) fn show_version(&mut self, id: i64, sender: &ComponentSender<Self>) {
        let Some((conversation_id, store)) = self.can_branch() else {
            return;
        };
        // The version shown now sits where `id` will: its row's parent.
        let shown = self
            .messages
            .rposition(|row| row.siblings().is_some_and(|s| s.ids.contains(&id)));
        let anchor = shown
            .and_then(|p| p.checked_sub(1))
            .and_then(|p| self.messages.read(p, |row| row.id));
        self.cancel_edit();
        sender.oneshot_command(async move {
            let result = async {
                store.switch_branch(id).await?;
                reload(&store, conversation_id, anchor).await
            };
            result.await.unwrap_or_else(failed)
        });
    }

    /// Applies a continuation: the rows after its anchor are replaced, or
    /// the conversation is read again when the anchor is gone.
    pub(super) fn show_continuation(
        &mut self,
        continuation: Continuation,
        sender: &ComponentSender<Self>,
    ) {
        if self.shown != Some(continuation.conversation_id) {
            return;
        }
        let position = self.position_of(continuation.anchor);
        let (Some(position), true) = (position, continuation.found) else {
            self.open(self.shown, sender);
            return;
        };
        if let Some(last) = continuation.pages.first() {
            self.cost = last.conversation_cost;
            self.total_dirty = true;
        }
        let rows = continuation
            .pages
            .into_iter()
            .rev()
            .flat_map(rows_of)
            .skip_while(|row| row.id != continuation.anchor)
            .skip(1);
        self.messages.truncate(position + 1);
        self.messages.extend(rows);
    }

    /// Puts user message `id`'s text in the composer to edit it.
    pub(super) fn edit(&mut self, id: i64) {
        if self.can_branch().is_none() {
            return;
        }
        let Some(text) = self.position_of(id).and_then(|p| {
            self.messages
                .read(p, |row| {
                    (row.role() == Role::User).then(|| row.text().to_owned())
                })
                .flatten()
        }) else {
            return;
        };
        self.drafts.begin_edit();
        self.mark_editing(false);
        self.editing = Some(id);
        self.mark_editing(true);
        let composer = self.composer.sender();
        composer.emit(ComposerInput::Switch(Draft {
            text,
            ..Draft::default()
        }));
        composer.emit(ComposerInput::Focus);
    }

    /// Ends the edit, if one is under way: the composer gets back the
    /// draft it held before.
    pub(super) fn cancel_edit(&mut self) {
        self.mark_editing(false);
        if self.editing.take().is_some() {
            let draft = self.drafts.end_edit();
            self.composer.sender().emit(ComposerInput::Switch(draft));
        }
    }

    /// Highlights the row being edited, or stops highlighting it.
    fn mark_editing(&mut self, on: bool) {
        if let Some(position) = self.editing.and_then(|id| self.position_of(id)) {
            self.messages.update(position, |row| row.set_editing(on));
        }
    }

    /// A new reply in place of reply `id`, from `model` (`(provider id,
    /// model id)`) or the conversation's model (the one chosen in the
    /// header bar).
    pub(super) fn regenerate(
        &mut self,
        id: i64,
        model: Option<(String, String)>,
        anyway: bool,
        sender: &ComponentSender<Self>,
    ) {
        let Some((conversation_id, _)) = self.can_branch() else {
            return;
        };
        if self.target != ConversationTarget::Existing(conversation_id) {
            return;
        }
        let mut request = SendRequest::regenerate(conversation_id, id, model);
        request.options.allow_over_limit = anyway;
        // The new reply replaces the rows from the regenerated one down.
        self.scroll_to_end();
        self.start_turn(Start::Send(request, Draft::default()), sender);
    }

    /// Reads how many messages deleting `id` would delete, to ask first.
    pub(super) fn ask_delete(&self, id: i64, sender: &ComponentSender<Self>) {
        let Some((_, store)) = self.can_branch() else {
            return;
        };
        sender.oneshot_command(async move {
            match store.branch_size(id).await {
                Ok(count) => ConversationViewCommand::BranchSized(id, count),
                Err(e) => failed(e.into()),
            }
        });
    }

    /// Asks whether to delete message `id` and the `count - 1` messages
    /// below it.
    pub(super) fn confirm_delete(
        &self,
        root: &gtk::Box,
        id: i64,
        count: usize,
        sender: &ComponentSender<Self>,
    ) {
        let replies = count.saturating_sub(1);
        let heading = if replies == 0 {
            gettext("Delete This Message?")
        } else {
            let n = u32::try_from(replies).unwrap_or(u32::MAX);
            ngettext_f(
                "Delete this version and its {count} reply?",
                "Delete this version and its {count} replies?",
                n,
                &[("count", &replies.to_string())],
            )
        };
        let has_versions = self
            .position_of(id)
            .and_then(|p| self.messages.read(p, |row| row.siblings().is_some()))
            .unwrap_or(false);
        let body = if has_versions {
            gettext("The other versions stay. This cannot be undone.")
        } else {
            gettext("This cannot be undone.")
        };
        let window = root.root().and_downcast::<gtk::Window>();
        let dialog = adw::MessageDialog::new(window.as_ref(), Some(&heading), Some(&body));
        dialog.add_response("cancel", &gettext("Cancel"));
        dialog.add_response("delete", &gettext("Delete"));
        dialog.set_response_appearance("delete", adw::ResponseAppearance::Destructive);
        dialog.set_default_response(Some("cancel"));
        dialog.set_close_response("cancel");
        let input = sender.input_sender().clone();
        dialog.connect_response(Some("delete"), move |_, _| {
            input.emit(ConversationViewInput::DeleteBranch(id));
        });
        dialog.present();
    }

    /// Deletes message `id` and its descendants, then shows the branch the
    /// store made active below its parent.
    pub(super) fn delete_branch(&mut self, id: i64, sender: &ComponentSender<Self>) {
        let Some((conversation_id, store)) = self.can_branch() else {
            return;
        };
        let anchor = self.parent_row(id);
        if self.editing.is_some() {
            self.cancel_edit();
        }
        sender.oneshot_command(async move {
            let result = async {
                store.delete_branch(id).await?;
                reload(&store, conversation_id, anchor).await
            };
            result.await.unwrap_or_else(failed)
        });
    }

    /// The first stored message of an edit or a regeneration (`role`, id
    /// `new_id`) takes the place of the message it replaces: that row and
    /// the ones below it go. Returns the new message's versions.
    pub(super) fn take_replaced(&mut self, role: Role, new_id: i64) -> Option<Siblings> {
        let replaced = self.streaming.as_ref()?.replaces?;
        let position = self.position_of(replaced)?;
        if self.messages.read(position, |row| row.role())? != role {
            return None;
        }
        if let Some(s) = self.streaming.as_mut() {
            s.replaces = None;
        }
        let old = self
            .messages
            .read(position, |row| row.siblings().cloned())
            .flatten()
            .unwrap_or_else(|| Siblings {
                ids: vec![replaced],
                index: 0,
            });
        self.messages.truncate(position);
        let mut ids = old.ids;
        ids.push(new_id);
        Some(Siblings {
            index: ids.len() - 1,
            ids,
        })
    }
}

/// Reads what the view shows after the branch below `anchor` changed: the
/// continuation, or (no anchor: the change was at the top of the rows
/// read) the conversation's last page, as when it is opened.
async fn reload(
    store: &Store,
    conversation_id: i64,
    anchor: Option<i64>,
) -> Result<ConversationViewCommand, EngineError> {
    match anchor {
        Some(anchor) => {
            let continuation = Continuation::load(store, conversation_id, anchor).await?;
            Ok(ConversationViewCommand::Continued(Box::new(continuation)))
        }
        None => Ok(ConversationViewCommand::Continued(Box::new(Continuation {
            conversation_id,
            anchor: 0,
            pages: Vec::new(),
            found: false,
        }))),
    }
}

/// A failed store call, as the toast that says so.
fn failed(error: EngineError) -> ConversationViewCommand {
    ConversationViewCommand::Failed(error.user_message())
}
