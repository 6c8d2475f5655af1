//! `list_models`: every enabled provider's models, as the window's model
//! picker and `valechat providers models` list them
//! ([`Providers::list_models`](valechat_core::chat::Providers::list_models)),
//! with context length, capabilities and price where known, and whether
//! the provider answered its model listing within [`LISTING_TIMEOUT`].

use std::time::Duration;

use rmcp::model::{CallToolResult, JsonObject, Tool};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use valechat_core::chat::Engine;
use valechat_core::provider::ModelInfo;
use valechat_core::store::Provider;

use super::{arguments, failure, success, tool, usd_schema};

/// The tool's name.
pub const NAME: &str = "list_models";

/// How long a provider's model listing may take before it counts as
/// unreachable.
pub const LISTING_TIMEOUT: Duration = Duration::from_secs(5);

/// The tool's definition.
#[must_use]
pub fn definition() -> Tool {
    let model = json!({
        "type": "object",
        "properties": {
            "provider_id": {"type": "string"},
            "provider_name": {"type": "string"},
            "model": {"type": "string", "description": "Model id, as generate takes it."},
            "context_length": {"type": ["integer", "null"], "description": "Input tokens, when known."},
            "supports_tools": {"type": ["boolean", "null"]},
            "supports_vision": {"type": ["boolean", "null"]},
            "input_price_per_million": {"oneOf": [usd_schema("USD per 1M input tokens."), {"type": "null"}]},
            "output_price_per_million": {"oneOf": [usd_schema("USD per 1M output tokens."), {"type": "null"}]},
        },
        "required": ["provider_id", "provider_name", "model"],
    });
    tool(json!({
        "name": NAME,
        "title": "List models",
        "description": "Lists the models of every enabled provider configured in ValeChat: provider id and name, model id, context length, whether the model accepts tools and images (null: unknown), and the price per million input and output tokens in USD (decimal strings; null: unknown). A provider whose model listing failed is marked reachable: false with the error. Filter with provider (a provider id) and query (a case-insensitive part of the model id).",
        "inputSchema": {
            "type": "object",
            "properties": {
                "provider": {"type": "string", "description": "Only this provider id."},
                "query": {"type": "string", "description": "Only model ids containing this text (case-insensitive)."},
            },
            "additionalProperties": false,
        },
        "outputSchema": {
            "type": "object",
            "properties": {
                "providers": {"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "reachable": {"type": "boolean"},
                        "error": {"type": ["string", "null"]},
                    },
                    "required": ["id", "name", "reachable"],
                }},
                "models": {"type": "array", "items": model},
            },
            "required": ["providers", "models"],
        },
        "annotations": {"readOnlyHint": true, "openWorldHint": true},
    }))
}

/// The arguments.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Arguments {
    provider: Option<String>,
    query: Option<String>,
}

/// One provider's listing.
struct Listing {
    provider: Provider,
    models: Result<Vec<ModelInfo>, String>,
}

/// Runs the tool.
pub async fn run(engine: &Engine, args: JsonObject) -> CallToolResult {
    let args: Arguments = match arguments(NAME, args) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let providers = match engine.providers().list().await {
        Ok(p) => p,
        Err(e) => return failure(format!("could not read the providers: {e}")),
    };
    let wanted: Vec<Provider> = providers
        .into_iter()
        .filter(|p| p.enabled)
        .filter(|p| args.provider.as_deref().is_none_or(|id| id == p.id))
        .collect();
    if let Some(id) = &args.provider
        && wanted.is_empty()
    {
        return failure(format!(
            "no enabled provider has the id “{id}” (call list_models without provider to see them)"
        ));
    }
    let listings = futures::future::join_all(wanted.into_iter().map(|provider| async move {
        let listing = tokio::time::timeout(
            LISTING_TIMEOUT,
            engine.providers().list_models(&provider.id),
        )
        .await;
        let models = match listing {
            Ok(Ok(models)) => Ok(models),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "no model list within {} s",
                LISTING_TIMEOUT.as_secs()
            )),
        };
        Listing { provider, models }
    }))
    .await;
    let query = args.query.map(|q| q.to_lowercase());
    let (mut providers, mut models, mut lines) = (Vec::new(), Vec::new(), Vec::new());
    for listing in listings {
        let p = &listing.provider;
        providers.push(json!({
            "id": p.id,
            "name": p.name,
            "reachable": listing.models.is_ok(),
            "error": listing.models.as_ref().err(),
        }));
        let list = match &listing.models {
            Ok(list) => list,
            Err(e) => {
                lines.push(format!("{} ({}): unreachable: {e}", p.name, p.id));
                continue;
            }
        };
        for m in list {
            if query
                .as_deref()
                .is_some_and(|q| !m.id.to_lowercase().contains(q))
            {
                continue;
            }
            let entry = model_entry(engine, p, m).await;
            lines.push(describe(&entry));
            models.push(entry);
        }
    }
    if lines.is_empty() {
        lines.push("No models.".to_owned());
    }
    success(
        lines.join("\n"),
        json!({"providers": providers, "models": models}),
    )
}

/// USD per token × 1,000,000, as a plain decimal string.
fn per_million(per_token: Decimal) -> String {
    (per_token * Decimal::from(1_000_000))
        .normalize()
        .to_string()
}

/// One model's entry of `models`.
async fn model_entry(engine: &Engine, provider: &Provider, model: &ModelInfo) -> Value {
    let price = engine.model_price(provider, &model.id).await.ok().flatten();
    let context = model
        .context_length
        .or_else(|| price.as_ref().and_then(|(p, _)| p.max_input_tokens));
    json!({
        "provider_id": provider.id,
        "provider_name": provider.name,
        "model": model.id,
        "context_length": context,
        "supports_tools": model.supports_tools,
        "supports_vision": model.supports_vision,
        "input_price_per_million": price.as_ref().map(|(p, _)| per_million(p.input)),
        "output_price_per_million": price.as_ref().map(|(p, _)| per_million(p.output)),
    })
}

/// One line of the text rendering.
fn describe(entry: &Value) -> String {
    let mut line = format!(
        "{}/{}",
        entry["provider_id"].as_str().unwrap_or_default(),
        entry["model"].as_str().unwrap_or_default()
    );
    if let Some(n) = entry["context_length"].as_u64() {
        line.push_str(&format!(", {n} tokens of context"));
    }
    if let (Some(i), Some(o)) = (
        entry["input_price_per_million"].as_str(),
        entry["output_price_per_million"].as_str(),
    ) {
        line.push_str(&format!(", {i} / {o} USD per 1M input/output tokens"));
    }
    line
}
