//! A real 2026-07-28 (stateless) MCP server built with rmcp's server side,
//! served in-process over WebSocket, whose tool, prompt and resource answer
//! with `input_required` (multi round-trip requests, SEP-2322).
//!
//! - tool `ask`: round 1 asks an elicitation `name` (state `step1`); round 2
//!   asks an elicitation `colour` and the roots `where` (state
//!   `step2:<name>`, sends a progress notification); round 3 completes with
//!   all the answers.
//! - tool `forever`: asks for the roots again and again.
//! - tool `sample`: asks for a sampling completion, then quotes it.
//! - prompt `greet`: asks an elicitation `name`, then greets.
//! - resource `vault://secret`: asks for the roots, then names the first.

use std::sync::{Arc, Mutex};

use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, GetPromptRequestParams,
    GetPromptResponse, GetPromptResult, InputRequests, InputRequiredResult, InputResponses,
    ProgressNotificationParam, ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse,
    ReadResourceResult, ServerCapabilities, ServerConfig as RmcpServerConfig,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use valechat_core::mcp::websocket::json_rpc;

/// What the server saw: one `(request, requestState, inputResponses keys)`
/// per request received.
pub type Seen = Arc<Mutex<Vec<(String, Option<String>, Vec<String>)>>>;

/// The MRTR test server.
#[derive(Clone, Default)]
pub struct Mrtr {
    /// Every request of the tools, prompt and resource.
    pub seen: Seen,
}

fn input_required(requests: Value, state: Option<String>) -> InputRequiredResult {
    let requests: InputRequests = serde_json::from_value(requests).expect("input requests");
    InputRequiredResult::new(Some(requests), state)
}

fn elicit(message: &str, field: &str) -> Value {
    json!({"method": "elicitation/create", "params": {
        "mode": "form",
        "message": message,
        "requestedSchema": {"type": "object",
            "properties": {field: {"type": "string"}}, "required": [field]}}})
}

/// `responses[key].content[field]` of an accepted elicitation, or the action.
fn answer(responses: &InputResponses, key: &str, field: &str) -> String {
    let Some(response) = responses.get(key) else {
        return format!("<no {key}>");
    };
    match response.pointer(&format!("/content/{field}")) {
        Some(Value::String(text)) => text.clone(),
        _ => format!("<{}>", response["action"].as_str().unwrap_or("?")),
    }
}

fn first_root(responses: &InputResponses, key: &str) -> String {
    responses
        .get(key)
        .and_then(|r| r.pointer("/roots/0/uri"))
        .and_then(Value::as_str)
        .unwrap_or("<no roots>")
        .to_owned()
}

fn text_result(text: String) -> CallToolResult {
    serde_json::from_value(json!({"content": [{"type": "text", "text": text}]})).expect("result")
}

impl Mrtr {
    fn record(&self, name: &str, state: &Option<String>, responses: &Option<InputResponses>) {
        let keys = responses.iter().flatten().map(|(k, _)| k.clone()).collect();
        let mut seen = self.seen.lock().expect("seen");
        seen.push((name.to_owned(), state.clone(), keys));
    }
}

impl ServerHandler for Mrtr {
    fn get_info(&self) -> RmcpServerConfig {
        let capabilities: ServerCapabilities =
            serde_json::from_value(json!({"tools": {}, "prompts": {}, "resources": {}}))
                .expect("capabilities");
        RmcpServerConfig::new(capabilities)
    }

    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        std::borrow::Cow::Owned(vec![ProtocolVersion::V_2026_07_28])
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, rmcp::ErrorData> {
        let name = request.name.to_string();
        self.record(&name, &request.request_state, &request.input_responses);
        let responses = request.input_responses.unwrap_or_default();
        let state = request.request_state;
        let asked = match (name.as_str(), state.as_deref()) {
            ("ask", None) => input_required(
                json!({"name": elicit("What is your name?", "name")}),
                Some("step1".into()),
            ),
            ("ask", Some("step1")) => {
                if let Some(token) = context.meta.get_progress_token() {
                    let _ = context
                        .peer
                        .notify_progress(ProgressNotificationParam::new(token, 2.0))
                        .await;
                    // rmcp hands notifications to a task of their own: give
                    // it a head start over this round's result.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                let name = answer(&responses, "name", "name");
                input_required(
                    json!({"colour": elicit("Favourite colour?", "colour"),
                           "where": {"method": "roots/list"}}),
                    Some(format!("step2:{name}")),
                )
            }
            ("ask", Some(step)) => {
                let name = step.strip_prefix("step2:").unwrap_or("<bad state>");
                let colour = answer(&responses, "colour", "colour");
                let root = first_root(&responses, "where");
                return Ok(text_result(format!("{name} likes {colour}; root {root}")).into());
            }
            ("forever", _) => input_required(json!({"r": {"method": "roots/list"}}), None),
            ("sample", None) => input_required(
                json!({"s": {"method": "sampling/createMessage", "params": {
                    "messages": [{"role": "user",
                                  "content": {"type": "text", "text": "Say hi"}}],
                    "maxTokens": 10}}}),
                Some("sampling".into()),
            ),
            ("sample", Some(_)) => {
                let response = responses.get("s");
                let said = response
                    .and_then(|r| r.pointer("/content/text"))
                    .or_else(|| response.and_then(|r| r.pointer("/content/0/text")))
                    .and_then(Value::as_str)
                    .unwrap_or("<nothing>");
                return Ok(text_result(format!("the model said {said}")).into());
            }
            _ => return Err(rmcp::ErrorData::invalid_params("unknown tool", None)),
        };
        Ok(asked.into())
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, rmcp::ErrorData> {
        self.record(
            &request.name,
            &request.request_state,
            &request.input_responses,
        );
        let Some(responses) = request.input_responses else {
            let asked = input_required(json!({"name": elicit("Who is it for?", "name")}), None);
            return Ok(asked.into());
        };
        let name = answer(&responses, "name", "name");
        let result: GetPromptResult = serde_json::from_value(json!({"messages": [
            {"role": "user", "content": {"type": "text", "text": format!("Greet {name}")}}]}))
        .expect("prompt result");
        Ok(result.into())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, rmcp::ErrorData> {
        self.record(
            &request.uri,
            &request.request_state,
            &request.input_responses,
        );
        let Some(responses) = request.input_responses else {
            let asked = input_required(json!({"where": {"method": "roots/list"}}), None);
            return Ok(asked.into());
        };
        let root = first_root(&responses, "where");
        let result: ReadResourceResult = serde_json::from_value(json!({"contents": [
            {"uri": request.uri, "mimeType": "text/plain", "text": format!("root {root}")}]}))
        .expect("resource result");
        Ok(result.into())
    }
}

/// Serves a [`Mrtr`] over WebSocket on a free local port; returns the URL
/// and what the server saw.
pub async fn serve() -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("ws://{}/mcp", listener.local_addr().expect("addr"));
    let server = Mrtr::default();
    let seen = server.seen.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let server = server.clone();
            tokio::spawn(async move {
                // The error type is tungstenite's (an HTTP response), not ours.
                #[allow(clippy::result_large_err)]
                let select_mcp = |_: &Request, mut response: Response| {
                    response
                        .headers_mut()
                        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("mcp"));
                    Ok(response)
                };
                let Ok(socket) = tokio_tungstenite::accept_hdr_async(stream, select_mcp).await
                else {
                    return;
                };
                if let Ok(running) = rmcp::serve_server(server, json_rpc(socket)).await {
                    let _ = running.waiting().await;
                }
            });
        }
    });
    (url, seen)
}
