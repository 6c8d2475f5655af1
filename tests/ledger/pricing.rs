//! Pricing end to end (issue 5): hand-computed costs with exact decimals,
//! property tests of the cost arithmetic, the shipped table read back
//! through a [`PriceBook`] over a SQLite file, user and historical prices,
//! free local models, token counts, and the generator's reproducibility.

use std::path::Path;
use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;
use tempfile::TempDir;
use valechat_core::billing::{
    ChargedCost, CostSource, CountMethod, ModelPrice, PriceBook, PriceNamespace, PriceOrigin, cost,
    count_input_tokens, count_text_tokens,
};
use valechat_core::provider::{ChatMessage, Usage};
use valechat_core::store::Store;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// 2026-11-24T00:00:00Z, after the shipped table's effective_from.
const NOV_24: i64 = 1_795_478_400_000;
/// 2026-10-01T00:00:00Z, before it.
const OCT_01: i64 = 1_790_812_800_000;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("test decimal")
}

async fn book() -> Result<(TempDir, Store, PriceBook), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    let book = PriceBook::open(store.clone()).await?;
    Ok((dir, store, book))
}

async fn shipped(book: &PriceBook, ns: &'static str, model: &str) -> Result<ModelPrice, String> {
    match book
        .price_for(ns, PriceNamespace::Cloud(ns), model, NOV_24)
        .await
    {
        Ok(Some((price, PriceOrigin::Shipped))) => Ok(price),
        other => Err(format!("{ns}/{model}: {other:?}")),
    }
}

#[tokio::test]
async fn openai_with_cached_tokens() -> TestResult {
    let (_dir, _store, book) = book().await?;
    let price = shipped(&book, "openai", "gpt-4o").await?;
    assert_eq!(price.input, d("0.0000025"));
    assert_eq!(price.cache_read, Some(d("0.00000125")));
    assert_eq!(price.output, d("0.00001"));
    let usage = Usage {
        input_tokens: 10_000,
        cache_read_tokens: 4_000,
        output_tokens: 500,
        ..Usage::default()
    };
    let c = cost(&usage, &price);
    // 6,000 × 0.0000025 + 4,000 × 0.00000125 + 500 × 0.00001
    assert_eq!(c.input, d("0.015"));
    assert_eq!(c.cache_read, d("0.005"));
    assert_eq!(c.output, d("0.005"));
    assert_eq!(c.total, d("0.025"));
    assert_eq!(c.total.to_string(), "0.025");

    // o3 with reasoning tokens, billed at the output price (no own price).
    let o3 = shipped(&book, "openai", "o3").await?;
    let usage = Usage {
        input_tokens: 2_000,
        cache_read_tokens: 1_000,
        output_tokens: 3_000,
        reasoning_tokens: 2_500,
        ..Usage::default()
    };
    let c = cost(&usage, &o3);
    // 1,000 × 0.000002 + 1,000 × 0.0000005 + 500 × 0.000008 + 2,500 × 0.000008
    assert_eq!(
        (c.input, c.cache_read, c.output, c.reasoning, c.total),
        (d("0.002"), d("0.0005"), d("0.004"), d("0.02"), d("0.0265"))
    );
    Ok(())
}

#[tokio::test]
async fn anthropic_with_cache_write_and_read() -> TestResult {
    let (_dir, _store, book) = book().await?;
    let price = shipped(&book, "anthropic", "claude-sonnet-4-5").await?;
    assert_eq!(price.cache_write, Some(d("0.00000375")));
    // Anthropic reports 100 uncached + 2,000 written + 10,000 read; Usage
    // sums them into input_tokens.
    let usage = Usage {
        input_tokens: 12_100,
        cache_write_tokens: 2_000,
        cache_read_tokens: 10_000,
        output_tokens: 800,
        reasoning_tokens: 0,
    };
    let c = cost(&usage, &price);
    assert_eq!(c.input, d("0.0003"));
    assert_eq!(c.cache_write, d("0.0075"));
    assert_eq!(c.cache_read, d("0.003"));
    assert_eq!(c.output, d("0.012"));
    assert_eq!(c.total, d("0.0228"));
    // The dated snapshot has its own row; an unknown date falls back to the alias.
    let dated = shipped(&book, "anthropic", "claude-sonnet-4-5-20991231").await?;
    assert_eq!(dated, price);
    Ok(())
}

