//! Multi round-trip requests (MRTR, SEP-2322) of the 2026-07-28 stateless
//! era: a server answers `tools/call`, `prompts/get` or `resources/read`
//! with an `InputRequiredResult` (`resultType: "input_required"`, an
//! `inputRequests` map of elicitation / sampling / roots requests and/or an
//! opaque `requestState`) instead of sending server→client requests. The
//! client answers each input request and sends the original request again
//! with `inputResponses` (same keys) and the `requestState` echoed verbatim.
//! Spec: <https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/mrtr>.
//!
//! `McpConnection::exchange` drives the rounds. Input requests are
//! answered one at a time in key order through the connection's
//! [`ValeClient`](crate::mcp::handler::ValeClient) (the same [`ClientHooks`](crate::mcp::ClientHooks)
//! as the 2025-11-25 server→client requests): elicitation through the
//! elicitor (declined without one), roots from the configured roots,
//! sampling through the sampling handler. A refused sampling request cannot
//! be expressed in `inputResponses` (they hold results, not errors), so it
//! ends the request with [`McpError::Protocol`] quoting the refusal, as the
//! legacy path answers the server with an error.
//!
//! Limits over the whole exchange: the caller's cancellation token (the
//! request in flight gets `notifications/cancelled`), the total cap (time
//! spent answering input requests counts), the idle timeout per round (see
//! `connection/idle`: it stands still while a 2025-11-25 server's
//! elicitation or sampling request is being answered), and
//! [`MAX_INPUT_ROUNDS`]. Progress notifications of every round reach the
//! caller's observer. Each round is logged in the server's log. A
//! `-32042` "URL elicitation required" error is handled here too (see
//! `connection/url_required`): the pages are shown once, then the request
//! is sent again.
#![allow(deprecated)] // sampling and roots: deprecated by SEP-2577, used by MRTR.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rmcp::ServiceError;
use rmcp::model::{
    ClientRequest, ElicitRequestParams, InputRequest, InputRequiredResult, InputResponses,
    ServerResult,
};
use rmcp::service::PeerRequestOptions;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::idle::{Waited, await_with_idle};
use super::url_required::required_urls;
use super::{McpConnection, millis};
use crate::mcp::McpError;
use crate::mcp::handler::ProgressCallback;
use crate::mcp::log::LogSource;

/// Most `input_required` results answered for one request; the next one
/// ends it with [`McpError::Protocol`] (so at most 9 requests are sent).
pub const MAX_INPUT_ROUNDS: usize = 8;

/// Limits and observers of one exchange (the original request and its
/// retries).
pub(super) struct Exchange {
    /// The request as named in errors and logs, e.g. `tools/call ask`.
    pub name: String,
    /// Idle limit of each round's request.
    pub idle: Duration,
    /// Hard limit of the whole exchange, answering input included.
    pub total: Duration,
    /// Whether a progress notification restarts the idle limit.
    pub reset_on_progress: bool,
    /// Observer of progress notifications, `(progress, total, message)`.
    pub progress: Option<ProgressCallback>,
    /// Fires to abandon the exchange.
    pub cancel: CancellationToken,
}

/// What one round brought back.
enum Reply {
    /// A result (possibly `input_required`), boxed: results are large.
    Result(Box<ServerResult>),
    /// The `-32042` error: the user must open these pages first.
    UrlsRequired(Vec<ElicitRequestParams>),
}

/// The continuation fields of a retry (none on the first request).
#[derive(Debug, Clone, Default)]
pub(super) struct Retry {
    /// `inputResponses`: the answers, keyed as the server's `inputRequests`.
    pub responses: Option<InputResponses>,
    /// `requestState`, echoed verbatim.
    pub state: Option<String>,
}

