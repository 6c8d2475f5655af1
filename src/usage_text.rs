//! What a reply cost, in words (shared by the window and the CLI, no GTK): the short line under a message ("1,234
//! tokens · $0.0042") and the details of its tooltip (token classes, where
//! the cost comes from, whether the provider's count was verified).

use gettextrs::gettext;
use rust_decimal::Decimal;

use crate::i18n::{gettext_f, ngettext_f};
use valechat_core::format::format_usd as usd;
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
        &[("count", &total.to_string())],
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
    let differs = records
        .iter()
        .any(|r| r.verification == Verification::Differs);
    let mut line = format!("{tokens} · {money}");
    if differs {
        line.push_str(" · ");
        line.push_str(&gettext("token counts differ"));
    }

    let mut details = vec![
        gettext_f(
            "Input: {count} tokens ({cached} read from cache, {written} written to cache)",
            &[
                ("count", &input.to_string()),
                ("cached", &cache_read.to_string()),
                ("written", &cache_write.to_string()),
            ],
        ),
        gettext_f(
            "Output: {count} tokens ({reasoning} reasoning)",
            &[
                ("count", &output.to_string()),
                ("reasoning", &reasoning.to_string()),
            ],
        ),
    ];
    details.push(match money_source(&sources) {
        Some(CostSource::Actual) => gettext_f(
            "Cost: {amount}, as the provider reported it",
            &[("amount", &usd(cost))],
        ),
        Some(CostSource::Free) => gettext("Cost: free (a local model without a price)"),
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
        let counted = r.counted_input_tokens.unwrap_or_default().to_string();
        return gettext_f(
            // xgettext:no-c-format
            "The provider's input count ({reported}) differs by more than 5 % from ValeChat's own count ({counted}).",
            &[
                ("reported", &r.tokens.input.to_string()),
                ("counted", &counted),
            ],
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
