//! How `valechat models list|info|catalog` print: columns or lines for
//! people, JSON for scripts (sizes in bytes).

use serde_json::json;

use valechat_core::local::library::{catalog, estimate};
use valechat_core::store::LocalModel;

use super::Format;

/// `bytes` for people: `812.3 MB`, `4.4 GB` (powers of 1,000, as the
/// hub shows sizes).
pub fn size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // one decimal shown
    let b = bytes as f64;
    if bytes >= 1_000_000_000 {
        format!("{:.1} GB", b / 1e9)
    } else if bytes >= 1_000_000 {
        format!("{:.1} MB", b / 1e6)
    } else if bytes >= 1_000 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

/// A parameter count for people: `1.5B`, `494M`, `122K`.
pub fn parameters(n: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // one decimal shown
    let f = n as f64;
    if n >= 1_000_000_000 {
        format!("{:.1}B params", f / 1e9)
    } else if n >= 1_000_000 {
        format!("{:.0}M params", f / 1e6)
    } else if n >= 1_000 {
        format!("{:.0}K params", f / 1e3)
    } else {
        format!("{n} params")
    }
}

fn model_json(m: &LocalModel, context: Option<u64>) -> serde_json::Value {
    let memory = estimate(&m.metadata, context);
    json!({
        "id": m.model_id,
        "name": m.display_name(),
        "path": m.path,
        "origin": m.origin.as_str(),
        "source": m.source,
        "sha256": m.sha256,
        "added_at": m.added_at,
        "metadata": m.metadata,
        "memory": {
            "context_length": memory.context_length,
            "weights_bytes": memory.weights_bytes,
            "kv_cache_bytes": memory.kv_cache_bytes,
            "total_bytes": memory.total_bytes(),
        },
    })
}

/// Prints the library.
pub fn list(models: &[LocalModel], format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            let all: Vec<_> = models.iter().map(|m| model_json(m, None)).collect();
            println!("{}", serde_json::to_string_pretty(&all)?);
        }
        Format::Table => {
            if models.is_empty() {
                println!(
                    "No models on this computer yet: add one with `valechat models import FILE.gguf` or `valechat models download REPO FILE`."
                );
                return Ok(());
            }
            println!("ID\tNAME\tARCHITECTURE\tPARAMETERS\tQUANTIZATION\tSIZE\tMEMORY\tORIGIN");
            for m in models {
                let memory = estimate(&m.metadata, None);
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{} at {} tokens\t{}",
                    m.model_id,
                    m.display_name(),
                    m.metadata.architecture,
                    parameters(m.metadata.parameters),
                    m.metadata.quantization,
                    size(m.metadata.size_bytes),
                    size(memory.total_bytes()),
                    memory.context_length,
                    m.origin.as_str(),
                );
            }
        }
    }
    Ok(())
}

/// Prints one model.
pub fn info(m: &LocalModel, context: Option<u64>, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&model_json(m, context))?);
        return Ok(());
    }
    let md = &m.metadata;
    let memory = estimate(md, context);
    let or_unknown = |v: Option<u64>| v.map_or_else(|| "unknown".to_owned(), |v| v.to_string());
    println!("ID: {}", m.model_id);
    println!("Name: {}", m.display_name());
    println!("File: {}", m.path.display());
    println!("Origin: {}", m.origin.as_str());
    if let Some(source) = &m.source {
        println!("Source: {source}");
    }
    if let Some(sha) = &m.sha256 {
        println!("SHA-256: {sha}");
    }
    println!("Architecture: {}", md.architecture);
    println!(
        "Parameters: {} ({})",
        md.parameters,
        parameters(md.parameters)
    );
    println!("Quantization: {}", md.quantization);
    println!("Context length: {} tokens", or_unknown(md.context_length));
    println!("Embedding length: {}", or_unknown(md.embedding_length));
    println!("Layers: {}", or_unknown(md.layers));
    println!("License: {}", md.license.as_deref().unwrap_or("not stated"));
    println!(
        "Chat template: {}",
        md.chat_template.as_ref().map_or_else(
            || "none".to_owned(),
            |t| format!("{} characters", t.chars().count())
        )
    );
    println!(
        "Size on disk: {} ({} bytes)",
        size(md.size_bytes),
        md.size_bytes
    );
    println!(
        "Memory needed: {} at {} tokens (weights {}, KV cache {})",
        size(memory.total_bytes()),
        memory.context_length,
        size(memory.weights_bytes),
        size(memory.kv_cache_bytes),
    );
    Ok(())
}

/// Prints the curated list.
pub fn catalog(format: Format) -> anyhow::Result<()> {
    let models = catalog::models();
    if format == Format::Json {
        let all: Vec<_> = models
            .iter()
            .map(|m| json!({"model": m, "memory_bytes": m.memory().total_bytes(), "memory_context_length": catalog::CATALOG_CONTEXT}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    println!(
        "NAME\tREPOSITORY\tFILE\tSIZE\tMEMORY AT {} TOKENS\tLICENSE",
        catalog::CATALOG_CONTEXT
    );
    for m in &models {
        println!(
            "{}\t{}\t{}\t~{}\t~{}\t{}",
            m.name,
            m.repo,
            m.file,
            size(m.size_mb * 1_000_000),
            size(m.memory().total_bytes()),
            m.license
        );
    }
    Ok(())
}
