//! `valechat mcp conformance-client URL`: the client the official MCP
//! conformance suite (`npx @modelcontextprotocol/conformance client
//! --command "valechat mcp conformance-client"`) drives, built on the same
//! core as the app ([`McpConnection`] over streamable HTTP).
//!
//! The suite starts a test server for a scenario, runs this command with the
//! server URL as the last argument, the scenario name in
//! `MCP_CONFORMANCE_SCENARIO` and, for some scenarios, JSON in
//! `MCP_CONFORMANCE_CONTEXT` (e.g. `client_id` / `client_secret` of a
//! pre-registered OAuth client). Whatever the scenario, the client does what
//! a real client would: connect (OAuth when the server asks, approved by
//! [`HeadlessAuthorizer`] since the suite's authorization server redirects
//! at once), list the tools, call each with arguments made from its input
//! schema, accept elicitations with the schema's defaults, and shut down.
//! Everything runs under a 25 s limit ([`HARD_LIMIT`]); exit 0 when every
//! step succeeded, 1 otherwise (the reason on stderr).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{ElicitRequestParams, ElicitResult, ElicitationAction, Tool};
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use valechat_core::mcp::oauth::{HeadlessAuthorizer, OAuthSettings};
use valechat_core::mcp::{
    CallOptions, ClientHooks, Elicitor, Era, McpConnection, ServerConfig, ServerLog, Transport,
};
use valechat_core::secrets::MemoryKeyStore;

/// The whole run is cut off after this long (the suite waits 30 s).
pub const HARD_LIMIT: Duration = Duration::from_secs(25);
/// Idle limit of one tool call, milliseconds.
const CALL_TIMEOUT_MS: u64 = 10_000;
/// Client ID Metadata Document URL the suite expects (`auth/basic-cimd`).
const CLIENT_METADATA_URL: &str = "https://conformance-test.local/client-metadata.json";
/// Redirect URI registered for the OAuth client (never served: the
/// headless authorizer reads the redirect instead of following it).
const REDIRECT_URI: &str = "http://localhost:3000/callback";
/// Authorizations in a row before giving up (`auth/scope-retry-limit`
/// allows at most 3).
const MAX_AUTHORIZATIONS: u32 = 3;

/// Accepts every form elicitation with the defaults of its schema (SEP-1034);
/// declines URL elicitations.
struct DefaultsElicitor;

#[async_trait::async_trait]
impl Elicitor for DefaultsElicitor {
    async fn elicit(&self, _server_id: &str, params: ElicitRequestParams) -> ElicitResult {
        let params = serde_json::to_value(&params).unwrap_or(Value::Null);
        match params.get("requestedSchema") {
            Some(schema) => {
                let mut result = ElicitResult::new(ElicitationAction::Accept);
                result.content = Some(Value::Object(schema_defaults(schema)));
                result
            }
            None => ElicitResult::new(ElicitationAction::Decline),
        }
    }
}

/// `{property: default}` for each property of an object schema that has one.
fn schema_defaults(schema: &Value) -> Map<String, Value> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .filter_map(|(name, p)| Some((name.clone(), p.get("default")?.clone())))
                .collect()
        })
        .unwrap_or_default()
}

/// A value for a property schema: its default, else its first enum member,
/// else a sample of its type (numbers 1, strings "test").
fn sample_value(schema: &Value) -> Value {
    if let Some(default) = schema.get("default") {
        return default.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("number" | "integer") => json!(1),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        Some("object") => Value::Object(sample_arguments(schema)),
        _ => json!("test"),
    }
}

/// Arguments for a tool: a value for each required property of `schema`.
fn sample_arguments(schema: &Value) -> Map<String, Value> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Map::new();
    };
    properties
        .iter()
        .filter(|(name, _)| required.contains(&name.as_str()))
        .map(|(name, p)| (name.clone(), sample_value(p)))
        .collect()
}

/// The OAuth identity: pre-registered credentials from
/// `MCP_CONFORMANCE_CONTEXT` when the scenario gives them.
fn oauth_settings(context: Option<&str>) -> OAuthSettings {
    let context: Value = context
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or(Value::Null);
    let field = |name: &str| context.get(name).and_then(Value::as_str).map(str::to_owned);
    OAuthSettings {
        redirect_uri: REDIRECT_URI.to_owned(),
        client_name: "ValeChat conformance client".to_owned(),
        client_metadata_url: Some(CLIENT_METADATA_URL.to_owned()),
        client_id: field("client_id"),
        client_secret: field("client_secret"),
        authorizer: Arc::new(HeadlessAuthorizer),
        max_authorizations: MAX_AUTHORIZATIONS,
        keys: None,
    }
}

