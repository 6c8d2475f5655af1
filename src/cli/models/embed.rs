//! `valechat models embed ID TEXT…`: embeddings through the engine
//! (`Engine::embed`), run in this command's own runner; with `--provider
//! P`, through that provider's API (`Engine::embed_with_provider`), billed
//! as one usage record and printed with its usage line.

use serde_json::json;

use tokio_util::sync::CancellationToken;
use valechat_core::chat::Engine;

use super::Format;

/// Values of each vector the table shows.
const SHOWN: usize = 6;

/// Embeds `texts` with library model `id` and prints the vectors.
pub async fn run(
    engine: &Engine,
    id: &str,
    texts: &[String],
    format: Format,
) -> anyhow::Result<()> {
    super::library_model(engine.store(), id).await?;
    let vectors = engine.embed(id, texts).await?;
    print_vectors(id, &vectors, true, format, None)
}

/// Embeds `texts` with `model` of configured provider `provider` (billed;
/// refused over a hard limit) and prints the vectors and the usage line.
pub async fn with_provider(
    engine: &Engine,
    provider: &str,
    model: &str,
    texts: Vec<String>,
    format: Format,
) -> anyhow::Result<()> {
    let got = engine
        .embed_with_provider(
            provider,
            model,
            texts,
            Some("cli".to_owned()),
            CancellationToken::new(),
        )
        .await?;
    let usage = got.record.map(|record| {
        let (line, _) = crate::usage_text::describe(std::slice::from_ref(&record));
        (record, line)
    });
    print_vectors(
        &got.embeddings.model,
        &got.embeddings.vectors,
        false,
        format,
        usage.as_ref(),
    )
}

/// Prints `vectors` of `model` as JSON or as a table; `usage` is the usage
/// record of a billed request with its line in words.
fn print_vectors(
    model: &str,
    vectors: &[Vec<f32>],
    normalised: bool,
    format: Format,
    usage: Option<&(valechat_core::ledger::UsageRecord, String)>,
) -> anyhow::Result<()> {
    let dimensions = vectors.first().map_or(0, Vec::len);
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string(&{
                let mut out = json!({
                    "model": model,
                    "dimensions": dimensions,
                    "normalised": normalised,
                    "embeddings": vectors,
                });
                if let Some((record, line)) = usage {
                    out["usage"] = json!({
                        "input_tokens": record.tokens.input,
                        "estimated": record.verification == valechat_core::ledger::Verification::Estimated,
                        "cost_usd": record.cost_usd.to_string(),
                        "line": line,
                    });
                }
                out
            })?
        ),
        Format::Table => {
            if normalised {
                println!(
                    "{} vectors of {dimensions} dimensions (mean pooling, unit length):",
                    vectors.len()
                );
            } else {
                println!("{} vectors of {dimensions} dimensions:", vectors.len());
            }
            for (i, v) in vectors.iter().enumerate() {
                let head: Vec<String> = v.iter().take(SHOWN).map(|x| format!("{x:.4}")).collect();
                let more = if v.len() > SHOWN { ", …" } else { "" };
                println!("{}: [{}{more}]", i + 1, head.join(", "));
            }
        }
    }
    if let (Format::Table, Some((_, line))) = (format, usage) {
        println!("{line}");
    }
    Ok(())
}
