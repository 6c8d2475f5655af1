//! Usage records: what one provider request consumed and cost, as stored in
//! `usage_records` (one row per `request_id`, so nothing is billed twice),
//! and [`UsageTotals`], their sums.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

/// Defines a string-backed enum with `as_str`, `Display` and `FromStr`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    other => Err(UnknownValue(other.to_owned())),
                }
            }
        }
    };
}

/// A stored name that is not one of the known values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

text_enum! {
    /// How the provider's token counts compare with ValeChat's own count.
    Verification {
        /// Within 5 % of the independent count.
        Agrees => "agrees",
        /// More than 5 % apart (flagged in the message details).
        Differs => "differs",
        /// No tokenizer is known for the model.
        Unverifiable => "unverifiable",
        /// The server reported nothing; the counts are ValeChat's own.
        Estimated => "estimated",
    }
}

text_enum! {
    /// Where the cost figure comes from.
    CostSource {
        /// Reported by the provider (e.g. OpenRouter's `usage.cost`).
        Actual => "actual",
        /// Computed from the price table.
        Estimated => "estimated",
        /// A model without a price (local models).
        Free => "free",
        /// A paid model whose price is not known: the cost is recorded as 0
        /// until the person sets a price (Preferences → Billing).
        Unpriced => "unpriced",
        /// Computed from a cloud model's shipped price for a local or
        /// custom endpoint serving it by that name (a `LiteLLM` proxy
        /// serving `gpt-4o`): an assumption until the person sets a price.
        Assumed => "assumed",
    }
}

text_enum! {
    /// How the request ended.
    Outcome {
        /// Finished normally.
        Completed => "completed",
        /// Stopped by the person.
        Cancelled => "cancelled",
        /// Failed after consuming tokens.
        Failed => "failed",
        /// Stopped because a hard limit was reached in flight.
        CutOff => "cut_off",
    }
}

/// Token counts of one request, as the provider reported them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct TokenUsage {
    /// Input (prompt) tokens.
    pub input: i64,
    /// Output (completion) tokens.
    pub output: i64,
    /// Input tokens read from the provider's cache.
    pub cache_read: i64,
    /// Input tokens written to the provider's cache.
    pub cache_write: i64,
    /// Reasoning (thinking) tokens.
    pub reasoning: i64,
}

impl TokenUsage {
    /// Adds `other` field by field (saturating).
    pub fn add(&mut self, other: &Self) {
        self.input = self.input.saturating_add(other.input);
        self.output = self.output.saturating_add(other.output);
        self.cache_read = self.cache_read.saturating_add(other.cache_read);
        self.cache_write = self.cache_write.saturating_add(other.cache_write);
        self.reasoning = self.reasoning.saturating_add(other.reasoning);
    }
}

/// What [`Store::settle`](crate::store::Store::settle) records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUsageRecord {
    /// Unique id of the provider request (the reservation's id).
    pub request_id: String,
    /// Provider id.
    pub provider_id: String,
    /// Model id as the server names it.
    pub model: String,
    /// Conversation, if any (must exist).
    pub conversation_id: Option<i64>,
    /// Assistant message the request produced, if any (must exist).
    pub message_id: Option<i64>,
    /// When the request ended, UTC unix ms; decides the period it counts in.
    pub created_at: i64,
    /// Provider-reported tokens.
    pub tokens: TokenUsage,
    /// ValeChat's own count of the input tokens, if a tokenizer is known.
    pub counted_input_tokens: Option<i64>,
    /// Comparison of the two counts.
    pub verification: Verification,
    /// Cost in USD (≥ 0), exact.
    pub cost_usd: Decimal,
    /// Where the cost comes from.
    pub cost_source: CostSource,
    /// How the request ended.
    pub outcome: Outcome,
    /// Who asked, for a request from outside the window (`mcp:<client
    /// name>` for the MCP server mode, `api:<user agent>` for the
    /// OpenAI-compatible API, `ws:<client>` for the WebSocket stream);
    /// `None` for the window's and the CLI's own requests.
    pub client: Option<String>,
}

/// A stored usage record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UsageRecord {
    /// Row id.
    pub id: i64,
    /// Unique id of the provider request.
    pub request_id: String,
    /// Provider id.
    pub provider_id: String,
    /// Model id.
    pub model: String,
    /// Conversation, `None` if none or deleted.
    pub conversation_id: Option<i64>,
    /// Message, `None` if none or deleted.
    pub message_id: Option<i64>,
    /// UTC unix ms.
    pub created_at: i64,
    /// Provider-reported tokens.
    pub tokens: TokenUsage,
    /// Independent input count.
    pub counted_input_tokens: Option<i64>,
    /// Comparison of the counts.
    pub verification: Verification,
    /// Cost, USD.
    pub cost_usd: Decimal,
    /// Where the cost comes from.
    pub cost_source: CostSource,
    /// How the request ended.
    pub outcome: Outcome,
    /// Who asked, as in [`NewUsageRecord::client`].
    pub client: Option<String>,
}

impl UsageRecord {
    /// `"provider/model"`, the key of model limits and model reports.
    #[must_use]
    pub fn model_key(&self) -> String {
        format!("{}/{}", self.provider_id, self.model)
    }
}

/// Sums over a set of usage records.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UsageTotals {
    /// Number of provider requests.
    pub requests: u64,
    /// Token sums.
    pub tokens: TokenUsage,
    /// Cost, USD.
    pub cost_usd: Decimal,
}

impl UsageTotals {
    /// Adds one record.
    pub fn add(&mut self, record: &UsageRecord) {
        self.requests += 1;
        self.tokens.add(&record.tokens);
        self.cost_usd += record.cost_usd;
    }

    /// Totals of `records`.
    pub fn of<'a>(records: impl IntoIterator<Item = &'a UsageRecord>) -> Self {
        let mut totals = Self::default();
        for record in records {
            totals.add(record);
        }
        totals
    }
}
