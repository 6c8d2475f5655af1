//! What a connection does with each client message.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::mpsc;
use valechat_core::chat::Approval;

use super::connection::CloseRequest;
use super::convert;
use super::hub::{ResumeError, TurnHub};
use super::outbox::Outbox;
use super::protocol::{self, BadMessage, CLOSE_UNSUPPORTED_VERSION, ClientMessage};
use super::requests;
use crate::serve::clients::Connection;
use crate::serve::http::rate::RateLimit;

/// One connection's handling of client messages.
pub(super) struct Dispatch {
    hub: TurnHub,
    out: Outbox,
    close: mpsc::UnboundedSender<CloseRequest>,
    /// `ws:<name>` for usage records: the `hello`'s name, else the
    /// `User-Agent`'s first word, else `ws:unknown`.
    client: String,
    /// This connection in the server's list of apps (renamed by `hello`).
    connection: Connection,
    /// The server's rate limit and this connection's token: each `send`
    /// counts.
    limit: Option<(RateLimit, Arc<str>)>,
}

fn error(code: &str, message: impl Into<String>) -> Value {
    json!({"type": "error", "code": code, "message": message.into()})
}

impl Dispatch {
    pub fn new(
        hub: TurnHub,
        out: Outbox,
        close: mpsc::UnboundedSender<CloseRequest>,
        agent: Option<String>,
        connection: Connection,
        limit: Option<(RateLimit, Arc<str>)>,
    ) -> Self {
        Self {
            hub,
            out,
            close,
            client: format!("ws:{}", agent.as_deref().unwrap_or("unknown")),
            connection,
            limit,
        }
    }

    fn send(&self, body: Value) {
        self.out
            .push(Arc::from(convert::versioned(body).to_string()));
    }

    fn bad(&self, bad: &BadMessage) {
        self.send(json!({
            "type": "error",
            "code": bad.code,
            "field": bad.field,
            "message": bad.message,
            "request_id": bad.request_id,
        }));
    }

    /// A binary message: refused, the connection stays open.
    pub fn refuse_binary(&self) {
        self.send(error(
            "invalid_json",
            "binary messages are not accepted: send JSON text",
        ));
    }

