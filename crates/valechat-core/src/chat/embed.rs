//! Embeddings billed like chat tokens: [`Engine::embed_with_provider`]
//! and [`Engine::estimate_embedding`] (issue 17, "Money").
//!
//! A provider's embeddings go through the same billing as a completion
//! (`chat/complete/`): the texts are counted with the engine's tokenizer
//! (`billing::tokens`: exact for OpenAI's models, else 4 characters a
//! token), the worst case — those tokens × the model's input price, no
//! output — is reserved against every limit ([`Meter::reserve_counted`];
//! a hard limit refuses before anything is sent, with the chat path's
//! [`EngineError::LimitReached`]), the provider's rate limit is waited
//! for, and one usage record settles the reservation: the input tokens
//! the provider reported, else the count marked estimated; output tokens
//! 0; the `client` when given. Thresholds crossed come back as alerts, and
//! are also sent to [`Engine::completion_alerts`]. The built-in local
//! provider embeds through [`Engine::embed`] (llama.cpp in the runner)
//! and is recorded at no cost, as its chat is.

use rust_decimal::Decimal;
use tokio_util::sync::CancellationToken;

use super::meter::{Meter, MeterSetup, RequestEnd};
use super::{Engine, EngineError, LocalModelError, is_built_in};
use crate::billing::{CountMethod, TokenCount, count_text_tokens};
use crate::ledger::{LimitAlert, Outcome, UsageRecord};
use crate::provider::embeddings::{EmbeddingRequest, Embeddings};
use crate::provider::{ProviderError, Usage};

/// Why [`Engine::embed_with_provider`] failed.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The engine's errors: unknown provider, a refusal at a hard limit
    /// ([`EngineError::LimitReached`]), an unpriced model under a hard
    /// limit, the provider's error ([`EngineError::Provider`]), store and
    /// ledger errors.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A model on this computer could not embed (see [`LocalModelError`]).
    #[error(transparent)]
    Local(#[from] LocalModelError),
}

/// The vectors of [`Engine::embed_with_provider`] and what they cost.
#[derive(Debug, Clone)]
pub struct ProviderEmbeddings {
    /// One vector per text, in order; `input_tokens` as the provider
    /// reported them (`None`: the record holds the engine's estimate).
    pub embeddings: Embeddings,
    /// The usage record written (`None` for an empty list of texts, or if
    /// it could not be read back).
    pub record: Option<UsageRecord>,
    /// Spending thresholds this request crossed for the first time.
    pub alerts: Vec<LimitAlert>,
}

/// What embedding some texts would cost, shown before indexing a library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddingEstimate {
    /// Input tokens of all the texts (exact for OpenAI's models, else an
    /// estimate of 4 characters a token).
    pub tokens: u64,
    /// Those tokens × the model's input price, USD; `None` when the model
    /// has no known price. 0 for a free (local) model.
    pub cost_usd: Option<Decimal>,
}

/// Counts `texts` for `model` (CPU work: off the async threads).
async fn count_texts(model: &str, texts: &[String]) -> Result<TokenCount, EngineError> {
    let model = model.to_owned();
    let texts = texts.to_vec();
    tokio::task::spawn_blocking(move || {
        let mut total = TokenCount {
            tokens: 0,
            method: CountMethod::Unknown,
        };
        for (i, text) in texts.iter().enumerate() {
            let one = count_text_tokens(&model, text);
            total.tokens = total.tokens.saturating_add(one.tokens);
            total.method = match (i, total.method, one.method) {
                (0, _, method) => method,
                (_, CountMethod::Exact(a), CountMethod::Exact(_)) => CountMethod::Exact(a),
                _ => CountMethod::Unknown,
            };
        }
        total
    })
    .await
    .map_err(|e| EngineError::Internal(format!("token counting failed: {e}")))
}

