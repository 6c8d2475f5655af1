//! Drafts per conversation (issue 18, bug 7): what the composer holds
//! belongs to the conversation shown. Switching conversations puts the
//! composer's draft aside and brings the next conversation's back; the text
//! is written to the store as the user types, so quitting loses nothing.
//!
//! - In memory, for this run: a left conversation's whole draft (text,
//!   images and MCP resources), handed over by the composer
//!   ([`crate::ui::composer::ComposerOutput::Stashed`]).
//! - In the store (`drafts` table): the text only. Writes are coalesced
//!   rather than timed: one batch at a time, holding the latest text of each
//!   conversation typed in while the previous batch was written.

use std::collections::{BTreeMap, HashMap, VecDeque};

use relm4::prelude::*;

use super::{ConversationView, ConversationViewCommand};
use crate::ui::composer::{ComposerInput, Draft};

/// Which conversation a draft belongs to: `None` is the new conversation
/// not yet sent.
pub(super) type DraftKey = Option<i64>;

/// What a draft the composer hands over ([`Drafts::stashed`]) was.
#[derive(Debug, Clone, Copy)]
enum Leaving {
    /// The draft of a conversation switched away from.
    Conversation(DraftKey),
    /// The draft put aside while a message is edited in the composer.
    BeforeEdit,
    /// The text of an edit that ended (sent or cancelled): dropped.
    Edit,
}

/// The drafts of the conversations of this run, and the texts still to
/// store.
#[derive(Debug, Default)]
pub(super) struct Drafts {
    /// The conversation whose draft the composer holds.
    key: DraftKey,
    /// What the composer was switched away from, whose drafts it has not
    /// handed over yet, oldest first.
    leaving: VecDeque<Leaving>,
    /// A message is being edited in the composer.
    editing: bool,
    /// The draft the composer held when the edit began.
    before_edit: Option<Draft>,
    /// Drafts of conversations left during this run.
    aside: HashMap<DraftKey, Draft>,
    /// Texts not yet written: the latest per conversation.
    unsaved: BTreeMap<DraftKey, String>,
    /// A batch is being written.
    saving: bool,
}

impl Drafts {
    /// The conversation whose draft the composer holds.
    pub(super) fn key(&self) -> DraftKey {
        self.key
    }

    /// The composer now shows conversation `to`: returns the draft it should
    /// hold (the one put aside earlier in this run, or an empty one whose
    /// text comes from the store once read).
    pub(super) fn switch(&mut self, to: DraftKey) -> Draft {
        self.leaving.push_back(Leaving::Conversation(self.key));
        self.key = to;
        self.aside.remove(&to).unwrap_or_default()
    }

    /// The composer is switched to a message's text to edit it: what it
    /// held is put aside until [`Drafts::end_edit`] (a second edit drops
    /// the first one's text).
    pub(super) fn begin_edit(&mut self) {
        self.leaving.push_back(if self.editing {
            Leaving::Edit
        } else {
            Leaving::BeforeEdit
        });
        self.editing = true;
    }

    /// The edit ended: the draft to give the composer back (what it held
    /// before the edit; empty if the composer has not handed it over yet,
    /// which [`Drafts::stashed`] then returns).
    pub(super) fn end_edit(&mut self) -> Draft {
        self.editing = false;
        self.leaving.push_back(Leaving::Edit);
        self.before_edit.take().unwrap_or_default()
    }

    /// Whether a message is being edited in the composer (its text is not
    /// the conversation's draft).
    pub(super) fn editing(&self) -> bool {
        self.editing
    }

    /// The composer handed over what it held when it was switched. Returns
    /// a draft to give back to the composer: the one held before an edit
    /// that already ended.
    pub(super) fn stashed(&mut self, draft: Draft) -> Option<Draft> {
        let from = match self.leaving.pop_front()? {
            Leaving::Conversation(from) => from,
            Leaving::BeforeEdit if self.editing => {
                self.before_edit = Some(draft);
                return None;
            }
            Leaving::BeforeEdit => return Some(draft),
            Leaving::Edit => return None,
        };
        if draft.text.is_empty() && draft.images.is_empty() && draft.resources.is_empty() {
            self.aside.remove(&from);
        } else {
            self.aside.insert(from, draft);
        }
        None
    }

    /// The new conversation the draft was typed in was created as `id`.
    pub(super) fn created(&mut self, id: i64) {
        if self.key.is_none() {
            self.key = Some(id);
        }
    }

    /// The composer's text changed to `text`. Returns a batch to write if
    /// none is being written.
    pub(super) fn edited(&mut self, text: String) -> Option<Vec<(DraftKey, String)>> {
        self.unsaved.insert(self.key, text);
        self.next_batch()
    }

    /// The last batch was written (or failed, and was logged). Returns the
    /// next one, if texts changed meanwhile.
    pub(super) fn saved(&mut self) -> Option<Vec<(DraftKey, String)>> {
        self.saving = false;
        self.next_batch()
    }