    /// Handles one text message; `false` when the connection is to close
    /// (another major version).
    pub async fn handle(&mut self, text: &str) -> bool {
        let message = match protocol::parse(text) {
            Ok(message) => message,
            Err(bad) => {
                self.bad(&bad);
                if bad.code == "unsupported_version" {
                    let _ = self
                        .close
                        .send((CLOSE_UNSUPPORTED_VERSION, "unsupported version".into()));
                    return false;
                }
                return true;
            }
        };
        match message {
            ClientMessage::Hello { client } => {
                let name = super::connection::client_name(&client.name);
                self.connection.rename(&name);
                self.client = format!("ws:{name}");
            }
            ClientMessage::Ping { request_id } => {
                self.send(json!({"type": "pong", "request_id": request_id}));
            }
            ClientMessage::Send {
                request_id,
                conversation_id,
                new,
                text,
                attachments,
            } => {
                if let Some((rate, token)) = &self.limit
                    && let Err(refusal) = rate.check(token)
                {
                    self.send(json!({
                        "type": "error",
                        "code": "rate_limited",
                        "message": refusal.message,
                        "request_id": request_id,
                        "retry_after_ms": refusal.retry_after_secs.map(|s| s * 1000),
                    }));
                    return true;
                }
                let request = match requests::send_request(
                    conversation_id,
                    new,
                    text,
                    attachments,
                    &self.client,
                ) {
                    Ok(request) => request,
                    Err(mut bad) => {
                        bad.request_id = Some(request_id);
                        self.bad(&bad);
                        return true;
                    }
                };
                let hub = self.hub.clone();
                let out = self.out.clone();
                tokio::spawn(async move {
                    if let Err(e) = hub.start(request, &request_id, out.clone()).await {
                        let user = convert::engine_error(&e);
                        let mut body =
                            error("send_refused", user["message"].as_str().unwrap_or_default());
                        body["request_id"] = json!(request_id);
                        body["detail"] = user["detail"].clone();
                        out.push(Arc::from(convert::versioned(body).to_string()));
                    }
                });
            }
            ClientMessage::Cancel { turn_id } => {
                if !self.hub.cancel(&turn_id) {
                    self.unknown_turn(&turn_id);
                }
            }
            ClientMessage::Approve {
                turn_id,
                tool_call_id,
                always,
            } => {
                let approval = if always {
                    Approval::AlwaysAllow
                } else {
                    Approval::AllowOnce
                };
                self.decide(&turn_id, tool_call_id, approval);
            }
            ClientMessage::Deny {
                turn_id,
                tool_call_id,
            } => self.decide(&turn_id, tool_call_id, Approval::Deny),
            ClientMessage::ListConversations {
                request_id,
                offset,
                limit,
            } => {
                let answer = requests::list_conversations(self.hub.engine(), offset, limit).await;
                self.answer(answer.map(Some), request_id, "conversations");
            }
            ClientMessage::GetConversation {
                request_id,
                conversation_id,
            } => {
                let answer = requests::get_conversation(self.hub.engine(), conversation_id).await;
                self.answer(answer, request_id, "conversation");
            }
            ClientMessage::ListModels { request_id } => {
                let hub = self.hub.clone();
                let out = self.out.clone();
                // Provider lists come over the network: not on the reader.
                tokio::spawn(async move {
                    let mut body = requests::list_models(hub.engine())
                        .await
                        .unwrap_or_else(|e| error("store", e));
                    body["request_id"] = json!(request_id);
                    out.push(Arc::from(convert::versioned(body).to_string()));
                });
            }
            ClientMessage::Resume { turn_id, last_seq } => {
                self.resume(&turn_id, last_seq).await;
            }
        }
        true
    }

    fn answer(
        &self,
        answer: Result<Option<Value>, String>,
        request_id: Option<String>,
        what: &str,
    ) {
        let mut body = match answer {
            Ok(Some(body)) => body,
            Ok(None) => json!({
                "type": "error",
                "code": "not_found",
                "field": "conversation_id",
                "message": format!("no such {what}"),
            }),
            Err(e) => error("store", e),
        };
        body["request_id"] = json!(request_id);
        self.send(body);
    }

    fn unknown_turn(&self, turn_id: &str) {
        self.send(json!({
            "type": "error",
            "code": "unknown_turn",
            "field": "turn_id",
            "turn_id": turn_id,
            "message": "no such turn here (never started, or forgotten after it ended)",
        }));
    }

    fn decide(&self, turn_id: &str, tool_call_id: i64, approval: Approval) {
        if !self.hub.decide(turn_id, tool_call_id, approval) {
            self.send(json!({
                "type": "error",
                "code": "no_waiting_call",
                "field": "tool_call_id",
                "turn_id": turn_id,
                "message": format!("tool call {tool_call_id} of turn {turn_id} is not waiting for a decision"),
            }));
        }
    }

    async fn resume(&self, turn_id: &str, last_seq: u64) {
        match self.hub.resume(turn_id, last_seq, self.out.clone()) {
            Ok(()) => {}
            Err(ResumeError::UnknownTurn) => self.unknown_turn(turn_id),
            Err(ResumeError::Dropped {
                conversation_id,
                first_kept,
            }) => {
                let stored = requests::last_message(self.hub.engine(), conversation_id).await;
                self.send(json!({
                    "type": "error",
                    "code": "events_dropped",
                    "field": "last_seq",
                    "turn_id": turn_id,
                    "conversation_id": conversation_id,
                    "first_kept_seq": first_kept,
                    "message": "the events after last_seq are no longer kept; stored_message is the reply as stored now (get_conversation gives the whole conversation)",
                    "stored_message": stored,
                }));
            }
        }
    }
}
