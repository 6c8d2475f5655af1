//! `valechat models embed ID TEXT…`: embeddings through the engine
//! (`Engine::embed`), run in this command's own runner.

use serde_json::json;

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
    let dimensions = vectors.first().map_or(0, Vec::len);
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string(&json!({
                "model": id,
                "dimensions": dimensions,
                "normalised": true,
                "embeddings": vectors,
            }))?
        ),
        Format::Table => {
            println!(
                "{} vectors of {dimensions} dimensions (mean pooling, unit length):",
                vectors.len()
            );
            for (i, v) in vectors.iter().enumerate() {
                let head: Vec<String> = v.iter().take(SHOWN).map(|x| format!("{x:.4}")).collect();
                let more = if v.len() > SHOWN { ", …" } else { "" };
                println!("{}: [{}{more}]", i + 1, head.join(", "));
            }
        }
    }
    Ok(())
}
