//! The retry layer over each protocol's real provider (Anthropic, Gemini,
//! Ollama, and OpenAI where the tests above do not already cover a case):
//! `Retry-After` and rate-limit reset headers waited for, Anthropic's 529
//! `overloaded_error` retried, a cut before the first token retried and one
//! after it passed through with the partial text, client errors never retried.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::anthropic::{AnthropicConfig, AnthropicProvider};
use valechat_core::provider::gemini::{GeminiConfig, GeminiProvider};
use valechat_core::provider::ollama::{OllamaConfig, OllamaProvider};
use valechat_core::provider::openai::{OpenAiConfig, OpenAiProvider};
use valechat_core::provider::resilient::{BreakerConfig, CircuitBreaker, ResilientProvider};
use valechat_core::provider::{ChatProvider, ChatStream, ProviderError};

use super::{GUARD, drain, fast_policy, request};
use crate::support::{Reply, Step, TestServer};

/// The protocols under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proto {
    OpenAi,
    Anthropic,
    Gemini,
    Ollama,
}

use Proto::{Anthropic, Gemini, Ollama, OpenAi};

/// The protocols whose retry behaviour the OpenAI-only tests above did not cover.
const OTHERS: [Proto; 3] = [Anthropic, Gemini, Ollama];
const ALL: [Proto; 4] = [OpenAi, Anthropic, Gemini, Ollama];

impl Proto {
    /// The protocol's provider for `server`, behind the retry layer.
    fn provider(self, server: &TestServer) -> ResilientProvider {
        let base = server.base_url();
        let key = Some("k-test".to_owned());
        let inner: Arc<dyn ChatProvider> = match self {
            OpenAi => Arc::new(OpenAiProvider::new(OpenAiConfig::new(base, key)).unwrap()),
            Anthropic => Arc::new(AnthropicProvider::new(AnthropicConfig::new(base, key)).unwrap()),
            Gemini => Arc::new(GeminiProvider::new(GeminiConfig::new(base, key)).unwrap()),
            // `/v1` is stripped: the server root.
            Ollama => Arc::new(OllamaProvider::new(OllamaConfig::new(base, None)).unwrap()),
        };
        let breaker = Arc::new(CircuitBreaker::new(BreakerConfig::default()));
        ResilientProvider::new(inner, breaker).with_policy(fast_policy())
    }

    /// What the server sends before the first token (no chat event yet).
    fn preamble(self) -> String {
        match self {
            OpenAi => "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}\n\n".into(),
            Anthropic => concat!(
                "event: message_start\n",
                "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}\n\n",
                "event: content_block_start\n",
                "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
            )
            .into(),
            Gemini | Ollama => String::new(),
        }
    }

    /// One streamed piece carrying `text`.
    fn text(self, text: &str) -> String {
        let t = serde_json::to_string(text).unwrap();
        match self {
            OpenAi => format!(
                "data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{t}}},\"finish_reason\":null}}]}}\n\n"
            ),
            Anthropic => format!(
                "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":{t}}}}}\n\n"
            ),
            Gemini => format!(
                "data: {{\"candidates\":[{{\"content\":{{\"parts\":[{{\"text\":{t}}}],\"role\":\"model\"}},\"index\":0}}]}}\n\n"
            ),
            Ollama => format!(
                "{{\"model\":\"m\",\"message\":{{\"role\":\"assistant\",\"content\":{t}}},\"done\":false}}\n"
            ),
        }
    }

    /// The pieces ending a reply normally.
    fn end(self) -> String {
        match self {
            OpenAi => "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n".into(),
            Anthropic => concat!(
                "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}\n\n",
                "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
            )
            .into(),
            Gemini => "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":5,\"candidatesTokenCount\":2,\"totalTokenCount\":7}}\n\n".into(),
            Ollama => "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\",\"prompt_eval_count\":5,\"eval_count\":2}\n".into(),
        }
    }

    /// A complete reply answering "Hello there".
    fn good(self) -> Reply {
        let body = [
            self.preamble(),
            self.text("Hello"),
            self.text(" there"),
            self.end(),
        ]
        .concat();
        Reply::sse_body(body.into_bytes())
    }

    /// An error reply of `status` in the protocol's error body shape.
    fn error(self, status: u16, kind: &str, message: &str) -> Reply {
        let body = match self {
            OpenAi => {
                serde_json::json!({"error": {"message": message, "type": kind, "code": kind}})
            }
            Anthropic => {
                serde_json::json!({"type": "error", "error": {"type": kind, "message": message}})
            }
            Gemini => {
                serde_json::json!({"error": {"code": status, "message": message, "status": kind}})
            }
            Ollama => serde_json::json!({"error": message}),
        };
        Reply::fixed(status, "application/json", body.to_string())
    }
}

async fn open(p: &ResilientProvider) -> Result<ChatStream, ProviderError> {
    tokio::time::timeout(GUARD, p.stream_chat(request(), CancellationToken::new()))
        .await
        .expect("stream_chat hung")
}