impl Engine {
    /// Embeds `texts` with `model` of configured provider `provider_id`
    /// (OpenAI-compatible, Gemini, Ollama; the built-in local provider
    /// through [`Engine::embed`]), reserved, metered and counted against
    /// the spending limits as a chat request is (module doc). `client`
    /// names who asked in the usage record. Cancelling `cancel` stops the
    /// request (its reservation is released).
    ///
    /// # Errors
    /// Before anything is sent: [`EngineError::NoModelChosen`],
    /// [`EngineError::UnknownProvider`], [`EngineError::LimitReached`],
    /// [`EngineError::UnpricedUnderLimit`], a provider without embeddings
    /// ([`ProviderError::Unsupported`]). Then the provider's error
    /// ([`EngineError::Provider`]) or the local model's
    /// ([`EmbedError::Local`]).
    pub async fn embed_with_provider(
        &self,
        provider_id: &str,
        model: &str,
        texts: Vec<String>,
        client: Option<String>,
        cancel: CancellationToken,
    ) -> Result<ProviderEmbeddings, EmbedError> {
        if model.trim().is_empty() {
            return Err(EngineError::NoModelChosen.into());
        }
        let provider = self.providers.get(provider_id).await?;
        let local = is_built_in(&provider);
        let embedder = if local {
            None
        } else {
            Some(self.providers.embedder(provider_id).await?)
        };
        if texts.is_empty() {
            return Ok(ProviderEmbeddings {
                embeddings: Embeddings {
                    model: model.to_owned(),
                    input_tokens: Some(0),
                    vectors: Vec::new(),
                },
                record: None,
                alerts: Vec::new(),
            });
        }
        let price = self.model_price(&provider, model).await?;
        let meter = Meter::new(
            self.store().clone(),
            MeterSetup {
                provider_id: provider_id.to_owned(),
                model: model.to_owned(),
                conversation_id: None,
                price,
                // Embeddings have no output tokens: the worst case is the input.
                max_output_tokens: Some(0),
                allow_over_limit: false,
                client,
            },
        );
        let counted = count_texts(model, &texts).await?;
        let billing = meter.reserve_counted(counted).await?;
        let cancel = cancel.child_token();
        let reply: Result<Embeddings, EmbedError> = if !self
            .wait_for_rate_limit(provider_id, billing.counted.tokens, &cancel)
            .await
        {
            Err(EngineError::Provider(ProviderError::Cancelled).into())
        } else if let Some(embedder) = embedder {
            let request = EmbeddingRequest {
                model: model.to_owned(),
                inputs: texts,
            };
            embedder
                .embed(request, cancel.clone())
                .await
                .map_err(|e| EngineError::Provider(e).into())
        } else {
            tokio::select! {
                biased;
                () = cancel.cancelled() => Err(EngineError::Provider(ProviderError::Cancelled).into()),
                vectors = self.embed(model, &texts) => vectors
                    .map(|vectors| Embeddings { vectors, input_tokens: None, model: model.to_owned() })
                    .map_err(EmbedError::from),
            }
        };
        let end = RequestEnd {
            message_id: None,
            usage: reply.as_ref().ok().and_then(|e| {
                e.input_tokens.map(|input_tokens| Usage {
                    input_tokens,
                    ..Usage::default()
                })
            }),
            reported_cost: None,
            output_text: "",
            accepted: reply.is_ok(),
            outcome: match &reply {
                Ok(_) => Outcome::Completed,
                Err(EmbedError::Engine(EngineError::Provider(ProviderError::Cancelled))) => {
                    Outcome::Cancelled
                }
                Err(_) => Outcome::Failed,
            },
        };
        let settled = meter.settle(billing, end).await;
        let embeddings = reply?;
        let settled = settled?;
        let (record, alerts) = settled.map_or((None, Vec::new()), |s| (s.record, s.alerts));
        if !alerts.is_empty() {
            // No subscriber is not an error.
            let _ = self.completion_alerts.send(alerts.clone());
        }
        Ok(ProviderEmbeddings {
            embeddings,
            record,
            alerts,
        })
    }

    /// What embedding `texts` with `model` of `provider_id` would cost:
    /// their input tokens and those × the model's input price (see
    /// [`EmbeddingEstimate`]). Nothing is sent.
    ///
    /// # Errors
    /// [`EngineError::UnknownProvider`]; store errors reading the price.
    pub async fn estimate_embedding(
        &self,
        provider_id: &str,
        model: &str,
        texts: &[String],
    ) -> Result<EmbeddingEstimate, EngineError> {
        let provider = self.providers.get(provider_id).await?;
        let price = self.model_price(&provider, model).await?;
        let counted = count_texts(model, texts).await?;
        let cost_usd = price.map(|(price, _)| {
            price.effective(counted.tokens).input * Decimal::from(counted.tokens)
        });
        Ok(EmbeddingEstimate {
            tokens: counted.tokens,
            cost_usd,
        })
    }
}
