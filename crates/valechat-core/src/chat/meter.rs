//! Billing of a turn's provider requests (DESIGN.md, "Data flow of one
//! message", steps 3, 5 and 7; issue 5, "Usage meter" and "Limits").
//!
//! Before each request the input is counted ([`count_input_tokens`]; an
//! estimate of 4 characters per token where no tokenizer is known) and the
//! worst case — counted input × input price + maximum output × output price
//! — is reserved against every limit that applies, atomically
//! ([`Store::reserve`]). While the reply streams, its running cost is
//! estimated from the text received and compared with the room left under
//! the tightest hard limit. When the request ends, however it ends, one
//! usage record replaces the reservation ([`Store::settle`]); thresholds
//! crossed for the first time come back as alerts.

use std::sync::Arc;

use chrono::Local;
use rust_decimal::Decimal;

use super::EngineError;
use crate::billing::{
    ChargedCost, CountMethod, ModelPrice, PriceOrigin, TokenCount, count_input_tokens,
    estimate_tokens, verify,
};
use crate::ledger::{
    CostSource, LimitAlert, LimitBreach, NewUsageRecord, Outcome, Reservation, ReserveError,
    SpendRequest, TokenUsage, UsageRecord, Verification,
};
use crate::provider::{ChatMessage, Usage};
use crate::store::Store;

/// Output tokens assumed for the worst case when neither the conversation
/// nor the price table gives the model's output limit.
pub const DEFAULT_MAX_OUTPUT_TOKENS: u64 = 8_192;

/// The most tokens of one class a single request is believed to use: a
/// count a server reports above it (`"prompt_tokens": 1e15`, a bug or a
/// hostile proxy) is clamped to it, so that one reply cannot record an
/// absurd cost. Ten million is five times the largest context window
/// offered today.
pub const MAX_REPORTED_TOKENS: u64 = 10_000_000;

/// `usage` with every count clamped to [`MAX_REPORTED_TOKENS`].
#[must_use]
pub fn clamp_usage(usage: Usage) -> Usage {
    let clamp = |n: u64| n.min(MAX_REPORTED_TOKENS);
    Usage {
        input_tokens: clamp(usage.input_tokens),
        output_tokens: clamp(usage.output_tokens),
        cache_read_tokens: clamp(usage.cache_read_tokens),
        reasoning_tokens: clamp(usage.reasoning_tokens),
        cache_write_tokens: clamp(usage.cache_write_tokens),
    }
}

/// What the meter knows about the model of a turn.
#[derive(Debug, Clone)]
pub struct MeterSetup {
    /// Provider id.
    pub provider_id: String,
    /// Model id as the server names it.
    pub model: String,
    /// Conversation billed (`None` for an MCP server's sampling request).
    pub conversation_id: Option<i64>,
    /// The price in force and where it comes from; `None` when unknown.
    pub price: Option<(ModelPrice, PriceOrigin)>,
    /// The conversation's output cap, tokens, when set.
    pub max_output_tokens: Option<u64>,
    /// The person chose to send once over a hard limit.
    pub allow_over_limit: bool,
    /// Who asked, for a request from outside the window (recorded in the
    /// usage record, [`NewUsageRecord::client`]).
    pub client: Option<String>,
}

/// Bills one turn's requests.
#[derive(Debug, Clone)]
pub struct Meter {
    store: Store,
    setup: Arc<MeterSetup>,
}

/// One request's reservation and input count, from pre-flight to settling.
#[derive(Debug, Clone)]
pub struct RequestMeter {
    /// The request id (also the usage record's).
    pub request_id: String,
    /// ValeChat's own input count.
    pub counted: TokenCount,
    /// The reservation granted.
    pub reservation: Reservation,
}

/// What settling a request produced.
#[derive(Debug, Clone)]
pub struct Settled {
    /// The stored usage record (`None` only if it could not be read back).
    pub record: Option<UsageRecord>,
    /// Thresholds crossed for the first time (one notification each).
    pub alerts: Vec<LimitAlert>,
}

impl Meter {
    /// A meter over `store` for a turn described by `setup`.
    pub fn new(store: Store, setup: MeterSetup) -> Self {
        Self {
            store,
            setup: Arc::new(setup),
        }
    }

    /// Counts `messages` and reserves the worst case of a request.
    ///
    /// # Errors
    /// [`EngineError::LimitReached`] when a hard limit would be crossed
    /// (nothing is reserved); [`EngineError::UnpricedUnderLimit`] when the
    /// model has no known price and a hard limit applies (unless the
    /// person chose to send over the limit); [`EngineError::Ledger`] for
    /// database errors.
    pub async fn preflight(&self, messages: Vec<ChatMessage>) -> Result<RequestMeter, EngineError> {
        let model = self.setup.model.clone();
        // tiktoken is CPU work (and its first use loads the BPE tables).
        let counted = tokio::task::spawn_blocking(move || count_input_tokens(&model, &messages))
            .await
            .map_err(|e| EngineError::Internal(format!("token counting failed: {e}")))?;
        self.reserve_counted(counted).await
    }

