//! [`idle_bounded`]: a body stream whose first piece must come within the
//! first-byte timeout and every later one within the idle timeout.

use futures::{Stream, StreamExt, stream};

use super::BodyTimeouts;
use crate::provider::ProviderError;

/// Bounds the wait for the first piece of `bytes` by `timeouts.first_piece`
/// and for each later one by `timeouts.idle`; a silence that long ends the
/// stream with [`ProviderError::Timeout`] saying which wait ran out.
pub fn idle_bounded<S, B>(
    bytes: S,
    timeouts: impl Into<BodyTimeouts>,
) -> impl Stream<Item = Result<B, ProviderError>> + Send + 'static
where
    S: Stream<Item = Result<B, ProviderError>> + Send + 'static,
    B: Send + 'static,
{
    let timeouts = timeouts.into();
    stream::unfold(Some((Box::pin(bytes), true)), move |state| async move {
        let (mut body, first) = state?;
        let wait = if first {
            timeouts.first_piece
        } else {
            timeouts.idle
        };
        match tokio::time::timeout(wait, body.next()).await {
            Err(_) => {
                let e = ProviderError::Timeout(if first {
                    format!(
                        "no data from the server within the first-byte timeout of {} ms",
                        wait.as_millis()
                    )
                } else {
                    format!(
                        "no data from the server for {} ms (idle timeout)",
                        wait.as_millis()
                    )
                });
                Some((Err(e), None))
            }
            Ok(None) => None,
            Ok(Some(Err(e))) => Some((Err(e), None)),
            Ok(Some(Ok(piece))) => Some((Ok(piece), Some((body, false)))),
        }
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_first_piece_gets_the_first_byte_wait_and_later_ones_the_idle_wait() {
        let timeouts = BodyTimeouts {
            first_piece: Duration::from_secs(60),
            idle: Duration::from_secs(5),
        };
        // First piece after 30 s (within 60 s), second after 10 s (over 5 s).
        let body = stream::iter([30u64, 10]).then(|secs| async move {
            tokio::time::sleep(Duration::from_secs(secs)).await;
            Ok::<_, ProviderError>(vec![1u8])
        });
        let items: Vec<_> = idle_bounded(body, timeouts).collect().await;
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0], Ok(vec![1]));
        assert!(
            matches!(&items[1], Err(ProviderError::Timeout(m)) if m.contains("idle timeout")),
            "{items:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_start_is_a_first_byte_timeout() {
        let body = stream::pending::<Result<Vec<u8>, ProviderError>>();
        let items: Vec<_> = idle_bounded(body, Duration::from_secs(2)).collect().await;
        assert!(
            matches!(&items[..], [Err(ProviderError::Timeout(m))] if m.contains("first-byte")),
            "{items:?}"
        );
    }
}
