//! The smaller requests of a [`McpConnection`]: resource subscriptions
//! (`resources/subscribe` / `resources/unsubscribe`; the updates arrive
//! through [`ClientHooks::on_resource_updated`](crate::mcp::ClientHooks)),
//! argument completions (`completion/complete`) and the server's log level
//! (`logging/setLevel`).
//!
//! Subscriptions and `logging/setLevel` belong to the 2025-11-25 era; rmcp
//! marks them deprecated (SEP-2577, stateless `subscriptions/listen`), hence
//! `allow(deprecated)`. A stateless-era server answers them with an error.
#![allow(deprecated)]

use std::collections::HashMap;

use rmcp::model::{
    ArgumentInfo, CompleteRequestParams, CompletionContext, Reference, SetLevelRequestParams,
    SubscribeRequestParams, UnsubscribeRequestParams,
};

use super::McpConnection;
use crate::mcp::McpError;
use crate::mcp::log::LogLevel;

/// What a completion is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionTarget<'a> {
    /// An argument of the prompt with this name.
    Prompt(&'a str),
    /// A variable of the resource template with this URI template.
    ResourceTemplate(&'a str),
}

/// Suggestions from `completion/complete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completions {
    /// Suggested values, at most 100, best first.
    pub values: Vec<String>,
    /// How many matches exist in all, when the server says.
    pub total: Option<u32>,
    /// Whether more matches exist than `values` holds.
    pub has_more: bool,
}

impl McpConnection {
    /// Whether the server offers `resources.subscribe` in its capabilities.
    pub fn offers_subscriptions(&self) -> bool {
        self.service
            .peer()
            .peer_info()
            .and_then(|info| info.capabilities.resources.as_ref()?.subscribe)
            .unwrap_or(false)
    }

    /// Asks the server to send `notifications/resources/updated` when the
    /// resource at `uri` changes (the server must offer
    /// `resources.subscribe`).
    ///
    /// # Errors
    /// [`McpError::Protocol`] when the server refuses, [`McpError::Timeout`],
    /// [`McpError::Closed`].
    pub async fn subscribe(&self, uri: &str) -> Result<(), McpError> {
        self.limited(
            &format!("resources/subscribe {uri}"),
            self.service
                .subscribe(SubscribeRequestParams::new(uri.to_owned())),
        )
        .await
    }

    /// Ends a [`Self::subscribe`].
    ///
    /// # Errors
    /// As [`Self::subscribe`].
    pub async fn unsubscribe(&self, uri: &str) -> Result<(), McpError> {
        self.limited(
            &format!("resources/unsubscribe {uri}"),
            self.service
                .unsubscribe(UnsubscribeRequestParams::new(uri.to_owned())),
        )
        .await
    }

    /// Suggestions for argument `argument` of `target` given what the user
    /// typed so far (`value`) and the arguments already chosen (`context`,
    /// name → value), spec "Completion".
    ///
    /// # Errors
    /// [`McpError::Protocol`] when the server does not offer completions;
    /// [`McpError::Timeout`], [`McpError::Closed`].
    pub async fn complete(
        &self,
        target: CompletionTarget<'_>,
        argument: &str,
        value: &str,
        context: &[(&str, &str)],
    ) -> Result<Completions, McpError> {
        let reference = match target {
            CompletionTarget::Prompt(name) => Reference::for_prompt(name),
            CompletionTarget::ResourceTemplate(uri) => Reference::for_resource(uri),
        };
        let mut params = CompleteRequestParams::new(reference, ArgumentInfo::new(argument, value));
        if !context.is_empty() {
            let arguments: HashMap<String, String> = context
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            params.context = Some(CompletionContext::with_arguments(arguments));
        }
        let result = self
            .limited(
                &format!("completion/complete {argument}"),
                self.service.complete(params),
            )
            .await?;
        Ok(Completions {
            values: result.completion.values,
            total: result.completion.total,
            has_more: result.completion.has_more.unwrap_or(false),
        })
    }

    /// Asks the server to send log messages of `level` and above only.
    ///
    /// # Errors
    /// [`McpError::Protocol`] when the server does not offer logging;
    /// [`McpError::Timeout`], [`McpError::Closed`].
    pub async fn set_log_level(&self, level: LogLevel) -> Result<(), McpError> {
        self.limited(
            "logging/setLevel",
            self.service
                .set_level(SetLevelRequestParams::new(level.into())),
        )
        .await
    }
}