    /// Reserves the worst case of a request whose input the caller counted
    /// (`counted`, e.g. the texts of an embeddings request).
    ///
    /// # Errors
    /// As [`Meter::preflight`].
    pub async fn reserve_counted(&self, counted: TokenCount) -> Result<RequestMeter, EngineError> {
        let request_id = format!("vc-{}", uuid::Uuid::new_v4());
        let request = SpendRequest {
            request_id: request_id.clone(),
            provider_id: self.setup.provider_id.clone(),
            model: self.setup.model.clone(),
            conversation_id: self.setup.conversation_id,
            worst_case: self.worst_case(counted.tokens),
        };
        let now = chrono::Utc::now().timestamp_millis();
        match self
            .store
            .reserve(request, now, &Local, self.setup.allow_over_limit)
            .await
        {
            // A hard limit applies but nothing tells what the model costs:
            // reserving 0 would let it spend without bound.
            Ok(reservation)
                if self.setup.price.is_none()
                    && reservation.headroom.is_some()
                    && !self.setup.allow_over_limit =>
            {
                self.store.release(&request_id).await?;
                Err(EngineError::UnpricedUnderLimit {
                    provider: self.setup.provider_id.clone(),
                    model: self.setup.model.clone(),
                })
            }
            Ok(reservation) => Ok(RequestMeter {
                request_id,
                counted,
                reservation,
            }),
            Err(ReserveError::Refused(refusal)) => Err(EngineError::LimitReached(refusal)),
            Err(ReserveError::Ledger(e)) => Err(EngineError::Ledger(e)),
        }
    }

    /// Worst-case cost of a request with `input_tokens`, USD: 0 for a free
    /// model or an unknown price.
    pub fn worst_case(&self, input_tokens: u64) -> Decimal {
        let Some((price, _)) = &self.setup.price else {
            return Decimal::ZERO;
        };
        let max_output = self.reserved_output_tokens();
        let effective = price.effective(input_tokens);
        effective.input * Decimal::from(input_tokens)
            + effective.output.max(effective.reasoning) * Decimal::from(max_output)
    }

