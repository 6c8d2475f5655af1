//! Errors as the user reads them: translated sentences that say what went
//! wrong and what to do, and apart from them the technical detail (the
//! server's own text, the system's error), which is not translated.
//!
//! `Display` on the error types stays English and technical (logs, CLI
//! diagnostics); the GUI shows [`EngineError::user_error`]: the sentence,
//! and the detail on a line of its own. A failed reply stores the same two
//! parts ([`UserError::stored`]), so a conversation opened later shows them
//! apart too.

use gettextrs::gettext;

use super::EngineError;
use crate::format::format_usd;
use crate::i18n::gettext_f;
use crate::provider::base_url::InvalidBaseUrl;
use crate::provider::limits::MAX_SERVER_WAIT;
use crate::provider::{AttachmentError, ProviderError};
use crate::secrets::SecretError;
use crate::store::{FolderNameProblem, StoreError};

/// An error for the user: a translated sentence, and the technical detail
/// when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    /// What went wrong and what to do, translated: "The server had a
    /// problem (HTTP 503). Try again later."
    pub sentence: String,
    /// The server's or the system's own words, as they came ("The server
    /// is overloaded"), if any.
    pub detail: Option<String>,
}

impl UserError {
    /// A sentence without detail.
    fn plain(sentence: String) -> Self {
        Self {
            sentence,
            detail: None,
        }
    }

    /// A sentence with `detail` (none when it is blank).
    fn with(sentence: String, detail: &str) -> Self {
        let detail = detail.trim();
        Self {
            sentence,
            detail: (!detail.is_empty()).then(|| detail.to_owned()),
        }
    }

    /// Both on one line, for toasts and the CLI: "sentence (detail)".
    #[must_use]
    pub fn one_line(&self) -> String {
        match &self.detail {
            Some(detail) => gettext_f(
                "{sentence} ({detail})",
                &[("sentence", &self.sentence), ("detail", detail)],
            ),
            None => self.sentence.clone(),
        }
    }

    /// The form a failed message keeps in the store: the sentence, then
    /// the detail after a line break (the sentence never has one).
    #[must_use]
    pub fn stored(&self) -> String {
        match &self.detail {
            Some(detail) => format!("{}\n{detail}", self.sentence),
            None => self.sentence.clone(),
        }
    }

    /// Reads [`Self::stored`] back: the first line is the sentence, the
    /// rest the detail. Text stored before the split is all sentence.
    #[must_use]
    pub fn from_stored(text: &str) -> Self {
        match text.split_once('\n') {
            Some((sentence, detail)) => Self::with(sentence.to_owned(), detail),
            None => Self::plain(text.to_owned()),
        }
    }
}

impl EngineError {
    /// The error for the user on one line: the translated sentence with
    /// the detail in parentheses ([`UserError::one_line`]).
    #[must_use]
    pub fn user_message(&self) -> String {
        self.user_error().one_line()
    }