/// Connects to `url`, lists and calls the tools, shuts down.
async fn exercise(url: &str, scenario: &str, context: Option<&str>) -> anyhow::Result<()> {
    let config = ServerConfig {
        id: "conformance".to_owned(),
        name: format!("conformance {scenario}"),
        transport: Transport::Http {
            url: url.to_owned(),
            headers: Default::default(),
        },
        enabled: true,
        // The suite's servers speak the initialize handshake.
        era: Some(Era::Legacy {
            version: "2025-11-25".to_owned(),
        }),
        sandbox: None,
    };
    let hooks = ClientHooks {
        elicitor: Some(Arc::new(DefaultsElicitor)),
        oauth: Some(oauth_settings(context)),
        ..ClientHooks::default()
    };
    let keys = MemoryKeyStore::new();
    let connection = McpConnection::connect(&config, &keys, hooks, ServerLog::default()).await?;
    let result = call_every_tool(&connection).await;
    connection.shutdown().await;
    result
}

/// Lists the tools and calls each one; a tool reporting an error is fine
/// (the exchange worked), a failed request is not.
async fn call_every_tool(connection: &McpConnection) -> anyhow::Result<()> {
    let tools: Vec<Tool> = connection.list_tools().await?;
    for tool in tools {
        let schema = Value::Object((*tool.input_schema).clone());
        let args = Value::Object(sample_arguments(&schema));
        let options = CallOptions {
            timeout_ms: CALL_TIMEOUT_MS,
            total_cap_ms: CALL_TIMEOUT_MS,
            progress: None,
        };
        let outcome = connection
            .call_tool(&tool.name, args, options, CancellationToken::new())
            .await?;
        eprintln!(
            "conformance-client: {} → {}",
            tool.name,
            if outcome.is_error { "tool error" } else { "ok" }
        );
    }
    Ok(())
}

/// `mcp conformance-client URL`.
pub async fn run(url: &str) -> anyhow::Result<ExitCode> {
    let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO").unwrap_or_default();
    let context = std::env::var("MCP_CONFORMANCE_CONTEXT").ok();
    eprintln!("conformance-client: scenario {scenario:?} at {url}");
    match tokio::time::timeout(HARD_LIMIT, exercise(url, &scenario, context.as_deref())).await {
        Ok(Ok(())) => Ok(ExitCode::SUCCESS),
        Ok(Err(error)) => Err(error),
        Err(_) => anyhow::bail!(
            "scenario {scenario:?} did not finish within {} s",
            HARD_LIMIT.as_secs()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_schema() {
        let schema = json!({"type": "object", "properties": {
            "name": {"type": "string", "default": "John Doe"},
            "age": {"type": "integer", "default": 30},
            "note": {"type": "string"}
        }});
        let defaults = schema_defaults(&schema);
        assert_eq!(defaults.get("name"), Some(&json!("John Doe")));
        assert_eq!(defaults.get("age"), Some(&json!(30)));
        assert!(!defaults.contains_key("note"));
    }

    #[test]
    fn arguments_cover_required_properties() {
        let schema = json!({"type": "object", "required": ["a", "b"], "properties": {
            "a": {"type": "number"}, "b": {"type": "string", "enum": ["x", "y"]},
            "c": {"type": "boolean"}
        }});
        let args = sample_arguments(&schema);
        assert_eq!(args.get("a"), Some(&json!(1)));
        assert_eq!(args.get("b"), Some(&json!("x")));
        assert!(!args.contains_key("c"));
    }

    #[test]
    fn pre_registered_credentials_come_from_the_context() {
        let settings = oauth_settings(Some(
            r#"{"name":"auth/pre-registration","client_id":"pre","client_secret":"s"}"#,
        ));
        assert_eq!(settings.client_id.as_deref(), Some("pre"));
        assert_eq!(settings.client_secret.as_deref(), Some("s"));
        assert_eq!(oauth_settings(None).client_id, None);
    }
}
