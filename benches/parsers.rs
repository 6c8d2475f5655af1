//! `cargo bench --bench parsers`: throughput (bytes per second) of the four
//! streaming parsers, from a response body to [`ChatEvent`]s.
//!
//! Each protocol's body is built from a recorded fixture in `tests/fixtures`:
//! its opening frames, then its content-delta frames repeated until the body
//! holds at least [`TARGET_BYTES`], then its closing frames (finish reason,
//! usage, end marker), so it is a whole, valid reply. The body is fed to the
//! real parser (`chat_event_stream` for OpenAI Chat Completions SSE,
//! Anthropic typed SSE and Gemini CRLF SSE; `ndjson_stream` with the chat
//! mapper for Ollama NDJSON) in [`CHUNK_BYTES`] pieces, as a
//! `futures::stream::iter`, and the stream is drained on a current-thread
//! tokio runtime. Before timing, each protocol is run once and checked to
//! yield exactly the text the body holds, so an error path cannot be
//! measured by mistake.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::{StreamExt, stream};
use serde_json::Value;
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::ollama::mapper::ChatMapper;
use valechat_core::provider::ollama::stream::ndjson_stream;
use valechat_core::provider::{ChatEvent, ChatStream, ProviderError, anthropic, gemini, openai};

/// Smallest body built per protocol, in bytes (2 MiB).
const TARGET_BYTES: usize = 2 * 1024 * 1024;

/// Size of each piece the body is fed in, in bytes (4 KiB).
const CHUNK_BYTES: usize = 4 * 1024;

/// Idle timeout handed to the parsers; never reached (the body is in memory).
const IDLE: Duration = Duration::from_secs(60);

/// The wire protocols measured.
#[derive(Clone, Copy)]
enum Protocol {
    OpenAi,
    Anthropic,
    Gemini,
    Ollama,
}

impl Protocol {
    const ALL: [Self; 4] = [Self::OpenAi, Self::Anthropic, Self::Gemini, Self::Ollama];

