//! Property: however an NDJSON body is cut into pieces, the events are the same.

use std::time::Duration;

use futures::{StreamExt, stream};
use proptest::prelude::*;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::ollama::mapper::ChatMapper;
use valechat_core::provider::ollama::stream::ndjson_stream;
use valechat_core::provider::{ChatEvent, ProviderError};

use super::chat_midstream_error;
use crate::support::fixture;

type Items = Vec<Result<ChatEvent, ProviderError>>;

/// Parses `body` delivered as the pieces between the sorted `cuts`.
fn parse_in_pieces(body: &[u8], cuts: &[usize]) -> Items {
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
    bounds.push(0);
    bounds.push(body.len());
    bounds.sort_unstable();
    let pieces: Vec<Result<Vec<u8>, ProviderError>> = bounds
        .windows(2)
        .map(|w| Ok(body[w[0]..w[1]].to_vec()))
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(
        ndjson_stream(
            stream::iter(pieces),
            ChatMapper::new(),
            Duration::from_secs(30),
            CancellationToken::new(),
        )
        .collect(),
    )
}

/// A stream with reasoning, multi-byte UTF-8, CRLF line ends and a blank line.
fn thinking_utf8_crlf_body() -> Vec<u8> {
    concat!(
        "{\"model\":\"qwen3\",\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"Überlegung 🤔\"},\"done\":false}\r\n",
        "\r\n",
        "{\"model\":\"qwen3\",\"message\":{\"role\":\"assistant\",\"content\":\"Grüße, 世界 👋\"},\"done\":false}\r\n",
        "{\"model\":\"qwen3\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"length\",\"prompt_eval_count\":5,\"eval_count\":7}\r\n",
    )
    .as_bytes()
    .to_vec()
}

fn bodies() -> Vec<Vec<u8>> {
    vec![
        fixture("ollama/chat_stream_docs.ndjson"),
        fixture("ollama/chat_tool_stream_docs.ndjson"),
        chat_midstream_error(),
        thinking_utf8_crlf_body(),
    ]
}

#[test]
fn whole_bodies_parse_to_their_documented_end() {
    for (i, body) in bodies().iter().enumerate() {
        let items = parse_in_pieces(body, &[]);
        assert!(items.len() >= 3, "{items:?}");
        let errors = items.iter().filter(|i| i.is_err()).count();
        // Only the mid-stream error body ends with an error.
        assert_eq!(errors, usize::from(i == 2), "{items:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn any_split_gives_the_same_events(
        which in 0usize..4,
        cuts in prop::collection::vec(any::<usize>(), 1..40),
    ) {
        let body = &bodies()[which];
        prop_assert_eq!(parse_in_pieces(body, &cuts), parse_in_pieces(body, &[]));
    }
}
