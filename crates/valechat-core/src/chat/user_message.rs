//! Errors as the user reads them: translated sentences that say what went
//! wrong and what to do, with the technical detail last.
//!
//! `Display` on the error types stays English and technical (logs, CLI
//! diagnostics); the GUI shows [`EngineError::user_message`].

use gettextrs::gettext;

use super::EngineError;
use crate::format::format_usd;
use crate::i18n::gettext_f;
use crate::provider::{AttachmentError, ProviderError};
use crate::secrets::SecretError;
use crate::store::StoreError;

impl EngineError {
    /// A translated sentence for the user (gettext domain `valechat`).
    #[must_use]
    pub fn user_message(&self) -> String {
        match self {
            Self::EmptyMessage => gettext("The message is empty."),
            Self::NoModelChosen => gettext("Choose a model for this conversation first."),
            Self::UnknownConversation(_) => gettext("This conversation no longer exists."),
            Self::UnknownProvider(id) => gettext_f(
                "The provider “{provider}” is not configured any more.",
                &[("provider", id)],
            ),
            Self::UnsupportedProtocol(kind) => gettext_f(
                "This version of ValeChat cannot talk to “{kind}” providers.",
                &[("kind", kind)],
            ),
            Self::EmptyProviderField("name") => gettext("Enter a name for the provider."),
            Self::EmptyProviderField("model name") => {
                gettext("Enter the name of a model to download.")
            }
            Self::CannotPull(name) => gettext_f(
                "Models can only be downloaded to Ollama servers, and “{provider}” is not one.",
                &[("provider", name)],
            ),
            Self::EmptyProviderField(_) => gettext("Enter a base URL for the provider."),
            Self::InvalidTimeout(e) => gettext_f(
                "Each timeout must be between 1 and 3600 seconds. ({detail})",
                &[("detail", &e.to_string())],
            ),
            Self::NothingToRetry => gettext("There is no message to answer."),
            Self::ImagesNotSupported { model } => gettext_f(
                "The model “{model}” does not accept images. Choose a model with vision, or remove the images.",
                &[("model", model)],
            ),
            Self::Attachment(e) => attachment_message(e),
            Self::Provider(e) => provider_message(e),
            Self::Store(e) => store_message(e),
            Self::Secret(e) => secret_message(e),
            Self::LimitReached(refusal) => {
                let limit = &refusal.limit;
                gettext_f(
                    "Sending could cost up to {worst}, but {limit} of {amount} has {remaining} left ({spent} spent). Raise the limit in Preferences → Billing, or send once anyway.",
                    &[
                        ("worst", &format_usd(refusal.worst_case)),
                        ("limit", &limit_name(&limit.limit)),
                        ("amount", &format_usd(limit.limit.amount_usd)),
                        ("remaining", &format_usd(limit.remaining())),
                        ("spent", &format_usd(limit.spent)),
                    ],
                )
            }
            Self::LimitCutOff(breach) => gettext_f(
                "The reply was stopped because it reached {limit} of {amount} ({spent} spent before this reply). What arrived is kept.",
                &[
                    ("limit", &limit_name(&breach.limit.limit)),
                    ("amount", &format_usd(breach.limit.limit.amount_usd)),
                    ("spent", &format_usd(breach.limit.spent)),
                ],
            ),
            Self::Ledger(e) => gettext_f(
                "The spending records could not be updated. ({detail})",
                &[("detail", &e.to_string())],
            ),
            Self::Internal(detail) => gettext_f(
                "Something unexpected went wrong. ({detail})",
                &[("detail", detail)],
            ),
        }
    }
}