    /// The error for the user: a translated sentence (gettext domain
    /// `valechat`) and the untranslated detail apart.
    #[must_use]
    pub fn user_error(&self) -> UserError {
        let plain = UserError::plain;
        match self {
            Self::EmptyMessage => plain(gettext("The message is empty.")),
            Self::NoModelChosen => plain(gettext("Choose a model for this conversation first.")),
            Self::UnknownConversation(_) => plain(gettext("This conversation no longer exists.")),
            Self::UnknownProvider(id) => plain(gettext_f(
                "The provider “{provider}” is not configured any more.",
                &[("provider", id)],
            )),
            Self::UnsupportedProtocol(kind) => plain(gettext_f(
                "This version of ValeChat cannot talk to “{kind}” providers.",
                &[("kind", kind)],
            )),
            Self::BuiltInProvider(_) => plain(gettext(
                "“On this computer” is part of ValeChat: it cannot be removed or renamed, and needs no address or key.",
            )),
            Self::EmptyProviderField("name") => plain(gettext("Enter a name for the provider.")),
            Self::EmptyProviderField("model name") => {
                plain(gettext("Enter the name of a model to download."))
            }
            Self::CannotPull(name) => plain(gettext_f(
                "Models can only be downloaded to Ollama servers, and “{provider}” is not one.",
                &[("provider", name)],
            )),
            Self::EmptyProviderField(_) => plain(gettext("Enter a base URL for the provider.")),
            Self::InvalidTimeout(e) => UserError::with(
                gettext("Each timeout must be between 1 and 3600 seconds."),
                &e.to_string(),
            ),
            Self::NothingToRetry => plain(gettext("There is no message to answer.")),
            Self::MessageNotInConversation(_) => plain(gettext(
                "This message is not in this conversation any more.",
            )),
            Self::NotAUserMessage(_) => plain(gettext(
                "Only your own messages can be edited. Regenerate a reply instead.",
            )),
            Self::NotAReply(_) => plain(gettext(
                "Only replies can be regenerated. Edit your message instead.",
            )),
            Self::InputWithRegenerate => plain(gettext(
                "A regenerated reply answers the same messages: it cannot add text or attachments.",
            )),
            Self::CompareModelCount(_) => {
                plain(gettext("Choose between 2 and 6 models to compare."))
            }
            Self::ImagesNotSupported { model } => plain(gettext_f(
                "The model “{model}” does not accept images. Choose a model with vision, or remove the images.",
                &[("model", model)],
            )),
            Self::Attachment(e) => plain(attachment_message(e)),
            Self::Provider(e) => provider_error(e),
            Self::Store(e) => store_error(e),
            Self::Secret(e) => secret_error(e),
            Self::LimitReached(refusal) => {
                let limit = &refusal.limit;
                plain(gettext_f(
                    "Sending could cost up to {worst}, but {limit} of {amount} has {remaining} left ({spent} spent). Raise the limit in Preferences → Billing, or send once anyway.",
                    &[
                        ("worst", &format_usd(refusal.worst_case)),
                        ("limit", &limit_name(&limit.limit)),
                        ("amount", &format_usd(limit.limit.amount_usd)),
                        ("remaining", &format_usd(limit.remaining())),
                        ("spent", &format_usd(limit.spent)),
                    ],
                ))
            }
            Self::UnpricedUnderLimit { model, .. } => plain(gettext_f(
                "ValeChat knows no price for “{model}”, so it cannot tell whether a reply would stay within your hard spending limit. Set the model's price in Preferences → Billing (or with “valechat prices set”), or send once anyway.",
                &[("model", model)],
            )),
            Self::LimitCutOff(breach) => plain(gettext_f(
                "The reply was stopped because it reached {limit} of {amount} ({spent} spent before this reply). What arrived is kept.",
                &[
                    ("limit", &limit_name(&breach.limit.limit)),
                    ("amount", &format_usd(breach.limit.limit.amount_usd)),
                    ("spent", &format_usd(breach.limit.spent)),
                ],
            )),
            Self::Ledger(e) => UserError::with(
                gettext("The spending records could not be updated."),
                &e.to_string(),
            ),
            Self::InvalidBaseUrl(e) => base_url_error(e),
            Self::Internal(detail) => {
                UserError::with(gettext("Something unexpected went wrong."), detail)
            }
        }
    }
}

/// A limit as a phrase: "the daily spending limit", "the monthly limit for
/// OpenAI"…
#[must_use]
pub fn limit_name(limit: &crate::ledger::SpendingLimit) -> String {
    use crate::ledger::LimitScope;
    let target = limit.target.clone().unwrap_or_default();
    let provider = limit.provider_name.as_deref();
    match limit.scope {
        LimitScope::GlobalDay => gettext("the daily spending limit"),
        LimitScope::GlobalMonth => gettext("the monthly spending limit"),
        LimitScope::ProviderMonth => gettext_f(
            "the monthly spending limit for the provider “{provider}”",
            &[("provider", provider.unwrap_or(&target))],
        ),
        LimitScope::ModelMonth => gettext_f(
            "the monthly spending limit for the model “{model}”",
            &[("model", &model_label(&target, provider))],
        ),
        LimitScope::Conversation => gettext("this conversation's spending limit"),
    }
}

/// A model limit's `provider/model` target for people: "gpt-4o (OpenAI)"
/// when the provider's name is known, the target itself otherwise.
fn model_label(target: &str, provider: Option<&str>) -> String {
    match (target.split_once('/'), provider) {
        (Some((_, model)), Some(provider)) => gettext_f(
            "{model} ({provider})",
            &[("model", model), ("provider", provider)],
        ),
        _ => target.to_owned(),
    }
}

fn base_url_error(e: &InvalidBaseUrl) -> UserError {
    let sentence = match e {
        InvalidBaseUrl::Empty => gettext("Enter a base URL for the provider."),
        InvalidBaseUrl::Spaces(_) => gettext("The base URL contains a space."),
        InvalidBaseUrl::NotAUrl(_) => gettext(
            "The base URL is not a web address: it starts with https:// or http://, as in https://api.example.com/v1.",
        ),
        InvalidBaseUrl::Scheme { scheme } => gettext_f(
            "The base URL starts with {scheme}://: only https:// and http:// addresses can be used.",
            &[("scheme", scheme)],
        ),
        InvalidBaseUrl::NoHost(_) => gettext("The base URL names no server."),
    };
    UserError::plain(sentence)
}