#[tokio::test]
async fn gemini_thoughts_and_long_context_tier() -> TestResult {
    let (_dir, _store, book) = book().await?;
    let flash = shipped(&book, "gemini", "models/gemini-2.5-flash").await?;
    assert_eq!(flash.reasoning, Some(d("0.0000025")));
    let usage = Usage {
        input_tokens: 1_000,
        output_tokens: 1_500,
        reasoning_tokens: 1_200,
        ..Usage::default()
    };
    let c = cost(&usage, &flash);
    // 1,000 × 0.0000003 + 300 × 0.0000025 + 1,200 × 0.0000025
    assert_eq!(
        (c.input, c.output, c.reasoning),
        (d("0.0003"), d("0.00075"), d("0.003"))
    );
    assert_eq!(c.total, d("0.00405"));

    // A reasoning price of its own is used for the thoughts only.
    let priced_thoughts = ModelPrice {
        reasoning: Some(d("0.000004")),
        ..flash.clone()
    };
    assert_eq!(cost(&usage, &priced_thoughts).reasoning, d("0.0048"));

    let pro = shipped(&book, "gemini", "gemini-2.5-pro").await?;
    assert_eq!(pro.input_above_200k, Some(d("0.0000025")));
    // 250,000 input (50,000 cached): the whole request at the tier prices.
    let long = Usage {
        input_tokens: 250_000,
        cache_read_tokens: 50_000,
        output_tokens: 2_000,
        reasoning_tokens: 1_000,
        cache_write_tokens: 0,
    };
    let c = cost(&long, &pro);
    assert_eq!(c.input, d("0.5"));
    assert_eq!(c.cache_read, d("0.0125"));
    assert_eq!(c.output, d("0.015"));
    assert_eq!(c.reasoning, d("0.015"));
    assert_eq!(c.total, d("0.5425"));
    // Exactly 200,000 is still the base tier.
    let edge = Usage {
        input_tokens: 200_000,
        ..Usage::default()
    };
    assert_eq!(cost(&edge, &pro).total, d("0.25"));
    Ok(())
}

#[tokio::test]
async fn embedding_models_have_their_shipped_input_price_and_no_output_price() -> TestResult {
    let (_dir, _store, book) = book().await?;
    let small = shipped(&book, "openai", "text-embedding-3-small").await?;
    assert_eq!(small.input, d("0.00000002"), "USD 0.02 per million tokens");
    assert_eq!(small.output, Decimal::ZERO);
    let mistral = shipped(&book, "mistral", "mistral-embed").await?;
    assert_eq!(mistral.input, d("0.0000001"), "USD 0.10 per million tokens");
    assert_eq!(mistral.output, Decimal::ZERO);
    let gemini = shipped(&book, "gemini", "gemini-embedding-001").await?;
    assert_eq!(gemini.input, d("0.00000015"));
    // 1,000 input tokens of text-embedding-3-small cost USD 0.00002.
    let usage = Usage {
        input_tokens: 1_000,
        ..Usage::default()
    };
    assert_eq!(cost(&usage, &small).total, d("0.00002"));
    Ok(())
}

#[tokio::test]
async fn shipped_table_is_loaded_once_and_read_back() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    let first = store.sync_shipped_prices().await?;
    assert!(first > 100, "{first} rows");
    assert_eq!(store.sync_shipped_prices().await?, 0, "idempotent");
    drop(store);
    // Reopened from disk: the rows are there and PriceBook adds none.
    let store = Store::open(&path).await?;
    let book = PriceBook::open(store.clone()).await?;
    let rows = store.list_prices(Some("gemini")).await?;
    assert!(
        rows.iter()
            .all(|r| r.provider == "gemini" && r.origin == PriceOrigin::Shipped)
    );
    assert!(rows.iter().any(|r| r.model == "gemini-2.5-flash"));
    assert_eq!(store.list_prices(None).await?.len(), first);
    let flash = shipped(&book, "gemini", "gemini-2.5-flash").await?;
    assert_eq!(
        (flash.input, flash.output),
        (d("0.0000003"), d("0.0000025"))
    );
    assert_eq!(flash.max_input_tokens, Some(1_048_576));
    // Before the shipped table's effective_from nothing was in force.
    let before = book
        .price_for("openai", PriceNamespace::Cloud("openai"), "gpt-4o", OCT_01)
        .await?;
    assert_eq!(before, None);
    // A custom endpoint has no shipped price of its own; an unknown model
    // neither. One serving a paid cloud model by its name (gpt-4o) is
    // priced as that model, assumed.
    let custom = book
        .price_for("gateway", PriceNamespace::Custom, "corp-model", NOV_24)
        .await?;
    assert_eq!(custom, None);
    let assumed = book
        .price_for("gateway", PriceNamespace::Custom, "gpt-4o", NOV_24)
        .await?
        .expect("assumed");
    assert_eq!(assumed.1, PriceOrigin::Assumed);
    assert_eq!(
        (assumed.0.input, assumed.0.output),
        (d("0.0000025"), d("0.00001"))
    );
    // Azure, Together, Fireworks, Bedrock and Vertex have namespaces.
    let together = shipped(&book, "together", "meta-llama/Llama-3.3-70B-Instruct-Turbo").await?;
    assert!(together.input > Decimal::ZERO);
    assert!(shipped(&book, "openai", "no-such-model").await.is_err());
    Ok(())
}

