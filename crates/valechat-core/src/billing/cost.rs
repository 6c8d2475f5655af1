//! What one provider request cost: [`cost`] itemises a [`Usage`] at a
//! [`ModelPrice`]; [`ChargedCost`] is the figure recorded, the provider's own
//! when it reports one (OpenRouter's `usage.cost`, marked
//! [`CostSource::Actual`]), else the estimate from the price table
//! ([`CostSource::Estimated`]).
//!
//! Token classes follow [`Usage`]'s documentation: `input_tokens` includes
//! the cache reads and cache writes, `output_tokens` includes the reasoning
//! tokens. So a request is billed as
//!
//! | part | tokens | price (USD per token) |
//! | --- | --- | --- |
//! | input | `input − cache_read − cache_write` | input |
//! | cache read | `cache_read` | cache read, else input |
//! | cache write | `cache_write` | cache write, else input |
//! | output | `output − reasoning` | output |
//! | reasoning | `reasoning` | reasoning, else output |
//!
//! with the long-context tier's prices for the whole request when
//! `input_tokens` passes 200,000 and the model has one
//! ([`ModelPrice::effective`]). Token subtractions saturate at 0 and
//! products at [`Decimal::MAX`], so a cost is never negative.

use rust_decimal::Decimal;

use super::price::ModelPrice;
use crate::provider::Usage;

/// An itemised cost in USD. `total` is the sum of the parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    /// Uncached input tokens, USD.
    pub input: Decimal,
    /// Output tokens other than reasoning, USD.
    pub output: Decimal,
    /// Input tokens read from the prompt cache, USD.
    pub cache_read: Decimal,
    /// Input tokens written to the prompt cache, USD.
    pub cache_write: Decimal,
    /// Reasoning output tokens, USD.
    pub reasoning: Decimal,
    /// Sum of the five parts, USD.
    pub total: Decimal,
}

impl Cost {
    /// Nothing spent.
    pub const ZERO: Cost = Cost {
        input: Decimal::ZERO,
        output: Decimal::ZERO,
        cache_read: Decimal::ZERO,
        cache_write: Decimal::ZERO,
        reasoning: Decimal::ZERO,
        total: Decimal::ZERO,
    };

    /// A cost from its parts (USD); `total` is their saturating sum. Trailing
    /// zeros are removed (`0.0250000` → `0.025`).
    pub fn from_parts(
        input: Decimal,
        output: Decimal,
        cache_read: Decimal,
        cache_write: Decimal,
        reasoning: Decimal,
    ) -> Self {
        let total = [output, cache_read, cache_write, reasoning]
            .into_iter()
            .fold(input, saturating_add);
        Self {
            input: input.normalize(),
            output: output.normalize(),
            cache_read: cache_read.normalize(),
            cache_write: cache_write.normalize(),
            reasoning: reasoning.normalize(),
            total: total.normalize(),
        }
    }
}

/// The cost of `usage` at `price` (USD), itemised as the module doc says.
#[must_use]
pub fn cost(usage: &Usage, price: &ModelPrice) -> Cost {
    let rates = price.effective(usage.input_tokens);
    let uncached = usage
        .input_tokens
        .saturating_sub(usage.cache_read_tokens)
        .saturating_sub(usage.cache_write_tokens);
    let visible_output = usage.output_tokens.saturating_sub(usage.reasoning_tokens);
    Cost::from_parts(
        times(uncached, rates.input),
        times(visible_output, rates.output),
        times(usage.cache_read_tokens, rates.cache_read),
        times(usage.cache_write_tokens, rates.cache_write),
        times(usage.reasoning_tokens, rates.reasoning),
    )
}

/// `tokens × price`, never negative (a negative price counts as 0),
/// saturating at [`Decimal::MAX`].
fn times(tokens: u64, price: Decimal) -> Decimal {
    if price.is_sign_negative() {
        return Decimal::ZERO;
    }
    Decimal::from(tokens)
        .checked_mul(price)
        .unwrap_or(Decimal::MAX)
}

/// `a + b`, saturating at [`Decimal::MAX`].
fn saturating_add(a: Decimal, b: Decimal) -> Decimal {
    a.checked_add(b).unwrap_or(Decimal::MAX)
}