    /// The benchmark's name, as criterion prints it.
    fn name(self) -> &'static str {
        match self {
            Self::OpenAi => "openai_sse",
            Self::Anthropic => "anthropic_sse",
            Self::Gemini => "gemini_crlf_sse",
            Self::Ollama => "ollama_ndjson",
        }
    }

    /// The fixture's frames, each with its own separator.
    fn frames(self) -> Frames {
        match self {
            Self::OpenAi => {
                let fixture = include_str!("../tests/fixtures/openai-chat/text_with_usage.sse");
                // `role` opener, content deltas, then finish, usage and `[DONE]`.
                let frames = sse_frames(fixture);
                split(frames, |f| f.contains(r#""delta":{"content""#))
            }
            Self::Anthropic => {
                let fixture = include_str!("../tests/fixtures/anthropic/basic_response.sse");
                split(sse_frames(fixture), |f| {
                    f.starts_with("event: content_block_delta")
                })
            }
            Self::Gemini => {
                let fixture = include_str!("../tests/fixtures/gemini/text.chunks.jsonl");
                let frames = fixture
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| format!("data: {l}\r\n\r\n"))
                    .collect();
                split(frames, |f| !f.contains("finishReason"))
            }
            Self::Ollama => {
                let fixture = include_str!("../tests/fixtures/ollama/chat_stream_docs.ndjson");
                let frames = fixture
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| format!("{l}\n"))
                    .collect();
                split(frames, |f| f.contains(r#""done":false"#))
            }
        }
    }

    /// The answer text a frame carries (empty when none).
    fn text_of(self, frame: &str) -> String {
        let json = frame
            .lines()
            .find_map(|l| l.strip_prefix("data: "))
            .unwrap_or(frame);
        let value: Value = match serde_json::from_str(json.trim()) {
            Ok(value) => value,
            Err(_) => return String::new(), // `[DONE]`
        };
        let text = |pointer: &str| {
            value
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match self {
            Self::OpenAi => text("/choices/0/delta/content"),
            Self::Anthropic => text("/delta/text"),
            Self::Gemini => value
                .pointer("/candidates/0/content/parts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect(),
            Self::Ollama => text("/message/content"),
        }
    }

    /// The real parser over `body`, fed in [`CHUNK_BYTES`] pieces.
    fn parse(self, body: &'static [u8]) -> ChatStream {
        let pieces = stream::iter(body.chunks(CHUNK_BYTES).map(Ok::<_, ProviderError>));
        let cancel = CancellationToken::new();
        match self {
            Self::OpenAi => openai::stream::chat_event_stream(pieces, IDLE, cancel),
            Self::Anthropic => anthropic::stream::chat_event_stream(pieces, IDLE, cancel),
            Self::Gemini => gemini::stream::chat_event_stream(pieces, IDLE, cancel),
            Self::Ollama => ndjson_stream(pieces, ChatMapper::new(), IDLE, cancel),
        }
    }
}

/// A fixture cut in three: frames before, among and after the content deltas.
struct Frames {
    head: Vec<String>,
    deltas: Vec<String>,
    tail: Vec<String>,
}

/// The frames of an LF `text/event-stream` body, each ending in `\n\n`.
fn sse_frames(body: &str) -> Vec<String> {
    body.split("\n\n")
        .filter(|f| !f.trim().is_empty())
        .map(|f| format!("{}\n\n", f.trim_matches('\n')))
        .collect()
}

/// Cuts `frames` around the first and last frame that `is_delta` accepts.
fn split(frames: Vec<String>, is_delta: impl Fn(&str) -> bool) -> Frames {
    let first = frames.iter().position(|f| is_delta(f));
    let last = frames.iter().rposition(|f| is_delta(f));
    let (Some(first), Some(last)) = (first, last) else {
        panic!("fixture has no content-delta frame: {frames:?}");
    };
    Frames {
        head: frames[..first].to_vec(),
        deltas: frames[first..=last].to_vec(),
        tail: frames[last + 1..].to_vec(),
    }
}

/// A whole reply body and the answer text it holds.
struct Body {
    bytes: &'static [u8],
    /// Frames with non-empty answer text (one `TextDelta` each).
    text_frames: usize,
    /// Length of the whole answer text, in bytes.
    text_bytes: usize,
}

/// Builds `protocol`'s body of at least [`TARGET_BYTES`].
fn build(protocol: Protocol) -> Body {
    let Frames { head, deltas, tail } = protocol.frames();
    let mut body = String::with_capacity(TARGET_BYTES + 64 * 1024);
    let (mut text_frames, mut text_bytes) = (0, 0);
    let mut push = |frame: &str, body: &mut String| {
        let text = protocol.text_of(frame);
        if !text.is_empty() {
            text_frames += 1;
            text_bytes += text.len();
        }
        body.push_str(frame);
    };
    head.iter().for_each(|f| push(f, &mut body));
    while body.len() < TARGET_BYTES {
        deltas.iter().for_each(|f| push(f, &mut body));
    }
    tail.iter().for_each(|f| push(f, &mut body));
    Body {
        // Leaked once per protocol so the pieces can be `&'static [u8]`
        // borrowed without a copy in the timed loop.
        bytes: Box::leak(body.into_bytes().into_boxed_slice()),
        text_frames,
        text_bytes,
    }
}

/// What a drained stream yielded.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    events: usize,
    text_deltas: usize,
    text_bytes: usize,
    finished: usize,
    usage: usize,
}

/// Drains `events`, counting them; the first error ends the drain.
async fn drain(mut events: ChatStream) -> Result<Tally, ProviderError> {
    let mut tally = Tally::default();
    while let Some(event) = events.next().await {
        let event = event?;
        tally.events += 1;
        match event {
            ChatEvent::TextDelta(text) => {
                tally.text_deltas += 1;
                tally.text_bytes += text.len();
            }
            ChatEvent::Finished(_) => tally.finished += 1,
            ChatEvent::Usage(_) => tally.usage += 1,
            _ => {}
        }
    }
    Ok(tally)
}

/// Checks, once and untimed, that `body` parses to exactly the text it holds.
fn sanity_check(runtime: &Runtime, protocol: Protocol, body: &Body) {
    let name = protocol.name();
    let tally = match runtime.block_on(drain(protocol.parse(body.bytes))) {
        Ok(tally) => tally,
        Err(e) => panic!("{name}: the benchmark body does not parse: {e}"),
    };
    assert_eq!(tally.text_deltas, body.text_frames, "{name}: text deltas");
    assert_eq!(tally.text_bytes, body.text_bytes, "{name}: text bytes");
    assert_eq!(tally.finished, 1, "{name}: finish events");
    assert_eq!(tally.usage, 1, "{name}: usage events");
    println!(
        "{name}: {} bytes -> {} events, {} text deltas, {} text bytes",
        body.bytes.len(),
        tally.events,
        tally.text_deltas,
        tally.text_bytes
    );
}

fn parsers(c: &mut Criterion) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => panic!("cannot build a current-thread tokio runtime: {e}"),
    };
    let mut group = c.benchmark_group("parse");
    for protocol in Protocol::ALL {
        let body = build(protocol);
        sanity_check(&runtime, protocol, &body);
        group.throughput(Throughput::Bytes(body.bytes.len() as u64));
        group.bench_function(protocol.name(), |b| {
            b.iter(|| {
                let tally = runtime.block_on(drain(protocol.parse(black_box(body.bytes))));
                black_box(tally.map(|t| t.events).unwrap_or_default())
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = parsers
}
criterion_main!(benches);
