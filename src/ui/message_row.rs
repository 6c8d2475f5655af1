//! One message in the conversation view: author, markdown body, reasoning,
//! the tool calls it made (collapsible rows), status (streaming, stopped,
//! failed) and a Retry button.
//!
//! A [`MessageRow`] is an item of the view's `gtk::ListView` (through
//! Relm4's `TypedListView`): it holds the message, and widgets exist only
//! for the rows on screen. The list view binds a row to recycled widgets as
//! it scrolls into view ([`RelmListItem::bind`]); while bound, a change to
//! the row is drawn at once ([`MessageRow::refresh`]), and a row scrolled
//! away keeps its state (text, expanded tool calls) for the next bind.

mod actions;
mod found;
mod status;
mod widgets;

use std::cell::Cell;
use std::rc::Rc;

use relm4::gtk::prelude::*;
use relm4::typed_view::list::RelmListItem;
use relm4::{adw, gtk};

use crate::ui::tool_call_view::ToolCallState;
pub use actions::{
    DELETE_ACTION, EDIT_ACTION, REGENERATE_ACTION, REGENERATE_WITH_ACTION, SHOW_VERSION_ACTION,
};
use valechat_core::chat::ToolProgress;
use valechat_core::ledger::UsageRecord;
use valechat_core::provider::{Attachment, ResourceAttachment, Role};
use valechat_core::store::{Message, MessageStatus, Siblings, ToolCallRecord};
pub use widgets::RETRY_ACTION;
use widgets::RowWidgets;

/// A message as the view shows it.
#[derive(Debug)]
pub struct MessageRow {
    /// Store id of the message (0 for a row not stored yet).
    pub id: i64,
    role: Role,
    model: Option<String>,
    text: String,
    reasoning: String,
    status: MessageStatus,
    error: Option<String>,
    /// Bumped on every change of `text`/`reasoning`, so the view re-renders
    /// markdown only when something changed.
    revision: u64,
    /// The last message of the conversation: only it offers Retry.
    last: bool,
    /// A reply that continues the turn of the reply above it (after its
    /// tool calls): shown without the author, close to it, so that a
    /// turn's rounds read as one block.
    continues: bool,
    /// The message is being edited in the composer (highlighted).
    editing: bool,
    /// Words a search found in it, marked in its text (empty: none).
    found: Vec<String>,
    /// Bumped on every change of `found`.
    found_revision: u64,
    /// The row was just jumped to from a search result (highlighted for a
    /// moment).
    flash: bool,
    /// Tool calls this reply made, in call order.
    tool_calls: Vec<ToolCallState>,
    /// Bumped on every change of `tool_calls`.
    tool_revision: u64,
    /// Images attached to a user message, in order.
    images: Vec<Attachment>,
    /// MCP resources attached to a user message, in order.
    resources: Vec<ResourceAttachment>,
    /// Bumped on every change of `images` or `resources`.
    images_revision: u64,
    /// The billed requests that produced this reply, for the
    /// tokens-and-cost line.
    usage: Vec<UsageRecord>,
    /// The versions of this message (edits or regenerations) when it has
    /// any: the `‹ 2/3 ›` switcher. `None` for a message without siblings.
    siblings: Option<Siblings>,
    /// Whether the reasoning is expanded (kept while the row is off screen).
    reasoning_expanded: Rc<Cell<bool>>,
    /// The widgets showing this row while it is on screen.
    bound: Option<RowWidgets>,
}

impl MessageRow {
    /// A row showing `message`, with no images, tool calls or usage yet.
    pub fn new(message: Message) -> Self {
        Self {
            id: message.id,
            role: message.role,
            model: message.model,
            text: message.content,
            reasoning: message.reasoning,
            status: message.status,
            error: message.error,
            revision: 1,
            last: false,
            continues: false,
            editing: false,
            found: Vec::new(),
            found_revision: 0,
            flash: false,
            tool_calls: Vec::new(),
            tool_revision: 0,
            images: Vec::new(),
            resources: Vec::new(),
            images_revision: 0,
            usage: Vec::new(),
            siblings: None,
            reasoning_expanded: Rc::default(),
            bound: None,
        }
    }

    /// Draws the row's changes into its widgets, if it is on screen (call
    /// after changing it).
    pub fn refresh(&self) {
        if let Some(widgets) = &self.bound {
            widgets.render(self);
        }
    }

    /// Shows `images` as the message's attached images (user messages).
    pub fn set_images(&mut self, images: Vec<Attachment>) {
        self.images = images;
        self.images_revision += 1;
    }

    /// Shows `resources` as chips after the images (user messages).
    pub fn set_resources(&mut self, resources: Vec<ResourceAttachment>) {
        self.resources = resources;
        self.images_revision += 1;
    }

    /// Appends streamed answer text (rendered at the next frame flush).
    pub fn push_text(&mut self, delta: &str) {
        self.text.push_str(delta);
        self.revision += 1;
    }