fn attachment_message(e: &AttachmentError) -> String {
    match e {
        AttachmentError::UnsupportedType { name } => gettext_f(
            "“{name}” is not a PNG, JPEG, WebP or GIF image.",
            &[("name", name)],
        ),
        AttachmentError::TooLarge { name, .. } => gettext_f(
            "“{name}” is too large: images may be at most 20 MiB.",
            &[("name", name)],
        ),
    }
}

/// A provider error's kind as a sentence; the server's text is the detail.
fn provider_error(e: &ProviderError) -> UserError {
    let status = |status: &u16| status.to_string();
    let (sentence, detail) = match e {
        ProviderError::Unauthorized { message } => (
            gettext("The server rejected the API key. Check the key in the provider's settings."),
            message,
        ),
        ProviderError::NotFound { message } => (
            gettext("The server does not know this model, or the base URL is wrong."),
            message,
        ),
        ProviderError::RateLimited {
            message,
            quota_exhausted: true,
            ..
        } => (
            gettext("The account has no quota left. Check its plan and billing."),
            message,
        ),
        ProviderError::RateLimited {
            message,
            retry_after,
            ..
        } => match retry_after {
            Some(wait) if *wait >= MAX_SERVER_WAIT => (
                gettext_f(
                    "Too many requests: the server asks to wait {seconds} s or longer, more than ValeChat waits for a server.",
                    &[("seconds", &MAX_SERVER_WAIT.as_secs().to_string())],
                ),
                message,
            ),
            Some(wait) => (
                gettext_f(
                    "Too many requests: the server asks to wait {seconds} s.",
                    &[("seconds", &wait.as_secs().max(1).to_string())],
                ),
                message,
            ),
            None => (
                gettext("Too many requests: try again in a moment."),
                message,
            ),
        },
        ProviderError::BadRequest {
            status: code,
            message,
        } => (
            gettext_f(
                "The server refused the request (HTTP {status}).",
                &[("status", &status(code))],
            ),
            message,
        ),
        ProviderError::Server {
            status: code,
            message,
        } => (
            gettext_f(
                "The server had a problem (HTTP {status}). Try again later.",
                &[("status", &status(code))],
            ),
            message,
        ),
        ProviderError::Http {
            status: code,
            message,
        } => (
            gettext_f(
                "The server answered with HTTP {status}.",
                &[("status", &status(code))],
            ),
            message,
        ),
        ProviderError::Connection(detail) => (
            gettext(
                "Could not reach the server, or the connection broke. Check the base URL and the network.",
            ),
            detail,
        ),
        ProviderError::Timeout(detail) => (gettext("The server took too long to answer."), detail),
        ProviderError::Malformed(detail) => (
            gettext("The server sent a reply ValeChat cannot read."),
            detail,
        ),
        ProviderError::TooLarge(detail) => (
            gettext("The server sent more than ValeChat accepts."),
            detail,
        ),
        ProviderError::Stream { message } => (
            gettext("The server reported an error during the reply."),
            message,
        ),
        ProviderError::Config(detail) => {
            (gettext("The provider's settings are not valid."), detail)
        }
        ProviderError::Unsupported(detail) => {
            (gettext("The provider does not offer this."), detail)
        }
        ProviderError::Cancelled => return UserError::plain(gettext("The reply was stopped.")),
    };
    UserError::with(sentence, detail)
}

fn store_error(e: &StoreError) -> UserError {
    match e {
        StoreError::DiskFull { .. } => UserError::plain(gettext(
            "The disk is full: free some space, then try again. Nothing was lost.",
        )),
        StoreError::NewerDatabase { .. } => UserError::with(
            gettext(
                "Your conversations were saved by a newer version of ValeChat. Update ValeChat to open them; nothing was changed.",
            ),
            &e.to_string(),
        ),
        StoreError::FolderName {
            problem: FolderNameProblem::Blank,
            ..
        } => UserError::plain(gettext("A folder needs a name.")),
        StoreError::FolderName {
            problem: FolderNameProblem::Taken,
            name,
        } => UserError::plain(gettext_f(
            "A folder named “{name}” exists already.",
            &[("name", name)],
        )),
        other => UserError::with(
            gettext("The conversation database could not be used."),
            &other.to_string(),
        ),
    }
}

fn secret_error(e: &SecretError) -> UserError {
    match e {
        SecretError::Locked { .. } => UserError::plain(gettext(
            "The keyring is locked. Unlock it to use this provider's API key.",
        )),
        SecretError::Unavailable { reason } => UserError::with(
            gettext("The system keyring is not available, so API keys cannot be read or saved."),
            reason,
        ),
        other => UserError::with(gettext("The keyring failed."), &other.to_string()),
    }
}

#[cfg(test)]
mod tests;
