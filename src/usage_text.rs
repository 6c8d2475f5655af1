//! What a reply cost, in words (shared by the window and the CLI, no GTK):
//! the short line under a message ("1,234 tokens · $0.0042", figures in the
//! user's locale) and the details of its tooltip (token classes, where the
//! cost comes from, whether ValeChat's own count agrees with the
//! provider's, and if not, both counts).

use gettextrs::gettext;
use rust_decimal::Decimal;

use crate::i18n::{gettext_f, ngettext_f};
use valechat_core::format::{format_integer as count, format_usd as usd};
use valechat_core::ledger::{CostSource, UsageRecord, Verification};

/// The line and the tooltip for the requests of one reply.
pub fn describe(records: &[UsageRecord]) -> (String, String) {
    let mut input = 0i64;
    let mut output = 0i64;
    let mut cache_read = 0i64;
    let mut cache_write = 0i64;
    let mut reasoning = 0i64;
    let mut cost = Decimal::ZERO;
    for r in records {
        input = input.saturating_add(r.tokens.input);
        output = output.saturating_add(r.tokens.output);
        cache_read = cache_read.saturating_add(r.tokens.cache_read);
        cache_write = cache_write.saturating_add(r.tokens.cache_write);
        reasoning = reasoning.saturating_add(r.tokens.reasoning);
        cost += r.cost_usd;
    }
    let total = input.saturating_add(output);
    let tokens = ngettext_f(
        "{count} token",
        "{count} tokens",
        u32::try_from(total).unwrap_or(u32::MAX),
        &[("count", &count(total))],
    );
    let sources: Vec<CostSource> = records.iter().map(|r| r.cost_source).collect();
    let money = if sources.contains(&CostSource::Unpriced) {
        gettext("price unknown")
    } else if sources.iter().all(|s| *s == CostSource::Free) {
        gettext("free")
    } else if sources.iter().all(|s| *s == CostSource::Actual) {
        usd(cost)
    } else {
        gettext_f("≈ {amount}", &[("amount", &usd(cost))])
    };
    // The line is the figures only; whether the counts agree is told in
    // words in the tooltip.
    let line = format!("{tokens} · {money}");

    let mut details = vec![
        gettext_f(
            "Input: {count} tokens ({cached} read from cache, {written} written to cache)",
            &[
                ("count", &count(input)),
                ("cached", &count(cache_read)),
                ("written", &count(cache_write)),
            ],
        ),
        gettext_f(
            "Output: {count} tokens ({reasoning} reasoning)",
            &[("count", &count(output)), ("reasoning", &count(reasoning))],
        ),
    ];
    details.push(match money_source(&sources) {
        Some(CostSource::Actual) => gettext_f(
            "Cost: {amount}, as the provider reported it",
            &[("amount", &usd(cost))],
        ),
        Some(CostSource::Free) => gettext("Cost: free (a local model without a price)"),
        Some(CostSource::Assumed) => gettext_f(
            "Cost: {amount}, assumed: this server's price is not known, so the model is priced as the cloud model of the same name. Set its price in Preferences → Billing.",
            &[("amount", &usd(cost))],
        ),
        Some(CostSource::Unpriced) => gettext(
            "Cost: unknown — no price is known for this model. Set one in Preferences → Billing.",
        ),
        _ => gettext_f(
            "Cost: {amount}, estimated from the price table",
            &[("amount", &usd(cost))],
        ),
    });
    details.push(verification_text(records));
    (line, details.join("\n"))
}

/// The one source shared by every record, or `None` when they differ.
fn money_source(sources: &[CostSource]) -> Option<CostSource> {
    let first = *sources.first()?;
    if sources.contains(&CostSource::Unpriced) {
        return Some(CostSource::Unpriced);
    }
    sources.iter().all(|s| *s == first).then_some(first)
}

fn verification_text(records: &[UsageRecord]) -> String {
    if let Some(r) = records
        .iter()
        .find(|r| r.verification == Verification::Differs)
    {
        let counted = count(r.counted_input_tokens.unwrap_or_default());
        return gettext_f(
            "The provider counted {reported} input tokens; ValeChat estimated {counted}. The cost uses the provider's count.",
            &[("reported", &count(r.tokens.input)), ("counted", &counted)],
        );
    }
    if records
        .iter()
        .any(|r| r.verification == Verification::Estimated)
    {
        return gettext("The server reported no usage: the counts are ValeChat's estimate.");
    }
    if records
        .iter()
        .all(|r| r.verification == Verification::Agrees)
    {
        return gettext("ValeChat's own count agrees with the provider's.");
    }
    gettext("ValeChat cannot count tokens for this model, so the provider's count is not verified.")
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use valechat_core::ledger::{Outcome, TokenUsage};

    use super::*;

    fn record(verification: Verification, counted: i64) -> UsageRecord {
        UsageRecord {
            id: 1,
            request_id: "r".into(),
            provider_id: "openai".into(),
            model: "gpt-4o".into(),
            conversation_id: None,
            message_id: None,
            created_at: 0,
            tokens: TokenUsage {
                input: 1234,
                output: 66,
                cache_read: 0,
                cache_write: 0,
                reasoning: 0,
            },
            counted_input_tokens: Some(counted),
            verification,
            cost_usd: Decimal::new(42, 4),
            cost_source: CostSource::Actual,
            outcome: Outcome::Completed,
            client: None,
        }
    }

    #[test]
    fn differing_counts_are_told_in_words_in_the_tooltip() {
        let (line, details) = describe(&[record(Verification::Differs, 1180)]);
        assert_eq!(line, "1,300 tokens · $0.0042");
        assert!(
            details.contains(
                "The provider counted 1,234 input tokens; ValeChat estimated 1,180. \
                 The cost uses the provider's count."
            ),
            "{details}"
        );
        assert!(!details.contains("differ"), "{details}");
    }

    #[test]
    fn an_assumed_price_is_said_in_the_tooltip() {
        let mut assumed = record(Verification::Agrees, 1234);
        assumed.cost_source = CostSource::Assumed;
        let (line, details) = describe(&[assumed]);
        assert_eq!(line, "1,300 tokens · ≈ $0.0042");
        assert!(
            details.contains("Cost: $0.0042, assumed: this server's price is not known"),
            "{details}"
        );
    }

    #[test]
    fn agreeing_counts_keep_the_line_to_tokens_and_cost() {
        let (line, details) = describe(&[record(Verification::Agrees, 1234)]);
        assert_eq!(line, "1,300 tokens · $0.0042");
        assert!(details.starts_with("Input: 1,234 tokens"), "{details}");
    }
}