#[tokio::test]
async fn user_price_beats_shipped_and_history_is_kept() -> TestResult {
    let (_dir, store, book) = book().await?;
    let ns = PriceNamespace::Cloud("openai");
    let t1 = NOV_24 + 1_000;
    let t2 = NOV_24 + 2_000;
    let first = ModelPrice::from_per_million(d("2"), d("8"));
    let second = ModelPrice::from_per_million(d("3"), d("12"));
    store
        .set_user_price("work-openai", "gpt-4o", first.clone(), t1)
        .await?;
    store
        .set_user_price("work-openai", "gpt-4o", second.clone(), t2)
        .await?;

    let at = |t| book.price_for("work-openai", ns, "gpt-4o", t);
    assert_eq!(at(t1 - 1).await?.map(|p| p.1), Some(PriceOrigin::Shipped));
    assert_eq!(at(t1).await?, Some((first.clone(), PriceOrigin::User)));
    assert_eq!(at(t2 - 1).await?, Some((first, PriceOrigin::User)));
    assert_eq!(at(t2 + 5).await?, Some((second.clone(), PriceOrigin::User)));
    // Another provider id of the same namespace keeps the shipped price.
    let other = book.price_for("openai", ns, "gpt-4o", t2 + 5).await?;
    assert_eq!(other.map(|p| p.1), Some(PriceOrigin::Shipped));
    // A dated id finds the user's price of the alias.
    let dated = book
        .price_for("work-openai", ns, "gpt-4o-2099-01-01", t2)
        .await?;
    assert_eq!(dated, Some((second, PriceOrigin::User)));

    assert_eq!(store.remove_user_price("work-openai", "gpt-4o").await?, 2);
    assert_eq!(at(t2 + 5).await?.map(|p| p.1), Some(PriceOrigin::Shipped));
    Ok(())
}

#[tokio::test]
async fn local_models_are_free_unless_priced() -> TestResult {
    let (_dir, store, book) = book().await?;
    let ns = PriceNamespace::for_endpoint(
        valechat_core::provider::ProtocolKind::OpenAiCompatible,
        "http://localhost:1234/v1",
    );
    assert_eq!(ns, PriceNamespace::Local);
    let (price, origin) = book
        .price_for("lm-studio", ns, "qwen2.5-7b-instruct", NOV_24)
        .await?
        .ok_or("local model without a price")?;
    assert_eq!(origin, PriceOrigin::Local);
    let usage = Usage {
        input_tokens: 50_000,
        output_tokens: 9_000,
        ..Usage::default()
    };
    assert_eq!(cost(&usage, &price).total, Decimal::ZERO);

    let electricity = ModelPrice::from_per_million(d("0.01"), d("0.02"));
    store
        .set_user_price("lm-studio", "qwen2.5-7b-instruct", electricity, NOV_24)
        .await?;
    let (price, origin) = book
        .price_for("lm-studio", ns, "qwen2.5-7b-instruct", NOV_24)
        .await?
        .ok_or("user price")?;
    assert_eq!(origin, PriceOrigin::User);
    assert_eq!(cost(&usage, &price).total, d("0.00068"));
    Ok(())
}

#[tokio::test]
async fn openrouter_reports_win_and_vendor_prices_estimate() -> TestResult {
    let (_dir, _store, book) = book().await?;
    let ns = PriceNamespace::Cloud("openrouter");
    let (price, _) = book
        .price_for("openrouter", ns, "openai/gpt-4o", NOV_24)
        .await?
        .ok_or("vendor price")?;
    assert_eq!(price.input, d("0.0000025"));
    let usage = Usage {
        input_tokens: 1_000,
        output_tokens: 100,
        ..Usage::default()
    };
    let charged =
        ChargedCost::resolve(Some(d("0.0036")), &usage, Some(&price)).ok_or("a charged cost")?;
    assert_eq!(
        (charged.total, charged.source),
        (d("0.0036"), CostSource::Actual)
    );
    let estimated = ChargedCost::resolve(None, &usage, Some(&price)).ok_or("an estimate")?;
    assert_eq!(
        (estimated.total, estimated.source),
        (d("0.0035"), CostSource::Estimated)
    );
    Ok(())
}

