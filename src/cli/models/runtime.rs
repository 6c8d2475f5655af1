//! `valechat models load ID` and `models info --hardware`: the runner's
//! side of the library (llama.cpp in `valechat local-runner`).
//!
//! A command's runner lives as long as the command: `models load` checks
//! that a model fits in memory and loads, and reports what it took; the
//! window keeps the models its conversations use loaded until they have
//! been idle for the set time.

use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::json;

use valechat_core::chat::Engine;
use valechat_core::local::protocol::{Acceleration, Loaded, Op};

use super::Format;
use super::show::size;

/// The runner of this ValeChat, or why there is none.
fn runner(
    engine: &Engine,
) -> anyhow::Result<&std::sync::Arc<valechat_core::local::client::RunnerClient>> {
    engine.providers().local_runner().context(
        "this ValeChat was built without models on this computer (cargo feature local-models)",
    )
}

/// `models load ID`: loads library model `id` after the memory check and
/// prints what the runner reports about it.
pub async fn load(engine: &Engine, id: &str, format: Format) -> anyhow::Result<()> {
    super::library_model(engine.store(), id).await?;
    let provider = engine.providers().local_provider().await?;
    let started = Instant::now();
    provider.load(id).await?;
    let took = started.elapsed();
    let loaded: Vec<Loaded> = serde_json::from_value(runner(engine)?.request(Op::List).await?)
        .context("the runner's list of loaded models")?;
    let Some(model) = loaded.iter().find(|m| m.model == id) else {
        bail!("the runner does not list model {id} after loading it");
    };
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "model": model,
                "load_ms": took.as_millis(),
            }))?
        ),
        Format::Table => println!(
            "Loaded model {id} in {:.1} s: {} of weights, a context of {} tokens, {} layers on the GPU.",
            took.as_secs_f64(),
            size(model.size_bytes),
            model.context_length,
            model.gpu_layers
        ),
    }
    Ok(())
}

/// `models info --hardware`: CPU features, threads, GPU back ends and devices.
pub async fn hardware(engine: &Engine, format: Format) -> anyhow::Result<()> {
    let value = runner(engine)?.request(Op::Acceleration).await?;
    let a: Acceleration =
        serde_json::from_value(value).context("the runner's acceleration report")?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&a)?),
        Format::Table => {
            println!("CPU features: {}", list(&a.cpu_features));
            if let Some(backend) = &a.cpu_backend {
                match &a.cpu_backend_file {
                    Some(file) => println!("CPU back end: {backend} ({file})"),
                    None => println!("CPU back end: {backend}"),
                }
            }
            println!("Threads: {}", a.threads);
            println!(
                "GPU offload: {}",
                if a.gpu_offload {
                    "yes"
                } else {
                    "no (no GPU back end built in, or no device found)"
                }
            );
            println!("Devices: {}", list(&a.devices));
        }
    }
    Ok(())
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}
