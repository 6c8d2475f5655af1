//! A one-shot completion outside any conversation: what an MCP server's
//! sampling request (`sampling/createMessage`, specification 2025-11-25,
//! "Sampling") is answered with. It goes through the same provider clients,
//! rate limits and billing as a chat turn — the worst case is reserved
//! against the global and provider/model limits first, and the request is
//! recorded as usage without a conversation — but nothing is stored as a
//! message.

use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use super::meter::{Meter, MeterSetup, RequestEnd};
use super::{Engine, EngineError};
use crate::ledger::{Outcome, UsageRecord};
use crate::provider::{
    ChatEvent, ChatMessage, ChatRequest, FinishReason, ProviderError, ToolChoice, Usage,
};

/// What to complete and with which model.
#[derive(Debug, Clone)]
pub struct CompletionRequest {
    /// Provider id.
    pub provider_id: String,
    /// Model id as the server names it.
    pub model: String,
    /// The messages, system prompt first when there is one.
    pub messages: Vec<ChatMessage>,
    /// Upper bound on output tokens.
    pub max_output_tokens: u32,
    /// Sampling temperature, when asked for.
    pub temperature: Option<f32>,
}

/// The answer.
#[derive(Debug, Clone)]
pub struct Completion {
    /// The reply text.
    pub text: String,
    /// The model that answered (as the server reported it, else the one asked).
    pub model: String,
    /// Why it stopped, when the provider said.
    pub finish: Option<FinishReason>,
    /// Usage the provider reported.
    pub usage: Option<Usage>,
    /// The billed usage record.
    pub record: Option<UsageRecord>,
}

impl Engine {
    /// Runs `request` to its end and returns the whole reply; billed like a
    /// chat request (never over a hard limit: this path has no "send
    /// anyway").
    ///
    /// # Errors
    /// [`EngineError::UnknownProvider`], [`EngineError::LimitReached`],
    /// [`EngineError::Provider`] (also [`ProviderError::Cancelled`] when
    /// `cancel` fires), [`EngineError::Store`].
    pub async fn complete(
        &self,
        request: CompletionRequest,
        cancel: CancellationToken,
    ) -> Result<Completion, EngineError> {
        let provider = self
            .store()
            .get_provider(&request.provider_id)
            .await?
            .ok_or_else(|| EngineError::UnknownProvider(request.provider_id.clone()))?;
        let client = self.providers.client(&request.provider_id).await?;
        let price = self
            .model_price(&provider, &request.model)
            .await
            .unwrap_or(None);
        let meter = Meter::new(
            self.store().clone(),
            MeterSetup {
                provider_id: request.provider_id.clone(),
                model: request.model.clone(),
                conversation_id: None,
                price,
                max_output_tokens: Some(u64::from(request.max_output_tokens)),
                allow_over_limit: false,
            },
        );
        let billing = meter.preflight(request.messages.clone()).await?;
        let chat = ChatRequest {
            sampling: crate::provider::SamplingParameters::default(),
            model: request.model.clone(),
            messages: request.messages,
            temperature: request.temperature,
            max_output_tokens: Some(request.max_output_tokens),
            tools: Vec::new(),
            tool_choice: ToolChoice::Auto,
        };
        let mut text = String::new();
        let mut answered_by = None;
        let mut finish = None;
        let mut usage = None;
        let mut reported = None;
        let mut accepted = false;
        let outcome: Result<(), EngineError> = async {
            let mut stream = tokio::select! {
                () = cancel.cancelled() => return Err(ProviderError::Cancelled.into()),
                s = client.stream_chat(chat, cancel.clone()) => s?,
            };
            accepted = true;
            while let Some(event) = stream.next().await {
                match event? {
                    ChatEvent::TextDelta(t) | ChatEvent::RefusalDelta(t) => text.push_str(&t),
                    ChatEvent::Started { model, .. } => answered_by = model,
                    ChatEvent::Finished(reason) => finish = Some(reason),
                    ChatEvent::Usage(u) => usage = Some(super::meter::clamp_usage(u)),
                    ChatEvent::ReportedCost(c) => reported = Some(c),
                    _ => {}
                }
            }
            Ok(())
        }
        .await;
        let end = RequestEnd {
            message_id: None,
            usage,
            reported_cost: reported,
            output_text: &text,
            accepted,
            outcome: match &outcome {
                Ok(()) => Outcome::Completed,
                Err(EngineError::Provider(ProviderError::Cancelled)) => Outcome::Cancelled,
                Err(_) => Outcome::Failed,
            },
        };
        let record = match meter.settle(billing, end).await {
            Ok(settled) => settled.and_then(|s| s.record),
            Err(e) => {
                tracing::warn!("could not record a completion's usage: {e}");
                None
            }
        };
        outcome?;
        Ok(Completion {
            text,
            model: answered_by.unwrap_or(request.model),
            finish,
            usage,
            record,
        })
    }
}