/// Where a recorded cost comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CostSource {
    /// The provider reported what it charged (OpenRouter `usage.cost`).
    Actual,
    /// Computed from the price table ([`cost`]).
    Estimated,
}

impl CostSource {
    /// Stable identifier for the database: `actual` or `estimated`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Actual => "actual",
            Self::Estimated => "estimated",
        }
    }

    /// Parses [`CostSource::as_str`]'s identifiers; `None` for anything else.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "actual" => Some(Self::Actual),
            "estimated" => Some(Self::Estimated),
            _ => None,
        }
    }
}

/// The cost recorded for one provider request.
///
/// `total` is what counts against limits. With [`CostSource::Actual`] it is
/// the provider's figure and `itemised` (when a price was known) is the
/// table's breakdown shown for information, whose total may differ; with
/// [`CostSource::Estimated`] `itemised` is always present and
/// `total == itemised.total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChargedCost {
    /// USD charged.
    pub total: Decimal,
    /// The table's breakdown, when a price is known.
    pub itemised: Option<Cost>,
    /// Whether `total` is the provider's figure or the table's.
    pub source: CostSource,
}

impl ChargedCost {
    /// An estimate from the price table.
    #[must_use]
    pub fn estimated(cost: Cost) -> Self {
        Self {
            total: cost.total,
            itemised: Some(cost),
            source: CostSource::Estimated,
        }
    }

    /// The provider's reported charge (USD), with the table's breakdown when
    /// known. A negative report is treated as 0.
    #[must_use]
    pub fn actual(total: Decimal, itemised: Option<Cost>) -> Self {
        Self {
            total: total.max(Decimal::ZERO).normalize(),
            itemised,
            source: CostSource::Actual,
        }
    }

    /// The recorded cost of a request: the provider's `reported` charge
    /// (e.g. OpenRouter's `usage.cost`, parsed to a `Decimal`) wins when it
    /// is present and not negative; otherwise the estimate of `usage` at
    /// `price`. `None` when neither is available (no report, no price).
    pub fn resolve(
        reported: Option<Decimal>,
        usage: &Usage,
        price: Option<&ModelPrice>,
    ) -> Option<Self> {
        let itemised = price.map(|p| cost(usage, p));
        match reported {
            Some(total) if !total.is_sign_negative() => Some(Self::actual(total, itemised)),
            _ => itemised.map(Self::estimated),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    #[test]
    fn inconsistent_usage_never_goes_negative() {
        // More cache and reasoning tokens than totals: parts are billed, the
        // remainders saturate at 0.
        let usage = Usage {
            input_tokens: 10,
            output_tokens: 5,
            cache_read_tokens: 8,
            cache_write_tokens: 8,
            reasoning_tokens: 9,
        };
        let c = cost(&usage, &ModelPrice::new(d("0.000001"), d("0.000002")));
        assert_eq!(c.input, Decimal::ZERO);
        assert_eq!(c.output, Decimal::ZERO);
        assert_eq!(c.cache_read, d("0.000008"));
        assert_eq!(c.reasoning, d("0.000018"));
        assert_eq!(c.total, d("0.000034"));
    }

    #[test]
    fn reported_cost_wins_and_negative_reports_are_ignored() {
        let usage = Usage {
            input_tokens: 1000,
            output_tokens: 100,
            ..Usage::default()
        };
        let price = ModelPrice::new(d("0.000001"), d("0.000002"));
        let actual = ChargedCost::resolve(Some(d("0.00150")), &usage, Some(&price));
        assert_eq!(
            actual.map(|c| (c.total, c.source)),
            Some((d("0.0015"), CostSource::Actual))
        );
        assert_eq!(
            actual.and_then(|c| c.itemised).map(|c| c.total),
            Some(d("0.0012"))
        );
        let negative = ChargedCost::resolve(Some(d("-1")), &usage, Some(&price));
        assert_eq!(negative.map(|c| c.source), Some(CostSource::Estimated));
        assert_eq!(ChargedCost::resolve(None, &usage, None), None);
        assert_eq!(
            CostSource::parse(CostSource::Actual.as_str()),
            Some(CostSource::Actual)
        );
        assert_eq!(CostSource::parse("guess"), None);
    }
}