/// A limit as a phrase: "the daily spending limit", "the monthly limit for
/// OpenAI"…
#[must_use]
pub fn limit_name(limit: &crate::ledger::SpendingLimit) -> String {
    use crate::ledger::LimitScope;
    let target = limit.target.clone().unwrap_or_default();
    match limit.scope {
        LimitScope::GlobalDay => gettext("the daily spending limit"),
        LimitScope::GlobalMonth => gettext("the monthly spending limit"),
        LimitScope::ProviderMonth => gettext_f(
            "the monthly spending limit for the provider “{provider}”",
            &[("provider", &target)],
        ),
        LimitScope::ModelMonth => gettext_f(
            "the monthly spending limit for the model “{model}”",
            &[("model", &target)],
        ),
        LimitScope::Conversation => gettext("this conversation's spending limit"),
    }
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

fn provider_message(e: &ProviderError) -> String {
    match e {
        ProviderError::Unauthorized { message } => gettext_f(
            "The server rejected the API key. Check the key in the provider's settings. ({detail})",
            &[("detail", message)],
        ),
        ProviderError::NotFound { message } => gettext_f(
            "The server does not know this model, or the base URL is wrong. ({detail})",
            &[("detail", message)],
        ),
        ProviderError::RateLimited {
            message,
            quota_exhausted: true,
            ..
        } => gettext_f(
            "The account has no quota left. Check its plan and billing. ({detail})",
            &[("detail", message)],
        ),
        ProviderError::RateLimited {
            message,
            retry_after,
            ..
        } => match retry_after {
            Some(wait) => gettext_f(
                "Too many requests: the server asks to wait {seconds} s. ({detail})",
                &[
                    ("seconds", &wait.as_secs().max(1).to_string()),
                    ("detail", message),
                ],
            ),
            None => gettext_f(
                "Too many requests: try again in a moment. ({detail})",
                &[("detail", message)],
            ),
        },
        ProviderError::BadRequest { message, .. } => gettext_f(
            "The server refused the request. ({detail})",
            &[("detail", message)],
        ),
        ProviderError::Server { status, message } => gettext_f(
            "The server had a problem (HTTP {status}). Try again later. ({detail})",
            &[("status", &status.to_string()), ("detail", message)],
        ),
        ProviderError::Http { status, message } => gettext_f(
            "The server answered with HTTP {status}. ({detail})",
            &[("status", &status.to_string()), ("detail", message)],
        ),
        ProviderError::Connection(detail) => gettext_f(
            "Could not reach the server, or the connection broke. Check the base URL and the network. ({detail})",
            &[("detail", detail)],
        ),
        ProviderError::Timeout(detail) => gettext_f(
            "The server took too long to answer. ({detail})",
            &[("detail", detail)],
        ),
        ProviderError::Malformed(detail) => gettext_f(
            "The server sent a reply ValeChat cannot read. ({detail})",
            &[("detail", detail)],
        ),
        ProviderError::Stream { message } => gettext_f(
            "The server reported an error during the reply. ({detail})",
            &[("detail", message)],
        ),
        ProviderError::Config(detail) => gettext_f(
            "The provider's settings are not valid. ({detail})",
            &[("detail", detail)],
        ),
        ProviderError::Cancelled => gettext("The reply was stopped."),
    }
}

fn store_message(e: &StoreError) -> String {
    match e {
        StoreError::DiskFull { .. } => {
            gettext("The disk is full: free some space, then try again. Nothing was lost.")
        }
        other => gettext_f(
            "The conversation database could not be used. ({detail})",
            &[("detail", &other.to_string())],
        ),
    }
}

fn secret_message(e: &SecretError) -> String {
    match e {
        SecretError::Locked { .. } => {
            gettext("The keyring is locked. Unlock it to use this provider's API key.")
        }
        SecretError::Unavailable { reason } => gettext_f(
            "The system keyring is not available, so API keys cannot be read or saved. ({detail})",
            &[("detail", reason)],
        ),
        other => gettext_f(
            "The keyring failed. ({detail})",
            &[("detail", &other.to_string())],
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn rate_limit_names_the_wait_and_keeps_the_detail() {
        let e = EngineError::Provider(ProviderError::RateLimited {
            message: "slow down".into(),
            retry_after: Some(Duration::from_millis(2500)),
            quota_exhausted: false,
        });
        let text = e.user_message();
        assert!(text.contains("wait 2 s"), "{text}");
        assert!(text.ends_with("(slow down)"), "{text}");
    }

    #[test]
    fn exhausted_quota_is_not_called_a_rate_limit() {
        let e = EngineError::Provider(ProviderError::RateLimited {
            message: "insufficient_quota".into(),
            retry_after: None,
            quota_exhausted: true,
        });
        assert!(e.user_message().contains("no quota left"));
    }

    #[test]
    fn a_bad_key_points_to_the_settings() {
        let e = EngineError::Provider(ProviderError::Unauthorized {
            message: "Incorrect API key".into(),
        });
        let text = e.user_message();
        assert!(text.contains("API key"), "{text}");
        assert!(text.contains("Incorrect API key"), "{text}");
    }
}