impl McpConnection {
    /// Sends the request `build` makes (given the continuation fields of the
    /// round) until the server answers with something other than
    /// `input_required`, answering its input requests in between. Returns
    /// that final result.
    ///
    /// # Errors
    /// [`McpError::Timeout`] (idle limit of a round, or the total cap),
    /// [`McpError::Cancelled`], [`McpError::Closed`], [`McpError::Protocol`]
    /// for a JSON-RPC error, a refused sampling request, or more than
    /// [`MAX_INPUT_ROUNDS`] rounds.
    pub(super) async fn exchange(
        &self,
        limits: &Exchange,
        build: impl Fn(Retry) -> ClientRequest,
    ) -> Result<ServerResult, McpError> {
        let deadline = Instant::now() + limits.total;
        let mut retry = Retry::default();
        let mut state_only_rounds = 0u32;
        let mut urls_shown = false;
        for round in 0..=MAX_INPUT_ROUNDS {
            let result = match self.round(limits, build(retry.clone()), deadline).await? {
                Reply::Result(result) => *result,
                Reply::UrlsRequired(urls) if !urls_shown => {
                    urls_shown = true;
                    let opening = self.open_required_urls(limits, urls);
                    tokio::select! {
                        opened = tokio::time::timeout_at(deadline.into(), opening) => match opened {
                            Ok(opened) => opened?,
                            Err(_) => return Err(self.total_cap_error(limits, true)),
                        },
                        () = limits.cancel.cancelled() => return Err(self.cancelled(limits)),
                    }
                    // The same request again, with the same continuation.
                    continue;
                }
                Reply::UrlsRequired(urls) => return Err(self.still_requires(limits, &urls)),
            };
            let ServerResult::InputRequiredResult(asked) = result else {
                if round > 0 {
                    self.log.push(
                        LogSource::Client,
                        &format!("{}: completed after {round} input round(s)", limits.name),
                    );
                }
                return Ok(result);
            };
            if round == MAX_INPUT_ROUNDS {
                break;
            }
            self.log.push(
                LogSource::Client,
                &format!(
                    "{}: input round {} of at most {MAX_INPUT_ROUNDS}: {}",
                    limits.name,
                    round + 1,
                    describe(&asked)
                ),
            );
            let answering = self.answer(limits, asked, &mut state_only_rounds);
            retry = tokio::select! {
                answered = tokio::time::timeout_at(deadline.into(), answering) => match answered {
                    Ok(answered) => answered?,
                    Err(_) => return Err(self.total_cap_error(limits, true)),
                },
                () = limits.cancel.cancelled() => return Err(self.cancelled(limits)),
            };
        }
        self.log.push(
            LogSource::Client,
            &format!(
                "{}: gave up, the server still asks for input after {MAX_INPUT_ROUNDS} rounds",
                limits.name
            ),
        );
        Err(McpError::Protocol {
            server: self.server_id.clone(),
            request: limits.name.clone(),
            reason: format!(
                "the server still asked for more input (input_required) after \
                 {MAX_INPUT_ROUNDS} rounds; ValeChat stopped there"
            ),
        })
    }

