//! Answering a server's sampling request through ValeChat's own providers
//! (issue 4, "Client features: sampling"; specification 2025-11-25,
//! "Sampling"): the request is shown to the person, and only if they allow
//! it is it sent — to the model the server's `modelPreferences.hints` name
//! when one of the configured providers offers it, else to the first
//! enabled provider's default model — and billed like any request.

#![allow(deprecated)] // rmcp marks sampling deprecated (SEP-2577); servers still use it.

use std::sync::{Arc, OnceLock};

use rmcp::model::{CreateMessageRequestParams, CreateMessageResult};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::handler::SamplingHandler;
use crate::chat::{CompletionRequest, Engine};
use crate::provider::{ChatMessage, FinishReason, Role};

/// What the person sees before a sampling request is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamplingPreview {
    /// The asking server's id.
    pub server_id: String,
    /// Provider that would answer.
    pub provider_id: String,
    /// Model that would answer.
    pub model: String,
    /// The system prompt the server sent, if any.
    pub system_prompt: Option<String>,
    /// The messages as text, `role: text` per line.
    pub messages: String,
    /// Output cap the server asked for, tokens.
    pub max_tokens: u32,
}

/// Takes the person's decision on a sampling request.
#[async_trait::async_trait]
pub trait SamplingApprover: Send + Sync {
    /// Whether `preview` may be sent (and billed).
    async fn approve(&self, preview: SamplingPreview) -> bool;
}

/// The engine-backed [`SamplingHandler`]. The engine is set after the
/// registry is built ([`EngineSampler::set_engine`]): the engine offers the
/// registry's tools, and the registry's servers sample through the engine.
pub struct EngineSampler {
    engine: OnceLock<Engine>,
    approver: Arc<dyn SamplingApprover>,
}

impl std::fmt::Debug for EngineSampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineSampler").finish_non_exhaustive()
    }
}

impl EngineSampler {
    /// A sampler asking `approver`; it refuses until [`EngineSampler::set_engine`].
    pub fn new(approver: Arc<dyn SamplingApprover>) -> Arc<Self> {
        Arc::new(Self {
            engine: OnceLock::new(),
            approver,
        })
    }

    /// Sets the engine requests go through (the first call wins).
    pub fn set_engine(&self, engine: Engine) {
        let _ = self.engine.set(engine);
    }

    /// The provider and model for a request whose server prefers `hints`
    /// (model name fragments, in order): a configured provider whose
    /// default model contains a hint, else the first enabled provider with
    /// a default model.
    async fn target(&self, engine: &Engine, hints: &[String]) -> Option<(String, String)> {
        let providers = engine.store().list_providers().await.ok()?;
        let candidates: Vec<(String, String)> = providers
            .into_iter()
            .filter(|p| p.enabled)
            .filter_map(|p| p.default_model.map(|m| (p.id, m)))
            .collect();
        hints
            .iter()
            .find_map(|hint| {
                let hint = hint.to_lowercase();
                candidates
                    .iter()
                    .find(|(_, m)| m.to_lowercase().contains(&hint))
                    .cloned()
            })
            .or_else(|| candidates.first().cloned())
    }
}

#[async_trait::async_trait]
impl SamplingHandler for EngineSampler {
    async fn create_message(
        &self,
        server_id: &str,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, String> {
        let Some(engine) = self.engine.get() else {
            return Err("ValeChat is still starting; try again in a moment.".into());
        };
        let params = serde_json::to_value(&params).map_err(|e| e.to_string())?;
        let hints: Vec<String> = params["modelPreferences"]["hints"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h["name"].as_str().map(str::to_owned))
            .collect();
        let Some((provider_id, model)) = self.target(engine, &hints).await else {
            return Err("No model is configured in ValeChat to answer sampling requests.".into());
        };
        let system_prompt = params["systemPrompt"].as_str().map(str::to_owned);
        let messages = chat_messages(&params);
        let max_tokens = params["maxTokens"]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(1024);
        let preview = SamplingPreview {
            server_id: server_id.to_owned(),
            provider_id: provider_id.clone(),
            model: model.clone(),
            system_prompt: system_prompt.clone(),
            messages: messages
                .iter()
                .map(|m| format!("{}: {}", m.role.as_str(), m.content))
                .collect::<Vec<_>>()
                .join("\n"),
            max_tokens,
        };
        if !self.approver.approve(preview).await {
            return Err("The user declined the sampling request.".into());
        }
        let mut all = Vec::with_capacity(messages.len() + 1);
        if let Some(system) = system_prompt.filter(|s| !s.trim().is_empty()) {
            all.push(ChatMessage::system(system));
        }
        all.extend(messages);
        let request = CompletionRequest {
            max_output_tokens: Some(max_tokens),
            // A temperature is 0.0–2.0: f32 holds it exactly enough.
            #[allow(clippy::cast_possible_truncation, reason = "temperatures are 0.0–2.0")]
            temperature: params["temperature"].as_f64().map(|t| t as f32),
            ..CompletionRequest::new(provider_id, model, all)
        };
        let completion = engine
            .complete(request, CancellationToken::new())
            .await
            .map_err(|e| e.user_message())?;
        let stop_reason = match completion.finish {
            Some(FinishReason::Length) => CreateMessageResult::STOP_REASON_END_MAX_TOKEN,
            Some(FinishReason::ToolCalls) => CreateMessageResult::STOP_REASON_TOOL_USE,
            _ => CreateMessageResult::STOP_REASON_END_TURN,
        };
        serde_json::from_value(json!({
            "model": completion.model,
            "stopReason": stop_reason,
            "role": "assistant",
            "content": {"type": "text", "text": completion.text},
        }))
        .map_err(|e| format!("could not build the sampling result: {e}"))
    }
}

/// The request's messages as chat messages: text content (one block or
/// several joined); other blocks are described in brackets.
fn chat_messages(params: &Value) -> Vec<ChatMessage> {
    params["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let role = match m["role"].as_str() {
                Some("assistant") => Role::Assistant,
                _ => Role::User,
            };
            let blocks: Vec<&Value> = match &m["content"] {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            let text = blocks
                .into_iter()
                .map(|b| match b["type"].as_str() {
                    Some("text") => b["text"].as_str().unwrap_or_default().to_owned(),
                    Some(kind) => format!("[{kind}]"),
                    None => String::new(),
                })
                .collect::<Vec<_>>()
                .join("\n");
            ChatMessage::new(role, text)
        })
        .collect()
}

/// An approver that always answers the same (tests, `--yes`).
#[derive(Debug, Clone, Copy)]
pub struct FixedSamplingApprover(pub bool);

#[async_trait::async_trait]
impl SamplingApprover for FixedSamplingApprover {
    async fn approve(&self, _preview: SamplingPreview) -> bool {
        self.0
    }
}