    /// Appends streamed reasoning text.
    pub fn push_reasoning(&mut self, delta: &str) {
        self.reasoning.push_str(delta);
        self.revision += 1;
    }

    /// Replaces the row's state with the stored message (end of a turn).
    pub fn set_message(&mut self, message: &Message) {
        self.id = message.id;
        self.text.clone_from(&message.content);
        self.reasoning.clone_from(&message.reasoning);
        self.status = message.status;
        self.error.clone_from(&message.error);
        self.model.clone_from(&message.model);
        self.revision += 1;
    }

    /// Adds the call or replaces its stored state (matched by row id);
    /// `server` names its server when known.
    pub fn upsert_tool_call(&mut self, record: ToolCallRecord, server: Option<String>) {
        match self
            .tool_calls
            .iter_mut()
            .find(|c| c.record.id == record.id)
        {
            Some(state) => {
                if server.is_some() {
                    state.server = server;
                }
                if record.status.is_final() {
                    state.progress = None;
                }
                state.record = record;
            }
            None => {
                self.tool_calls.push(ToolCallState {
                    record,
                    server,
                    progress: None,
                    expanded: Rc::default(),
                });
                self.tool_calls.sort_by_key(|c| c.record.position);
            }
        }
        self.tool_revision += 1;
    }

    /// Shows progress on the running call `id`; `false` if it is not in this row.
    pub fn set_tool_progress(&mut self, id: i64, progress: ToolProgress) -> bool {
        let Some(state) = self.tool_calls.iter_mut().find(|c| c.record.id == id) else {
            return false;
        };
        state.progress = Some(progress);
        self.tool_revision += 1;
        true
    }

    /// Adds a usage record of this reply; returns `false` (and adds
    /// nothing) when it is already shown.
    pub fn add_usage(&mut self, record: UsageRecord) -> bool {
        let new = !self.usage.iter().any(|r| r.request_id == record.request_id);
        if new {
            self.usage.push(record);
        }
        new
    }

    /// Whether the call `id` belongs to this row.
    pub fn has_tool_call(&self, id: i64) -> bool {
        self.tool_calls.iter().any(|c| c.record.id == id)
    }

    /// Marks the row failed with `error` (when no stored message exists).
    pub fn set_failed(&mut self, error: String) {
        self.status = MessageStatus::Failed;
        self.error = Some(error);
        self.revision += 1;
    }

    /// Whether this row is a failed or interrupted assistant reply.
    pub fn needs_retry(&self) -> bool {
        self.role == Role::Assistant
            && matches!(
                self.status,
                MessageStatus::Failed | MessageStatus::Incomplete
            )
    }

    /// The message's author.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Whether this reply continues the turn of the row above.
    pub fn continues(&self) -> bool {
        self.continues
    }

    /// Marks whether this reply continues the turn of the row above (see
    /// `continues`).
    pub fn set_continues(&mut self, continues: bool) {
        self.continues = continues;
    }

    /// Marks `words` (a search's) in the text and highlights the row until
    /// [`MessageRow::end_flash`]; empty `words` removes the marks.
    pub fn set_found(&mut self, words: Vec<String>) {
        self.flash = !words.is_empty();
        self.found = words;
        self.found_revision += 1;
    }

    /// Ends the row's highlight (the words stay marked).
    pub fn end_flash(&mut self) {
        self.flash = false;
    }

    /// Marks whether the message is being edited in the composer.
    pub fn set_editing(&mut self, editing: bool) {
        self.editing = editing;
    }

    /// Marks whether this is the conversation's last message (Retry answers
    /// the last user message, so only the last reply offers it).
    pub fn set_last(&mut self, last: bool) {
        self.last = last;
    }

    /// Shows `siblings` in the row's `‹ 2/3 ›` switcher (hidden for
    /// `None` or a single version).
    pub fn set_siblings(&mut self, siblings: Option<Siblings>) {
        self.siblings = siblings.filter(|s| s.count() > 1);
    }

    /// The versions of this message, when it has siblings.
    pub fn siblings(&self) -> Option<&Siblings> {
        self.siblings.as_ref()
    }

    /// The message's text (markdown as stored).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the stored message failed without any text.
    pub fn is_empty_failure(&self) -> bool {
        self.status == MessageStatus::Failed && self.text.is_empty()
    }
}

impl RelmListItem for MessageRow {
    type Root = adw::Clamp;
    type Widgets = RowWidgets;

    fn setup(list_item: &gtk::ListItem) -> (adw::Clamp, RowWidgets) {
        list_item.set_activatable(false);
        list_item.set_selectable(false);
        RowWidgets::new()
    }

    fn bind(&mut self, widgets: &mut RowWidgets, _root: &mut adw::Clamp) {
        widgets.bind(self);
        self.bound = Some(widgets.clone());
    }

    fn unbind(&mut self, _widgets: &mut RowWidgets, _root: &mut adw::Clamp) {
        self.bound = None;
    }
}
