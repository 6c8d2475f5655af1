//! [`ModelPrice`]: what one model charges, in USD per token, per token class,
//! and [`PriceOrigin`], where a price comes from.
//!
//! Prices are stored per token (as `LiteLLM`'s table and the providers' usage
//! reports count tokens) and shown per million tokens (as the providers'
//! price pages do): [`ModelPrice::per_million`], [`per_million`],
//! [`per_token`] convert between the two, exactly.

use rust_decimal::Decimal;

/// Input size, in tokens, above which a model's long-context tier
/// (`*_above_200k` prices) applies to the whole request (Gemini 2.5 Pro and
/// others; `LiteLLM`'s `*_above_200k_tokens` fields).
pub const LONG_CONTEXT_THRESHOLD: u64 = 200_000;

/// One million, the unit prices are shown in.
const MILLION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// The price of one model, USD per token for each token class.
///
/// `None` means the table does not know that class's price; the cost
/// arithmetic (`crate::billing::cost`) then falls back as documented
/// there (cache prices to the input price, reasoning to the output price,
/// long-context prices to the base ones).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelPrice {
    /// Uncached input (prompt) tokens, USD per token.
    pub input: Decimal,
    /// Output (completion) tokens, USD per token.
    pub output: Decimal,
    /// Input tokens read from the prompt cache, USD per token.
    pub cache_read: Option<Decimal>,
    /// Input tokens written to the prompt cache, USD per token.
    pub cache_write: Option<Decimal>,
    /// Reasoning (thinking) output tokens, USD per token, when the provider
    /// prices them apart from other output.
    pub reasoning: Option<Decimal>,
    /// Input price when the request's input passes [`LONG_CONTEXT_THRESHOLD`].
    pub input_above_200k: Option<Decimal>,
    /// Output price when the request's input passes [`LONG_CONTEXT_THRESHOLD`].
    pub output_above_200k: Option<Decimal>,
    /// Cache read price when the request's input passes [`LONG_CONTEXT_THRESHOLD`].
    pub cache_read_above_200k: Option<Decimal>,
    /// Cache write price when the request's input passes [`LONG_CONTEXT_THRESHOLD`].
    pub cache_write_above_200k: Option<Decimal>,
    /// Context window in tokens, when known.
    pub max_input_tokens: Option<u64>,
    /// Largest reply in tokens, when known (the pre-flight worst case uses it
    /// when the request sets no `max_output_tokens`).
    pub max_output_tokens: Option<u64>,
}

/// A [`ModelPrice`] shown per million tokens (USD per 1M tokens), for display
/// and for the price editor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PricePerMillion {
    /// Input, USD per 1M tokens.
    pub input: Decimal,
    /// Output, USD per 1M tokens.
    pub output: Decimal,
    /// Cache read, USD per 1M tokens.
    pub cache_read: Option<Decimal>,
    /// Cache write, USD per 1M tokens.
    pub cache_write: Option<Decimal>,
    /// Reasoning output, USD per 1M tokens.
    pub reasoning: Option<Decimal>,
}

/// The prices of one token class after the long-context tier was chosen;
/// see [`ModelPrice::effective`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EffectivePrice {
    /// Uncached input, USD per token.
    pub input: Decimal,
    /// Output other than reasoning, USD per token.
    pub output: Decimal,
    /// Cache read, USD per token (falls back to `input`).
    pub cache_read: Decimal,
    /// Cache write, USD per token (falls back to `input`).
    pub cache_write: Decimal,
    /// Reasoning output, USD per token (falls back to `output`).
    pub reasoning: Decimal,
}

impl ModelPrice {
    /// A price with only input and output known (USD per token).
    #[must_use]
    pub fn new(input: Decimal, output: Decimal) -> Self {
        Self {
            input,
            output,
            ..Self::default()
        }
    }

    /// Everything free: local models (Ollama, LM Studio, llama.cpp, vLLM)
    /// without a price of the user's.
    #[must_use]
    pub fn zero() -> Self {
        Self::default()
    }

    /// A price entered per million tokens (input and output, USD per 1M).
    #[must_use]
    pub fn from_per_million(input: Decimal, output: Decimal) -> Self {
        Self::new(per_token(input), per_token(output))
    }

    /// Whether every known price is zero (a free or local model).
    #[must_use]
    pub fn is_free(&self) -> bool {
        let optional = [
            self.cache_read,
            self.cache_write,
            self.reasoning,
            self.input_above_200k,
            self.output_above_200k,
            self.cache_read_above_200k,
            self.cache_write_above_200k,
        ];
        self.input.is_zero()
            && self.output.is_zero()
            && optional
                .iter()
                .flatten()
                .all(rust_decimal::Decimal::is_zero)
    }

    /// Whether the model has long-context prices (any `*_above_200k`).
    #[must_use]
    pub fn has_long_context_tier(&self) -> bool {
        self.input_above_200k.is_some()
            || self.output_above_200k.is_some()
            || self.cache_read_above_200k.is_some()
            || self.cache_write_above_200k.is_some()
    }