#[test]
fn tiktoken_counts_match_hand_checked_numbers() {
    // OpenAI cookbook: "tiktoken is great!" is 6 cl100k_base tokens.
    let text = count_text_tokens("gpt-4", "tiktoken is great!");
    assert_eq!(text.tokens, 6);
    assert_eq!(text.method, CountMethod::Exact("cl100k_base"));
    // 3 framing + "user" (1) + 6 content + 3 reply priming.
    let chat = count_input_tokens("gpt-4", &[ChatMessage::user("tiktoken is great!")]);
    assert_eq!(chat.tokens, 13);
    let hello = count_text_tokens("gpt-4o", "hello world");
    assert_eq!(
        (hello.tokens, hello.method),
        (2, CountMethod::Exact("o200k_base"))
    );
    let claude = count_input_tokens("claude-sonnet-4-5", &[ChatMessage::user("abcdefgh")]);
    // Estimate: 3 + ceil(8 / 4) + 3.
    assert_eq!((claude.tokens, claude.method), (8, CountMethod::Unknown));
}

#[test]
fn generator_reproduces_the_committed_table() -> TestResult {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let input = root.join("../shared/data/model_prices_and_context_window.json");
    if !input.exists() {
        eprintln!("skipped: {} is not here", input.display());
        return Ok(());
    }
    let committed = std::fs::read_to_string(root.join("data/pricing/prices.json"))?;
    let generated = serde_json::from_str::<serde_json::Value>(&committed)?["generated"]
        .as_str()
        .ok_or("no generated date")?
        .to_owned();
    let out = tempfile::tempdir()?;
    let output = out.path().join("prices.json");
    let status = std::process::Command::new("python3")
        .arg(root.join("tools/gen-prices.py"))
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .arg("--generated")
        .arg(&generated)
        .status()?;
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&output)?, committed);
    Ok(())
}

fn price_strategy() -> impl Strategy<Value = ModelPrice> {
    let p = || (0i64..10_000_000).prop_map(|n| Decimal::new(n, 12));
    let opt = move || proptest::option::of(p());
    (p(), p(), opt(), opt(), opt(), opt(), opt(), opt()).prop_map(
        |(input, output, cache_read, cache_write, reasoning, in_long, out_long, cr_long)| {
            ModelPrice {
                cache_read,
                cache_write,
                reasoning,
                input_above_200k: in_long,
                output_above_200k: out_long,
                cache_read_above_200k: cr_long,
                ..ModelPrice::new(input, output)
            }
        },
    )
}

fn usage_strategy() -> impl Strategy<Value = Usage> {
    let n = || 0u64..2_000_000;
    (n(), n(), n(), n(), n()).prop_map(|(a, b, c, e, f)| Usage {
        input_tokens: a,
        output_tokens: b,
        cache_read_tokens: c,
        reasoning_tokens: e,
        cache_write_tokens: f,
    })
}

proptest! {
    #[test]
    fn cost_is_never_negative_and_total_is_the_sum(usage in usage_strategy(), price in price_strategy()) {
        let c = cost(&usage, &price);
        for part in [c.input, c.output, c.cache_read, c.cache_write, c.reasoning, c.total] {
            prop_assert!(!part.is_sign_negative(), "{c:?}");
        }
        prop_assert_eq!(c.total, c.input + c.output + c.cache_read + c.cache_write + c.reasoning);
    }

    #[test]
    fn output_cost_is_additive(
        usage in usage_strategy(),
        price in price_strategy(),
        a in 0u64..1_000_000,
        b in 0u64..1_000_000,
    ) {
        let with = |output_tokens| Usage { output_tokens, reasoning_tokens: 0, ..usage };
        let whole = cost(&with(a + b), &price);
        let (left, right) = (cost(&with(a), &price), cost(&with(b), &price));
        prop_assert_eq!(whole.output, left.output + right.output);
        // Everything but the output part is the same.
        prop_assert_eq!(whole.total - whole.output, left.total - left.output);
    }
}
