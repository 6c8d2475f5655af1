//! The "any split of a body gives the same events" property, shared by the
//! providers' `split.rs` tests: each gives its protocol's `chat_event_stream`
//! and its bodies (fixtures and framing), this module cuts and compares.

use std::time::Duration;

use futures::{StreamExt, stream};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tokio_util::sync::CancellationToken;
use valechat_core::provider::{ChatEvent, ChatStream, ProviderError};

/// What a parse produced, errors included.
pub type Items = Vec<Result<ChatEvent, ProviderError>>;

/// A body delivered as byte pieces.
pub type Pieces = stream::Iter<std::vec::IntoIter<Result<Vec<u8>, ProviderError>>>;

/// A protocol's `chat_event_stream(bytes, idle_timeout, cancel)`.
pub type Parser = fn(Pieces, Duration, CancellationToken) -> ChatStream;

/// Parses `body` with `parse`, delivered as the pieces between the `cuts`
/// (each taken modulo `body.len() + 1`, in any order).
pub fn parse_in_pieces(parse: Parser, body: &[u8], cuts: &[usize]) -> Items {
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
        parse(
            stream::iter(pieces),
            Duration::from_secs(30),
            CancellationToken::new(),
        )
        .collect(),
    )
}

/// Parses each whole body, asserting it gives more than 3 items and no
/// error; returns the items, body by body, for protocol-specific checks.
pub fn parse_whole(parse: Parser, bodies: &[Vec<u8>]) -> Vec<Items> {
    bodies
        .iter()
        .map(|body| {
            let items = parse_in_pieces(parse, body, &[]);
            assert!(items.len() > 3, "{items:?}");
            assert!(items.iter().all(Result::is_ok), "{items:?}");
            items
        })
        .collect()
}

/// Property (32 cases, shrunk on failure): for any of `bodies` and 1 to 39
/// cuts, the pieces parse to the same items as the whole body.
pub fn assert_any_split_gives_the_same_events(parse: Parser, bodies: &[Vec<u8>]) {
    let cases = (
        0..bodies.len(),
        prop::collection::vec(any::<usize>(), 1..40),
    );
    let mut runner = TestRunner::new(Config::with_cases(32));
    let result = runner.run(&cases, |(which, cuts)| {
        let body = &bodies[which];
        prop_assert_eq!(
            parse_in_pieces(parse, body, &cuts),
            parse_in_pieces(parse, body, &[])
        );
        Ok(())
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