    /// The output tokens the worst case assumes: the conversation's cap,
    /// else the model's largest reply from its price, else
    /// [`DEFAULT_MAX_OUTPUT_TOKENS`].
    pub fn reserved_output_tokens(&self) -> u64 {
        self.setup
            .max_output_tokens
            .or_else(|| self.setup.price.as_ref()?.0.max_output_tokens)
            .unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS)
    }

    /// The output cap to send with each request, tokens (OpenAI
    /// `max_completion_tokens` / `max_tokens`, Anthropic `max_tokens`,
    /// Gemini `maxOutputTokens`, Ollama `num_predict`): the conversation's
    /// cap when set; otherwise the one the reservation assumed whenever the
    /// model is billed, so the reply cannot outgrow what was reserved.
    /// `None` for a free or unpriced model without a cap of its own (its
    /// server's default applies).
    pub fn output_cap(&self) -> Option<u32> {
        let billed = self
            .setup
            .price
            .as_ref()
            .is_some_and(|(price, _)| !price.is_free());
        let cap = match self.setup.max_output_tokens {
            Some(cap) => cap,
            None if billed => self.reserved_output_tokens(),
            None => return None,
        };
        Some(u32::try_from(cap).unwrap_or(u32::MAX))
    }

    /// The running cost of a request whose reply has `output_chars`
    /// characters so far, USD. Every output token counts: the caller
    /// passes the characters of the text, reasoning, refusal and tool-call
    /// arguments (estimated at 4 characters per token), and a `usage` the
    /// provider reported mid-stream counts when it is higher (hidden
    /// reasoning arrives only there). Output is priced at the higher of the
    /// output and reasoning prices, as the worst case is.
    pub fn running_cost(
        &self,
        request: &RequestMeter,
        output_chars: u64,
        usage: Option<&Usage>,
    ) -> Decimal {
        let Some((price, _)) = &self.setup.price else {
            return Decimal::ZERO;
        };
        let usage = usage.copied().map(clamp_usage);
        let input = usage
            .map_or(0, |u| u.input_tokens)
            .max(request.counted.tokens);
        let output = usage
            .map_or(0, |u| u.output_tokens)
            .max(output_chars.div_ceil(4));
        let effective = price.effective(input);
        effective.input * Decimal::from(input)
            + effective.output.max(effective.reasoning) * Decimal::from(output)
    }

    /// Whether the running cost may need checking: a hard limit applies
    /// and the person did not choose to send over it.
    pub fn watches(&self, request: &RequestMeter) -> bool {
        !self.setup.allow_over_limit && request.reservation.headroom.is_some()
    }

    /// Whether the running cost has passed the room left under the
    /// tightest hard limit; the breach names the limit. Always `None` when
    /// the person sent over the limit on purpose.
    ///
    /// # Errors
    /// [`EngineError::Ledger`] when the check cannot read the database.
    pub async fn breach(
        &self,
        request: &RequestMeter,
        running_cost: Decimal,
    ) -> Result<Option<LimitBreach>, EngineError> {
        if self.setup.allow_over_limit {
            return Ok(None);
        }
        match request.reservation.headroom {
            Some(room) if running_cost > room => {}
            _ => return Ok(None),
        }
        let spend = SpendRequest {
            request_id: request.request_id.clone(),
            provider_id: self.setup.provider_id.clone(),
            model: self.setup.model.clone(),
            conversation_id: self.setup.conversation_id,
            worst_case: running_cost,
        };
        let now = chrono::Utc::now().timestamp_millis();
        Ok(self
            .store
            .running_check(&spend, running_cost, now, &Local)
            .await?)
    }

    /// Records what the request consumed and drops its reservation. With no
    /// usage from the provider the counts are ValeChat's own (the input
    /// count and the reply's text), marked estimated; reported counts are
    /// clamped to [`MAX_REPORTED_TOKENS`]. A request the provider never
    /// accepted and that consumed nothing (no usage, no output, failed or
    /// stopped) only releases; once the provider accepted it (the stream
    /// opened), its input is recorded even if nothing came back.
    ///
    /// # Errors
    /// [`EngineError::Ledger`] / [`EngineError::Store`].
    pub async fn settle(
        &self,
        request: RequestMeter,
        end: RequestEnd<'_>,
    ) -> Result<Option<Settled>, EngineError> {
        let consumed = end.accepted || end.usage.is_some() || !end.output_text.is_empty();
        if !consumed && end.outcome != Outcome::Completed {
            self.store.release(&request.request_id).await?;
            return Ok(None);
        }
        let (usage, verification) = match end.usage.map(clamp_usage) {
            Some(usage) => (usage, verification(usage.input_tokens, &request.counted)),
            None => (
                Usage {
                    input_tokens: request.counted.tokens,
                    output_tokens: estimate_tokens(end.output_text),
                    ..Usage::default()
                },
                Verification::Estimated,
            ),
        };
        let price = self.setup.price.as_ref();
        let (cost_usd, cost_source) = match price {
            Some((_, PriceOrigin::Local)) if end.reported_cost.is_none() => {
                (Decimal::ZERO, CostSource::Free)
            }
            _ => match ChargedCost::resolve(end.reported_cost, &usage, price.map(|(p, _)| p)) {
                Some(charged) => match (price, stored_source(charged.source)) {
                    (Some((_, PriceOrigin::Assumed)), CostSource::Estimated) => {
                        (charged.total, CostSource::Assumed)
                    }
                    (_, source) => (charged.total, source),
                },
                None => (Decimal::ZERO, CostSource::Unpriced),
            },
        };
        let record = NewUsageRecord {
            request_id: request.request_id,
            provider_id: self.setup.provider_id.clone(),
            model: self.setup.model.clone(),
            conversation_id: self.setup.conversation_id,
            message_id: end.message_id,
            created_at: chrono::Utc::now().timestamp_millis(),
            tokens: TokenUsage {
                input: saturating(usage.input_tokens),
                output: saturating(usage.output_tokens),
                cache_read: saturating(usage.cache_read_tokens),
                cache_write: saturating(usage.cache_write_tokens),
                reasoning: saturating(usage.reasoning_tokens),
            },
            counted_input_tokens: match request.counted.method {
                CountMethod::Exact(_) => Some(saturating(request.counted.tokens)),
                CountMethod::Unknown => None,
            },
            verification,
            cost_usd,
            cost_source,
            outcome: end.outcome,
            client: self.setup.client.clone(),
        };
        let request_id = record.request_id.clone();
        let settlement = self.store.settle(record, &Local).await?;
        let stored = self.store.usage_by_request(&request_id).await?;
        Ok(Some(Settled {
            record: stored,
            alerts: settlement.alerts,
        }))
    }
}

/// How a request ended, for [`Meter::settle`].
#[derive(Debug, Clone, Copy)]
pub struct RequestEnd<'a> {
    /// The assistant message it produced.
    pub message_id: Option<i64>,
    /// Usage the provider reported, if any.
    pub usage: Option<Usage>,
    /// Charge the provider reported, USD, if any.
    pub reported_cost: Option<Decimal>,
    /// Text and reasoning received (for the estimate without usage).
    pub output_text: &'a str,
    /// Whether the provider accepted the request (its stream opened): its
    /// input is then billed even if nothing came back.
    pub accepted: bool,
    /// How it ended.
    pub outcome: Outcome,
}

/// The stored verification of a reported input count against ours.
fn verification(reported: u64, counted: &TokenCount) -> Verification {
    use crate::billing::Verification as Check;
    match verify(reported, counted) {
        Check::Agrees => Verification::Agrees,
        Check::Differs { .. } => Verification::Differs,
        Check::Unverifiable => Verification::Unverifiable,
    }
}

fn stored_source(source: crate::billing::CostSource) -> CostSource {
    match source {
        crate::billing::CostSource::Actual => CostSource::Actual,
        crate::billing::CostSource::Estimated => CostSource::Estimated,
    }
}

fn saturating(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
