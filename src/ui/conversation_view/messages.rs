//! The conversation view's input, output and command messages.

use super::branches::Continuation;
use super::pages::LoadedConversation;
use crate::ui::chat_worker::ChatWorkerOutput;
use crate::ui::composer::Draft;
use valechat_core::chat::{ConversationTarget, Engine};
use valechat_core::mcp::McpServers;
use valechat_core::store::Conversation;

/// Messages the conversation view accepts.
#[derive(Debug)]
pub enum ConversationViewInput {
    /// The engine and the MCP servers (whose prompts and resources the
    /// composer offers), once the engine is open.
    SetEngine(Engine, McpServers),
    /// Show conversation `id`, reading its messages, or an empty new
    /// conversation for `None`. A running reply goes on in the background
    /// and is stored; it shows again when its conversation is opened.
    Open(Option<i64>),
    /// Where the next message goes, and whether a model is chosen (the
    /// composer sends only then).
    SetTarget {
        /// An existing conversation, or the new one to create.
        target: ConversationTarget,
        /// A provider and a model are chosen.
        ready: bool,
        /// The model's name, when one is chosen.
        model: Option<String>,
    },
    /// Send this draft (the composer's Send, Enter).
    Send(Draft),
    /// Compare this draft across models (the composer's Compare Models…,
    /// Ctrl+Shift+Enter): the compare view takes the messages' place.
    Compare(Draft),
    /// What the compare view asks.
    FromCompare(crate::ui::compare_view::CompareViewOutput),
    /// Send this draft once over a hard spending limit ("Send Anyway").
    SendAnyway(Draft),
    /// Give a draft back to the composer (a send that did not go).
    RestoreDraft(Draft),
    /// Answer the last user message again (a failed reply's Retry).
    Retry,
    /// Stop the running reply; its text so far is kept, marked incomplete.
    Stop,
    /// Move the keyboard focus to the composer.
    Focus,
    /// A watched MCP resource changed: `(server id, URI)`.
    ResourceChanged(String, String),
    /// Show the text the frame clock callback collected.
    FlushStream,
    /// The user scrolled near the top of the rows shown: bring the next
    /// batch of earlier rows into the list (see `list`).
    ShowEarlier,
    /// The composer's text changed: keep it as the conversation's draft.
    DraftEdited(String),
    /// The composer's draft of the conversation it was switched away from.
    DraftStashed(Draft),
    /// What the chat worker reports of the running turn.
    Chat(ChatWorkerOutput),
    /// The composer has something to say (a refused file, a failed
    /// prompt): shown as a toast by the window.
    Notice(String),
    /// Show a toast over the messages, above the composer (the window's
    /// toasts while a conversation is shown).
    ShowToast(String),
    /// Show the version of a message with this id (`‹`/`›`) and the branch
    /// below it.
    ShowVersion(i64),
    /// Edit the user message with this id in the composer.
    Edit(i64),
    /// Stop editing (the banner's Cancel, Escape): the composer gets its
    /// draft back.
    CancelEdit,
    /// Answer again in place of the reply with this id.
    Regenerate(i64),
    /// Ask the window for a model to answer again in place of the reply
    /// with this id ([`ConversationViewOutput::ChooseModelFor`]).
    RegenerateWith(i64),
    /// Answer again in place of reply `.0` with model `.2` of provider `.1`
    /// (the conversation keeps its own model).
    RegenerateWithModel(i64, String, String),
    /// Ask whether to delete the message with this id and its descendants.
    AskDelete(i64),
    /// Delete the message with this id and its descendants (confirmed).
    DeleteBranch(i64),
    /// Scroll to message `.0` (read its earlier pages if needed), highlight
    /// it for a moment and mark the words `.1` in it (a search result;
    /// send after [`ConversationViewInput::Open`] of its conversation).
    Reveal(i64, Vec<String>),
    /// End the highlight of the row of message `.0` (see `Reveal`).
    EndFlash(i64),
}

/// What the conversation view tells the window.
#[derive(Debug)]
pub enum ConversationViewOutput {
    /// The first message of a new conversation created it.
    Created(Conversation),
    /// A reply started (`true`) or ended (`false`): stored, stopped,
    /// failed or refused.
    Replying(bool),
    /// A message of the reply was stored: the sidebar's order may change.
    Stored,
    /// The open conversation's cost so far, USD (`None`: nothing billed).
    Total(Option<rust_decimal::Decimal>),
    /// A hard spending limit refused a send: the explanation, and the
    /// draft to send anyway ([`ConversationViewInput::SendAnyway`]) or give
    /// back ([`ConversationViewInput::RestoreDraft`]).
    LimitRefused(String, Option<Draft>),
    /// Show a toast with this text.
    Toast(String),
    /// The user asked to regenerate reply `.0` with another model: let
    /// them choose one, and answer with
    /// [`ConversationViewInput::RegenerateWithModel`].
    ChooseModelFor(i64),
}

/// Results of the view's background work.
#[derive(Debug)]
pub enum ConversationViewCommand {
    /// A page of the conversation shown, read from the store.
    Loaded(Box<LoadedConversation>),
    /// A background call failed with this message.
    Failed(String),
    /// The stored draft of a conversation (`None` key: the new one), if it
    /// has one.
    DraftRead(Option<i64>, Option<String>),
    /// A batch of drafts was written (or failed, and was logged).
    DraftsSaved,
    /// How many messages deleting message `.0` would delete, to ask first.
    BranchSized(i64, usize),
    /// The active branch changed below a row (a version switched, a branch
    /// deleted): the rows to show after it.
    Continued(Box<Continuation>),
}
