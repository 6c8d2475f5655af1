//! The streamed bodies: the SSE and NDJSON framings, and each protocol's
//! mapper from its events to chat events. Every body is parsed whole and in
//! pieces, and both must give the same items.

use futures::stream;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::ollama::mapper::ChatMapper;
use valechat_core::provider::ollama::stream::{LineMapper, ndjson_stream};
use valechat_core::provider::sse::{EventMapper, Flow, event_stream};
use valechat_core::provider::{ChatEvent, ProviderError, anthropic, gemini, openai};

use crate::support::{IDLE, same_in_pieces};

/// The pieces as a body stream.
fn body(pieces: Vec<Vec<u8>>) -> stream::Iter<std::vec::IntoIter<Result<Vec<u8>, ProviderError>>> {
    stream::iter(pieces.into_iter().map(Ok).collect::<Vec<_>>())
}

/// Records every SSE event as a text delta `name\0data`; `[END]` ends.
struct Recorder;

impl EventMapper for Recorder {
    fn push_event(
        &mut self,
        name: &str,
        data: &str,
        out: &mut Vec<ChatEvent>,
    ) -> Result<Flow, ProviderError> {
        out.push(ChatEvent::TextDelta(format!("{name}\0{data}")));
        Ok(if data == "[END]" {
            Flow::End
        } else {
            Flow::Continue
        })
    }

    fn is_complete(&self) -> bool {
        true
    }

    fn finish(&mut self, _out: &mut Vec<ChatEvent>) {}

    fn early_end_message(&self) -> String {
        "never: the recorder is always complete".into()
    }
}

/// Records every NDJSON line; `[END]` ends.
struct LineRecorder;

impl LineMapper for LineRecorder {
    type Item = String;

    fn push_line(&mut self, line: &str, out: &mut Vec<String>) -> Result<Flow, ProviderError> {
        out.push(line.to_owned());
        Ok(if line == "[END]" {
            Flow::End
        } else {
            Flow::Continue
        })
    }

    fn is_complete(&self) -> bool {
        true
    }

    fn finish(&mut self, _out: &mut Vec<String>) {}

    fn early_end_message(&self) -> String {
        "never: the recorder is always complete".into()
    }
}

/// The shared SSE framing (`provider::sse`).
pub fn sse(data: &[u8]) {
    same_in_pieces(data, |p| {
        event_stream(body(p), Recorder, IDLE, CancellationToken::new())
    });
}

/// The NDJSON framing (`provider::ollama::stream`).
pub fn ndjson(data: &[u8]) {
    same_in_pieces(data, |p| {
        ndjson_stream(body(p), LineRecorder, IDLE, CancellationToken::new())
    });
}

/// OpenAI Chat Completions SSE.
pub fn openai(data: &[u8]) {
    same_in_pieces(data, |p| {
        openai::stream::chat_event_stream(body(p), IDLE, CancellationToken::new())
    });
}

/// Anthropic Messages SSE.
pub fn anthropic(data: &[u8]) {
    same_in_pieces(data, |p| {
        anthropic::stream::chat_event_stream(body(p), IDLE, CancellationToken::new())
    });
}

/// Gemini `alt=sse`.
pub fn gemini(data: &[u8]) {
    same_in_pieces(data, |p| {
        gemini::stream::chat_event_stream(body(p), IDLE, CancellationToken::new())
    });
}

/// Ollama `/api/chat` NDJSON.
pub fn ollama(data: &[u8]) {
    same_in_pieces(data, |p| {
        ndjson_stream(body(p), ChatMapper::new(), IDLE, CancellationToken::new())
    });
}