    /// Sends one request and waits for its result, with the idle limit,
    /// what is left of the total cap, progress routing and cancellation.
    async fn round(
        &self,
        limits: &Exchange,
        request: ClientRequest,
        deadline: Instant,
    ) -> Result<Reply, McpError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(self.total_cap_error(limits, false));
        }
        // rmcp keeps the total cap; the idle limit is ours (see `idle`).
        let options = PeerRequestOptions::no_options().with_max_total_timeout(remaining);
        let handle = self
            .service
            .send_request_with_option(request, options)
            .await
            .map_err(|e| self.error(&limits.name, e))?;
        let token = handle.progress_token.clone();
        let id = handle.id.clone();
        let activity = Arc::new(Notify::new());
        let observer = limits.progress.clone();
        let ping = limits.reset_on_progress.then(|| Arc::clone(&activity));
        if observer.is_some() || ping.is_some() {
            let route: ProgressCallback = Arc::new(move |progress, total, message| {
                if let Some(ping) = &ping {
                    ping.notify_one();
                }
                if let Some(observer) = &observer {
                    observer(progress, total, message);
                }
            });
            self.progress.insert(&token, route);
        }
        let waited = await_with_idle(
            handle.await_response(),
            limits.idle,
            &activity,
            &self.user_waits,
            &limits.cancel,
        )
        .await;
        self.progress.remove(&token);
        match waited {
            Waited::Done(Ok(result)) => Ok(Reply::Result(Box::new(result))),
            Waited::Done(Err(ServiceError::McpError(error))) => match required_urls(&error) {
                Some(urls) => Ok(Reply::UrlsRequired(urls)),
                None => Err(self.error(&limits.name, ServiceError::McpError(error))),
            },
            // The only limit rmcp keeps is what is left of the total cap.
            Waited::Done(Err(ServiceError::Timeout { .. })) => {
                Err(self.total_cap_error(limits, false))
            }
            Waited::Done(Err(error)) => Err(self.error(&limits.name, error)),
            Waited::Cancelled => {
                self.send_cancelled(&id, "cancelled by the user").await;
                Err(self.cancelled(limits))
            }
            Waited::Idle => {
                self.send_cancelled(&id, "request timeout").await;
                Err(McpError::Timeout {
                    server: self.server_id.clone(),
                    request: limits.name.clone(),
                    timeout_ms: millis(limits.idle),
                    hint: String::new(),
                    stderr: String::new(),
                })
            }
        }
    }

    /// Answers the input requests of `asked` and returns the retry fields.
    async fn answer(
        &self,
        limits: &Exchange,
        asked: InputRequiredResult,
        state_only_rounds: &mut u32,
    ) -> Result<Retry, McpError> {
        let requests = asked.input_requests.unwrap_or_default();
        if requests.is_empty() {
            // A state-only result (load shedding): back off a little,
            // 50 ms doubling up to 250 ms, as rmcp's own helper does.
            let step = (*state_only_rounds).min(3);
            *state_only_rounds += 1;
            tokio::time::sleep(Duration::from_millis((50u64 << step).min(250))).await;
        } else {
            *state_only_rounds = 0;
        }
        let client = self.service.service();
        let mut responses = InputResponses::new();
        for (key, request) in requests {
            let answer = match request {
                InputRequest::Elicitation(request) => {
                    let result = client.elicit(request.params).await;
                    self.log.push(
                        LogSource::Client,
                        &format!("{}: elicitation {key:?}: {:?}", limits.name, result.action),
                    );
                    serde_json::to_value(result)
                }
                InputRequest::CreateMessage(request) => match client.sample(request.params).await {
                    Ok(result) => serde_json::to_value(result),
                    Err(reason) => {
                        self.log.push(
                            LogSource::Client,
                            &format!("{}: sampling {key:?}: {reason}", limits.name),
                        );
                        return Err(
                            self.protocol(limits, format!("input request {key:?}: {reason}"))
                        );
                    }
                },
                InputRequest::ListRoots(_) => serde_json::to_value(client.roots()),
                other => {
                    return Err(self.protocol(
                        limits,
                        format!("input request {key:?} is of an unknown kind: {other:?}"),
                    ));
                }
            };
            let answer = answer.map_err(|e| {
                self.protocol(
                    limits,
                    format!("could not encode the answer to {key:?}: {e}"),
                )
            })?;
            responses.insert(key, answer);
        }
        Ok(Retry {
            responses: (!responses.is_empty()).then_some(responses),
            state: asked.request_state,
        })
    }

    /// The total cap was hit, `answering` the server's input requests or
    /// waiting for the server.
    fn total_cap_error(&self, limits: &Exchange, answering: bool) -> McpError {
        let hint = if answering {
            " (total cap for the call, while answering the server's input requests)"
        } else {
            " (total cap for the call)"
        };
        McpError::Timeout {
            server: self.server_id.clone(),
            request: limits.name.clone(),
            timeout_ms: millis(limits.total),
            hint: hint.into(),
            stderr: String::new(),
        }
    }

    fn cancelled(&self, limits: &Exchange) -> McpError {
        McpError::Cancelled {
            server: self.server_id.clone(),
            request: limits.name.clone(),
        }
    }

    fn protocol(&self, limits: &Exchange, reason: String) -> McpError {
        McpError::Protocol {
            server: self.server_id.clone(),
            request: limits.name.clone(),
            reason,
        }
    }
}

/// `elicitation "name", roots "r"; state kept` for the log (kinds and keys
/// only, never the messages).
fn describe(asked: &InputRequiredResult) -> String {
    let mut parts: Vec<String> = asked
        .input_requests
        .iter()
        .flatten()
        .map(|(key, request)| {
            let kind = match request {
                InputRequest::Elicitation(_) => "elicitation",
                InputRequest::CreateMessage(_) => "sampling",
                InputRequest::ListRoots(_) => "roots",
                _ => "unknown request",
            };
            format!("{kind} {key:?}")
        })
        .collect();
    if parts.is_empty() {
        parts.push("no input requests".into());
    }
    let state = match &asked.request_state {
        Some(state) => format!("request state of {} bytes", state.len()),
        None => "no request state".into(),
    };
    format!("{}; {state}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_names_kinds_and_keys_but_not_messages() {
        let asked: InputRequiredResult = serde_json::from_value(serde_json::json!({
            "resultType": "input_required",
            "inputRequests": {
                "name": {"method": "elicitation/create", "params": {
                    "message": "secret question",
                    "requestedSchema": {"type": "object", "properties": {}}}},
                "where": {"method": "roots/list"}
            },
            "requestState": "abcd"
        }))
        .unwrap();
        let text = describe(&asked);
        assert_eq!(
            text,
            "elicitation \"name\", roots \"where\"; request state of 4 bytes"
        );
        let only_state = InputRequiredResult::from_request_state("x");
        assert_eq!(
            describe(&only_state),
            "no input requests; request state of 1 bytes"
        );
    }
}