    fn next_batch(&mut self) -> Option<Vec<(DraftKey, String)>> {
        if self.saving || self.unsaved.is_empty() {
            return None;
        }
        self.saving = true;
        Some(std::mem::take(&mut self.unsaved).into_iter().collect())
    }
}

impl ConversationView {
    /// Gives the composer the draft of conversation `to` (`None`: a new
    /// one), putting the one it holds aside, then reads `to`'s stored text.
    pub(super) fn switch_draft(&mut self, to: DraftKey, sender: &ComponentSender<Self>) {
        if self.drafts.key() == to {
            return;
        }
        let draft = self.drafts.switch(to);
        self.composer.sender().emit(ComposerInput::Switch(draft));
        self.read_draft(sender);
    }

    /// Reads the stored text of the draft the composer holds (when the
    /// store is open): after a switch, and once the engine comes.
    pub(super) fn read_draft(&self, sender: &ComponentSender<Self>) {
        let to = self.drafts.key();
        let Some(engine) = self.engine.clone() else {
            return;
        };
        sender.oneshot_command(async move {
            match engine.store().draft(to).await {
                Ok(text) => ConversationViewCommand::DraftRead(to, text),
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the draft of {to:?}");
                    ConversationViewCommand::DraftRead(to, None)
                }
            }
        });
    }

    /// Shows the stored draft of `key` if the composer still holds that
    /// conversation's draft and nothing was typed in it meanwhile.
    pub(super) fn draft_read(&self, key: DraftKey, text: Option<String>) {
        if let Some(text) = text
            && self.drafts.key() == key
        {
            self.composer.sender().emit(ComposerInput::Restore(Draft {
                text,
                ..Draft::default()
            }));
        }
    }

    /// Writes `batch` to the store (when it is open); the next batch
    /// follows when it is done ([`ConversationViewCommand::DraftsSaved`]).
    pub(super) fn save_drafts(
        &mut self,
        batch: Option<Vec<(DraftKey, String)>>,
        sender: &ComponentSender<Self>,
    ) {
        let Some(batch) = batch else {
            return;
        };
        let Some(engine) = self.engine.clone() else {
            // Nothing to write to yet: what was typed is still in the
            // composer.
            let _ = self.drafts.saved();
            return;
        };
        sender.oneshot_command(async move {
            if let Err(e) = engine.store().save_drafts(batch).await {
                tracing::warn!(error = %e, "could not keep the composer's draft");
            }
            ConversationViewCommand::DraftsSaved
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Draft {
        Draft {
            text: t.into(),
            ..Draft::default()
        }
    }

    #[test]
    fn a_left_conversation_gets_its_draft_back() {
        let mut drafts = Drafts::default();
        assert!(drafts.switch(Some(1)).text.is_empty());
        assert!(drafts.switch(Some(2)).text.is_empty());
        drafts.stashed(Draft::default()); // what the new conversation held
        drafts.stashed(text("for one"));
        assert_eq!(drafts.switch(Some(1)).text, "for one");
        // Once given back, it is the composer's again.
        assert!(drafts.aside.is_empty());
    }

    #[test]
    fn an_edit_puts_the_draft_aside_and_gives_it_back() {
        let mut drafts = Drafts::default();
        drafts.switch(Some(1));
        drafts.stashed(Draft::default());
        drafts.begin_edit();
        assert!(drafts.editing());
        assert!(drafts.stashed(text("half a question")).is_none());
        // Editing another message drops the first edit's text.
        drafts.begin_edit();
        assert!(drafts.stashed(text("first edit")).is_none());
        assert_eq!(drafts.end_edit().text, "half a question");
        assert!(!drafts.editing());
        assert!(drafts.stashed(text("second edit")).is_none());
        // The conversation's own drafts are untouched.
        assert!(drafts.aside.is_empty());
    }

    #[test]
    fn an_edit_that_ends_before_the_draft_arrives_still_gives_it_back() {
        let mut drafts = Drafts::default();
        drafts.begin_edit();
        assert!(drafts.end_edit().text.is_empty());
        assert_eq!(
            drafts.stashed(text("typed before")).map(|d| d.text),
            Some("typed before".into())
        );
        assert!(drafts.stashed(text("the edit")).is_none());
    }

    #[test]
    fn writes_are_coalesced_while_one_is_running() {
        let mut drafts = Drafts::default();
        drafts.switch(Some(7));
        assert_eq!(drafts.edited("a".into()), Some(vec![(Some(7), "a".into())]));
        assert_eq!(drafts.edited("ab".into()), None);
        assert_eq!(drafts.edited("abc".into()), None);
        drafts.switch(None);
        assert_eq!(drafts.edited("new".into()), None);
        assert_eq!(
            drafts.saved(),
            Some(vec![(None, "new".into()), (Some(7), "abc".into())])
        );
        assert_eq!(drafts.saved(), None);
    }

    #[test]
    fn a_sent_new_conversation_keeps_its_id() {
        let mut drafts = Drafts::default();
        drafts.edited(String::new());
        drafts.created(42);
        assert_eq!(drafts.key(), Some(42));
        drafts.switch(Some(3));
        drafts.created(99);
        assert_eq!(drafts.key(), Some(3));
    }
}
