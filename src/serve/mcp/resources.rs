//! The resources: `stats://usage` (month to date by provider and model,
//! each spending limit with what is spent and left) and
//! `config://providers` (the providers, their base URLs, default model
//! and listed models; never a key: only whether one is stored).

use chrono::{Datelike, Local};
use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents};
use serde_json::{Value, json};
use valechat_core::chat::{Engine, limit_name};
use valechat_core::ledger::period::{day_period, local_date};
use valechat_core::ledger::report::group;
use valechat_core::ledger::{GroupBy, UsageTotals};

use super::tools::list_models::LISTING_TIMEOUT;
use super::tools::usage::totals_json;

/// The usage statistics resource.
pub const STATS_URI: &str = "stats://usage";
/// The providers resource.
pub const PROVIDERS_URI: &str = "config://providers";

/// The resources `resources/list` gives.
#[must_use]
pub fn list() -> Vec<Resource> {
    [
        (
            STATS_URI,
            "usage",
            "Spend this month",
            "This month's spend so far (USD, decimal strings) by provider and by model, and each spending limit with what is spent and what is left. Subscribe to be told when it changes.",
        ),
        (
            PROVIDERS_URI,
            "providers",
            "Providers",
            "The providers configured in ValeChat: id, name, protocol, base URL, default model, enabled, whether an API key is stored (never the key).",
        ),
    ]
    .into_iter()
    .filter_map(|(uri, name, title, description)| {
        serde_json::from_value(json!({
            "uri": uri, "name": name, "title": title,
            "description": description, "mimeType": "application/json",
        }))
        .ok()
    })
    .collect()
}

/// `resources/read` of `uri`.
///
/// # Errors
/// [`not_found`] for another URI; an internal error when the database fails.
pub async fn read(engine: &Engine, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let value = match uri {
        STATS_URI => stats(engine).await,
        PROVIDERS_URI => providers(engine).await,
        _ => return Err(not_found(uri)),
    }
    .map_err(|e| ErrorData::internal_error(e, None))?;
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    let contents = ResourceContents::text(text, uri).with_mime_type("application/json");
    Ok(ReadResourceResult::new(vec![contents]))
}

/// The error for a URI this server does not have (`-32002`, resource not found).
#[must_use]
pub fn not_found(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(format!("no resource “{uri}”"), Some(json!({"uri": uri})))
}

/// `stats://usage` as JSON.
///
/// # Errors
/// The database's error, as text.
pub async fn stats(engine: &Engine) -> Result<Value, String> {
    let now = chrono::Utc::now().timestamp_millis();
    let today = local_date(now, &Local).map_err(|e| e.to_string())?;
    let first = today.with_day(1).unwrap_or(today);
    let start = day_period(first, &Local)
        .map_err(|e| e.to_string())?
        .start_ms;
    let end = day_period(today, &Local).map_err(|e| e.to_string())?.end_ms;
    let records = engine
        .store()
        .list_usage(start, end)
        .await
        .map_err(|e| e.to_string())?;
    let grouped = |by| -> Result<Vec<Value>, String> {
        Ok(group(&records, by, &Local)
            .map_err(|e| e.to_string())?
            .iter()
            .map(|g| {
                let mut row = totals_json(&g.totals);
                row["key"] = json!(g.key);
                row
            })
            .collect())
    };
    let limits = engine
        .store()
        .limit_status(now, &Local)
        .await
        .map_err(|e| e.to_string())?;
    let limits: Vec<Value> = limits
        .iter()
        .map(|s| {
            let limit = &s.usage.limit;
            let left = (limit.amount_usd - s.usage.spent).max(rust_decimal::Decimal::ZERO);
            json!({
                "id": limit.id,
                "name": limit_name(limit),
                "scope": limit.scope.as_str(),
                "target": limit.target,
                "hard": limit.hard,
                "enabled": limit.enabled,
                "amount_usd": limit.amount_usd.normalize().to_string(),
                "spent_usd": s.usage.spent.normalize().to_string(),
                "reserved_usd": s.reserved.normalize().to_string(),
                "left_usd": left.normalize().to_string(),
            })
        })
        .collect();
    Ok(json!({
        "from": first.to_string(),
        "to": today.to_string(),
        "totals": totals_json(&UsageTotals::of(&records)),
        "by_provider": grouped(GroupBy::Provider)?,
        "by_model": grouped(GroupBy::Model)?,
        "limits": limits,
    }))
}

/// `config://providers` as JSON: no key, only whether one is stored.
///
/// # Errors
/// The database's error, as text.
pub async fn providers(engine: &Engine) -> Result<Value, String> {
    let providers = engine.providers().list().await.map_err(|e| e.to_string())?;
    let listings = futures::future::join_all(providers.iter().map(|p| async move {
        if !p.enabled {
            return Err("disabled".to_owned());
        }
        match tokio::time::timeout(LISTING_TIMEOUT, engine.providers().list_models(&p.id)).await {
            Ok(Ok(models)) => Ok(models.into_iter().map(|m| m.id).collect::<Vec<_>>()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!(
                "no model list within {} s",
                LISTING_TIMEOUT.as_secs()
            )),
        }
    }))
    .await;
    let list: Vec<Value> = providers
        .iter()
        .zip(listings)
        .map(|(p, models)| {
            json!({
                "id": p.id,
                "name": p.name,
                "kind": p.kind,
                "base_url": p.base_url,
                "default_model": p.default_model,
                "enabled": p.enabled,
                "has_api_key": p.has_api_key,
                "models": models.as_ref().ok(),
                "models_error": models.as_ref().err(),
            })
        })
        .collect();
    Ok(json!({"providers": list}))
}
