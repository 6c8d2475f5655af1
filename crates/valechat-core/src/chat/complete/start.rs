//! [`Engine::stream_completion`]: everything before the first token — the
//! provider and its price, the tool choice, the reservation against the
//! limits, the provider's rate limit, and opening its stream. An error here
//! sent nothing that costs (a request the provider refused is settled as
//! failed, its reservation released).

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::pump::Pump;
use super::stream::EVENT_BUFFER;
use super::{CompletionRequest, CompletionStream};
use crate::chat::meter::{Meter, MeterSetup, RequestEnd};
use crate::chat::{Engine, EngineError};
use crate::ledger::Outcome;
use crate::provider::{ChatRequest, ProviderError};

impl Engine {
    /// Reserves the worst case of `request` against the spending limits,
    /// waits for the provider's rate limit, and opens the provider's
    /// stream; a task then receives it and passes its events on (see
    /// [`CompletionStream`]). The reply is bounded as a chat turn's is
    /// (`provider::limits`), its running cost is checked against the room
    /// under the tightest hard limit (past it: cut off), and its usage is
    /// recorded when it ends, with [`CompletionRequest::client`].
    /// Cancelling `cancel` (or dropping the stream) stops the provider's
    /// request.
    ///
    /// # Errors
    /// Before anything is sent: [`EngineError::UnknownProvider`],
    /// [`EngineError::NoModelChosen`] (an empty model id),
    /// [`EngineError::LimitReached`] (the refusal names the limit, what is
    /// spent and what is left), [`EngineError::UnpricedUnderLimit`], a tool
    /// choice the tools cannot satisfy ([`EngineError::Provider`] with
    /// [`ProviderError::Config`]), a locked keyring, store errors. When
    /// the provider refuses the request (HTTP 4xx/5xx before streaming):
    /// [`EngineError::Provider`]; [`ProviderError::Cancelled`] when
    /// `cancel` fires first.
    pub async fn stream_completion(
        &self,
        request: CompletionRequest,
        cancel: CancellationToken,
    ) -> Result<CompletionStream, EngineError> {
        if request.model.trim().is_empty() {
            return Err(EngineError::NoModelChosen);
        }
        let provider = self
            .store()
            .get_provider(&request.provider_id)
            .await?
            .ok_or_else(|| EngineError::UnknownProvider(request.provider_id.clone()))?;
        let chat = ChatRequest {
            model: request.model.clone(),
            messages: request.messages.clone(),
            temperature: request.temperature,
            max_output_tokens: None,
            sampling: request.sampling,
            tools: request.tools,
            tool_choice: request.tool_choice,
        };
        chat.check_tool_choice()?;
        let client = self.providers.client(&request.provider_id).await?;
        let price = match self.model_price(&provider, &request.model).await {
            Ok(price) => price,
            Err(e) => {
                tracing::warn!(provider = %request.provider_id, model = %request.model, "no price: {e}");
                None
            }
        };
        let meter = Meter::new(
            self.store().clone(),
            MeterSetup {
                provider_id: request.provider_id.clone(),
                model: request.model.clone(),
                conversation_id: None,
                price,
                max_output_tokens: request.max_output_tokens.map(u64::from),
                allow_over_limit: false,
                client: request.client,
            },
        );
        let billing = meter.preflight(request.messages).await?;
        let chat = ChatRequest {
            max_output_tokens: meter.output_cap(),
            ..chat
        };
        let cancel = cancel.child_token();
        let opened = if self
            .wait_for_rate_limit(&request.provider_id, billing.counted.tokens, &cancel)
            .await
        {
            tokio::select! {
                biased;
                () = cancel.cancelled() => Err(ProviderError::Cancelled),
                s = client.stream_chat(chat, cancel.clone()) => s,
            }
        } else {
            Err(ProviderError::Cancelled)
        };
        let stream = match opened {
            Ok(stream) => stream,
            Err(e) => {
                let end = RequestEnd {
                    message_id: None,
                    usage: None,
                    reported_cost: None,
                    output_text: "",
                    accepted: false,
                    outcome: if matches!(e, ProviderError::Cancelled) {
                        Outcome::Cancelled
                    } else {
                        Outcome::Failed
                    },
                };
                if let Err(settle) = meter.settle(billing, end).await {
                    tracing::warn!(
                        "could not release a refused completion's reservation: {settle}"
                    );
                }
                return Err(e.into());
            }
        };
        let (events, receiver) = mpsc::channel(EVENT_BUFFER);
        let pump = Pump {
            meter,
            billing,
            rates: self.rates.clone(),
            provider_id: request.provider_id,
            model: request.model,
            events,
            cancel: cancel.clone(),
            alerts: self.completion_alerts.clone(),
        };
        tokio::spawn(pump.run(stream));
        Ok(CompletionStream::new(receiver, cancel))
    }

    /// Waits while `provider_id`'s rate limit is reached; `false` when
    /// `cancel` fired meanwhile. A limit that cannot be read is logged and
    /// not waited for.
    pub(in crate::chat) async fn wait_for_rate_limit(
        &self,
        provider_id: &str,
        tokens: u64,
        cancel: &CancellationToken,
    ) -> bool {
        let limit = match self.store().rate_limit(provider_id).await {
            Ok(limit) => limit,
            Err(e) => {
                tracing::warn!(provider = %provider_id, "cannot read the rate limit: {e}");
                return true;
            }
        };
        self.rates
            .acquire(provider_id, limit, tokens, cancel, |wait| {
                tracing::info!(provider = %provider_id, ?wait, "completion queued by the rate limit");
            })
            .await
            .is_ok()
    }
}
