//! What the targets share: a tokio runtime, and a body cut into pieces.

use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use futures::{Stream, StreamExt};
use tokio::runtime::Runtime;
use valechat_core::provider::ProviderError;

/// Idle timeout handed to the stream parsers; never reached (the body is in
/// memory, each piece is ready at once).
pub const IDLE: Duration = Duration::from_secs(600);

thread_local! {
    /// One current-thread runtime per thread (AFL runs one input after the
    /// other on it; the tests' threads have one each).
    static RUNTIME: Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread tokio runtime");
}

/// Runs `future` to its end on this thread's runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    RUNTIME.with(|runtime| runtime.block_on(future))
}

/// A piece size taken from the body itself, 1 to 16 bytes, so that an
/// input always cuts the same way and AFL sees the same path twice.
pub fn piece_size(body: &[u8]) -> usize {
    let sum = body
        .iter()
        .fold(0usize, |a, b| a.wrapping_add(usize::from(*b)));
    1 + sum % 16
}

/// Every item of a parser's stream, checking that nothing follows an error
/// (a stream ends with its first error).
pub fn drain<T: Debug>(
    items: impl Stream<Item = Result<T, ProviderError>>,
) -> Vec<Result<T, ProviderError>> {
    let all: Vec<_> = block_on(items.collect());
    if let Some(first_error) = all.iter().position(Result::is_err) {
        assert_eq!(
            first_error,
            all.len() - 1,
            "items after the stream's error: {all:?}"
        );
    }
    all
}

/// Runs `parse` on `body` whole, then in pieces, and asserts that both give
/// the same items: the parsers promise that any split of a body gives the
/// same events (even inside a UTF-8 character or a CRLF).
pub fn same_in_pieces<T, S>(body: &[u8], parse: impl Fn(Vec<Vec<u8>>) -> S)
where
    T: Debug + PartialEq,
    S: Stream<Item = Result<T, ProviderError>>,
{
    let whole = drain(parse(vec![body.to_vec()]));
    let size = piece_size(body);
    let cut: Vec<Vec<u8>> = body.chunks(size).map(<[u8]>::to_vec).collect();
    let split = drain(parse(cut));
    assert_eq!(
        whole, split,
        "the body in pieces of {size} bytes parses differently"
    );
}