/// Plays `first` then a good reply for `proto`; returns the time until the
/// stream opened, the drained reply and the request count.
async fn first_then_good(proto: Proto, first: Reply) -> (Duration, String, usize) {
    let server = TestServer::start(vec![first, proto.good()]).await;
    let p = proto.provider(&server);
    let start = Instant::now();
    let stream = open(&p)
        .await
        .unwrap_or_else(|e| panic!("{proto:?}: the retry did not succeed: {e:?}"));
    let elapsed = start.elapsed();
    let (text, err) = drain(stream).await;
    assert_eq!(err, None, "{proto:?}");
    (elapsed, text, server.requests().len())
}

#[tokio::test]
async fn each_protocol_waits_for_retry_after_then_succeeds() {
    let runs = OTHERS.map(|proto| async move {
        let limited = proto
            .error(429, "rate_limit_error", "Rate limited")
            .header("retry-after", "1");
        (proto, first_then_good(proto, limited).await)
    });
    for (proto, (elapsed, text, requests)) in join_all(runs).await {
        assert!(elapsed >= Duration::from_secs(1), "{proto:?}: {elapsed:?}");
        assert_eq!(text, "Hello there", "{proto:?}");
        assert_eq!(requests, 2, "{proto:?}");
    }
}

#[tokio::test]
async fn rate_limit_reset_headers_are_waited_for_without_retry_after() {
    let reset = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let anthropic = Anthropic
        .error(429, "rate_limit_error", "Rate limited")
        .header("anthropic-ratelimit-requests-remaining", "0")
        .header("anthropic-ratelimit-requests-reset", &reset);
    let openai = OpenAi
        .error(429, "rate_limit_exceeded", "Rate limited")
        .header("x-ratelimit-remaining-requests", "0")
        .header("x-ratelimit-reset-requests", "1s")
        .header("x-ratelimit-reset-tokens", "20ms");
    let runs = [(Anthropic, anthropic), (OpenAi, openai)]
        .map(|(proto, reply)| async move { (proto, first_then_good(proto, reply).await) });
    for (proto, (elapsed, text, requests)) in join_all(runs).await {
        // Anthropic's reset is 1.5 s away when the reply is built; at least
        // 1 s of it remains when the client reads it.
        assert!(elapsed >= Duration::from_secs(1), "{proto:?}: {elapsed:?}");
        assert_eq!((text.as_str(), requests), ("Hello there", 2), "{proto:?}");
    }
}

#[tokio::test]
async fn anthropic_overloaded_is_retried_as_status_and_as_an_early_stream_event() {
    let status = Anthropic.error(529, "overloaded_error", "Overloaded");
    let (_, text, requests) = first_then_good(Anthropic, status).await;
    assert_eq!((text.as_str(), requests), ("Hello there", 2));

    let event = format!(
        "{}event: error\ndata: {{\"type\":\"error\",\"error\":{{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}}}\n\n",
        Anthropic.preamble()
    );
    let (_, text, requests) = first_then_good(Anthropic, Reply::sse_body(event.into_bytes())).await;
    assert_eq!((text.as_str(), requests), ("Hello there", 2));
}

#[tokio::test]
async fn a_cut_before_the_first_token_is_retried() {
    // The OpenAI role chunk and Anthropic's message_start come before it.
    for proto in ALL {
        let cut = Reply::sse(vec![Step::Send(proto.preamble().into_bytes()), Step::Cut]);
        let (_, text, requests) = first_then_good(proto, cut).await;
        assert_eq!((text.as_str(), requests), ("Hello there", 2), "{proto:?}");
    }
}

#[tokio::test]
async fn a_cut_after_the_first_token_surfaces_with_the_partial_text() {
    for proto in OTHERS {
        let first = [proto.preamble(), proto.text("Hel")].concat();
        let server = TestServer::start(vec![
            Reply::sse(vec![Step::Send(first.into_bytes()), Step::Cut]),
            proto.good(),
        ])
        .await;
        let stream = open(&proto.provider(&server))
            .await
            .unwrap_or_else(|e| panic!("{proto:?}: {e:?}"));
        let (text, err) = drain(stream).await;
        assert_eq!(text, "Hel", "{proto:?}");
        assert!(
            matches!(err, Some(ProviderError::Connection(_))),
            "{proto:?}: {err:?}"
        );
        assert_eq!(server.requests().len(), 1, "{proto:?}");
    }
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for proto in ALL {
        for (status, kind) in [
            (400, "invalid_request_error"),
            (401, "authentication_error"),
            (403, "permission_error"),
            (404, "not_found_error"),
        ] {
            let server =
                TestServer::start(vec![proto.error(status, kind, "refused"), proto.good()]).await;
            let err = open(&proto.provider(&server)).await.err();
            let expected = match status {
                400 => matches!(err, Some(ProviderError::BadRequest { status: 400, .. })),
                401 | 403 => matches!(err, Some(ProviderError::Unauthorized { .. })),
                _ => matches!(err, Some(ProviderError::NotFound { .. })),
            };
            assert!(expected, "{proto:?} {status}: {err:?}");
            assert_eq!(server.requests().len(), 1, "{proto:?} {status} was retried");
        }
    }
}
