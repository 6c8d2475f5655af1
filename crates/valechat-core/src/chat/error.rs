//! Errors of the chat engine.

use crate::ledger::{LedgerError, LimitBreach, LimitRefusal};
use crate::provider::{AttachmentError, ProviderError};
use crate::secrets::SecretError;
use crate::store::StoreError;

/// Why a turn could not start or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The message was empty after trimming whitespace.
    #[error("the message is empty")]
    EmptyMessage,
    /// The conversation has no provider or model chosen yet.
    #[error("choose a model for this conversation first")]
    NoModelChosen,
    /// No conversation has this id.
    #[error("conversation {0} does not exist")]
    UnknownConversation(i64),
    /// No provider has this id.
    #[error("provider “{0}” is not configured")]
    UnknownProvider(String),
    /// The provider's stored protocol kind is not one this build speaks.
    #[error("unsupported provider protocol “{0}”")]
    UnsupportedProtocol(String),
    /// The built-in "On this computer" (by id) cannot be removed, renamed,
    /// given a base URL or a key.
    #[error(
        "“{0}” is built into ValeChat: it cannot be removed, renamed, or given a base URL or key"
    )]
    BuiltInProvider(String),
    /// A provider's name or base URL was set to an empty value.
    #[error("the provider's {0} cannot be empty")]
    EmptyProviderField(&'static str),
    /// Models can only be downloaded to Ollama servers; this provider (by
    /// name) is not one.
    #[error("“{0}” is not an Ollama server: models can only be downloaded to Ollama")]
    CannotPull(String),
    /// A provider timeout was set outside 1–3600 s.
    #[error(transparent)]
    InvalidTimeout(#[from] crate::provider::timeouts::InvalidTimeout),
    /// The conversation's model is known not to accept images
    /// (`ModelInfo::supports_vision == Some(false)` in the last model list).
    #[error("the model “{model}” does not accept images")]
    ImagesNotSupported {
        /// The model id.
        model: String,
    },
    /// An attached file is not a supported image, or is too large.
    #[error(transparent)]
    Attachment(#[from] AttachmentError),
    /// Retry found no user message to answer.
    #[error("there is no message to answer")]
    NothingToRetry,
    /// An edit or a regeneration named a message id that is not in the
    /// conversation.
    #[error("message {0} is not in this conversation")]
    MessageNotInConversation(i64),
    /// An edit named a message that is not the user's (only user messages
    /// are edited; replies are regenerated).
    #[error("message {0} is not a user message: only user messages can be edited")]
    NotAUserMessage(i64),
    /// A regeneration named a message that is not a reply (only replies are
    /// regenerated; user messages are edited).
    #[error("message {0} is not a reply: only replies can be regenerated")]
    NotAReply(i64),
    /// A regeneration was given text or attachments (it sends none: it
    /// answers the same messages again).
    #[error("a regeneration sends no new message")]
    InputWithRegenerate,
    /// A comparison was asked of fewer than 2 or more than 6 models (the
    /// number given).
    #[error("a comparison takes 2 to 6 models, not {0}")]
    CompareModelCount(usize),
    /// The provider failed (typed: bad key, unknown model, rate limit, …).
    #[error(transparent)]
    Provider(#[from] ProviderError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The keyring failed (locked, missing Secret Service, …).
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// Sending could cross a hard spending limit (pre-flight): nothing was
    /// sent. The person may raise the limit or send once anyway.
    #[error(transparent)]
    LimitReached(Box<LimitRefusal>),
    /// The model has no known price (a custom endpoint without a price of
    /// the user's) and a hard spending limit applies: its cost could not
    /// be bounded, so nothing was sent. The person may set a price
    /// (Preferences → Billing, `valechat prices set`) or send once anyway.
    #[error(
        "no price is known for the model “{model}” of provider “{provider}”, and a hard spending limit applies"
    )]
    UnpricedUnderLimit {
        /// Provider id.
        provider: String,
        /// Model id.
        model: String,
    },
    /// A reply was stopped because its running cost reached a hard
    /// spending limit; the partial reply is kept.
    #[error("the reply was stopped at the spending limit: {0}")]
    LimitCutOff(Box<LimitBreach>),
    /// The spending ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A bug or an unexpected state (a task panicked, a row vanished).
    #[error("internal error: {0}")]
    Internal(String),
    /// A provider's base URL is not an http or https URL with a host
    /// (`provider::base_url`).
    #[error(transparent)]
    InvalidBaseUrl(#[from] crate::provider::base_url::InvalidBaseUrl),
}

impl EngineError {
    /// Whether the same request may succeed if simply tried again.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Provider(e) if e.is_retryable())
    }
}