    /// The per-token prices that apply to a request with `input_tokens`
    /// input tokens (cached ones included).
    ///
    /// Above [`LONG_CONTEXT_THRESHOLD`] input tokens, a model with a
    /// long-context tier is billed at the tier prices for the whole request,
    /// as `LiteLLM` does; a class without a tier price keeps its base price.
    /// Unknown cache prices fall back to the input price, an unknown
    /// reasoning price to the output price.
    #[must_use]
    pub fn effective(&self, input_tokens: u64) -> EffectivePrice {
        let long = input_tokens > LONG_CONTEXT_THRESHOLD && self.has_long_context_tier();
        let tier = |tier: Option<Decimal>, base: Option<Decimal>| {
            if long { tier.or(base) } else { base }
        };
        let input = tier(self.input_above_200k, Some(self.input)).unwrap_or(self.input);
        let output = tier(self.output_above_200k, Some(self.output)).unwrap_or(self.output);
        EffectivePrice {
            input,
            output,
            cache_read: tier(self.cache_read_above_200k, self.cache_read).unwrap_or(input),
            cache_write: tier(self.cache_write_above_200k, self.cache_write).unwrap_or(input),
            // The reasoning price has no tier in the table: when the tier
            // applies, reasoning follows the tier's output price unless the
            // model prices reasoning apart.
            reasoning: self.reasoning.unwrap_or(output),
        }
    }

    /// The base prices per million tokens, for display.
    pub fn per_million(&self) -> PricePerMillion {
        PricePerMillion {
            input: per_million(self.input),
            output: per_million(self.output),
            cache_read: self.cache_read.map(per_million),
            cache_write: self.cache_write.map(per_million),
            reasoning: self.reasoning.map(per_million),
        }
    }
}

/// Where a price comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PriceOrigin {
    /// Set by the user for that provider.
    User,
    /// From the table shipped with ValeChat.
    Shipped,
    /// A local model without a price of the user's: free.
    Local,
    /// A local or custom endpoint (a `LiteLLM` proxy, a company gateway,
    /// Azure OpenAI…) serving a model that exists only as a paid cloud
    /// model (`gpt-4o`, `claude-…`, `gemini-…`, `grok-…`): priced at the
    /// cloud service's shipped price by its name, an assumption the user
    /// can replace with a price of their own.
    Assumed,
}

impl PriceOrigin {
    /// Stable identifier (`user`, `shipped`, `local`, `assumed`); the
    /// first two are the values of `model_prices.origin`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Shipped => "shipped",
            Self::Local => "local",
            Self::Assumed => "assumed",
        }
    }
}

/// A per-token price as USD per 1M tokens (`0.0000025` → `2.5`), exact and
/// without trailing zeros; saturates at [`Decimal::MAX`].
#[must_use]
pub fn per_million(per_token: Decimal) -> Decimal {
    per_token
        .checked_mul(MILLION)
        .unwrap_or(Decimal::MAX)
        .normalize()
}

/// A price per 1M tokens as USD per token (`2.5` → `0.0000025`), exact for
/// up to 22 decimal places of input (`rust_decimal` keeps 28).
#[must_use]
pub fn per_token(per_million: Decimal) -> Decimal {
    per_million
        .checked_div(MILLION)
        .unwrap_or(Decimal::ZERO)
        .normalize()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    #[test]
    fn per_million_round_trips_exactly() {
        assert_eq!(per_million(d("0.0000025")).to_string(), "2.5");
        assert_eq!(per_token(d("2.5")).to_string(), "0.0000025");
        assert_eq!(per_token(d("0.075")), d("0.000000075"));
        let price = ModelPrice {
            cache_read: Some(d("0.00000125")),
            ..ModelPrice::new(d("0.0000025"), d("0.00001"))
        };
        let shown = price.per_million();
        assert_eq!(shown.input, d("2.5"));
        assert_eq!(shown.output.to_string(), "10");
        assert_eq!(shown.cache_read, Some(d("1.25")));
        assert_eq!(shown.cache_write, None);
    }

    #[test]
    fn effective_prices_fall_back_and_switch_tier() {
        let price = ModelPrice {
            cache_read: Some(d("0.000000125")),
            input_above_200k: Some(d("0.0000025")),
            output_above_200k: Some(d("0.000015")),
            ..ModelPrice::new(d("0.00000125"), d("0.00001"))
        };
        let short = price.effective(LONG_CONTEXT_THRESHOLD);
        assert_eq!(short.input, d("0.00000125"));
        assert_eq!(short.cache_write, d("0.00000125"), "falls back to input");
        assert_eq!(short.reasoning, d("0.00001"), "falls back to output");
        let long = price.effective(LONG_CONTEXT_THRESHOLD + 1);
        assert_eq!(long.input, d("0.0000025"));
        assert_eq!(long.output, d("0.000015"));
        assert_eq!(long.reasoning, d("0.000015"));
        assert_eq!(long.cache_read, d("0.000000125"), "no tier price: base");
        assert!(!price.is_free());
        assert!(ModelPrice::zero().is_free());
    }
}
