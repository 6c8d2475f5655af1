//! The idle limit of a request in flight, kept by ValeChat rather than rmcp
//! so that it can stand still while the user is the one being waited for.
//!
//! A 2025-11-25 server may send `elicitation/create` or
//! `sampling/createMessage` in the middle of a `tools/call` (spec
//! 2025-11-25, client/elicitation and client/sampling). The call's idle
//! limit (60 s by default) would otherwise fire while the user reads the
//! form or approves the sampling request, and the tool call would fail for
//! no fault of the server. So: the idle clock restarts on every progress
//! notification (when the caller asks for that) and is held while any of
//! the connection's server→client requests waits on ValeChat
//! ([`UserWaits`]); when the hold ends the server gets a whole idle period
//! again. The total cap (rmcp's `max_total_timeout`) never stops.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How many server→client requests of one connection ValeChat is answering
/// right now (an elicitation form on screen, a sampling request being
/// approved or generated). Cloned into the rmcp handler and the
/// connection; cheap to clone.
#[derive(Clone, Debug)]
pub struct UserWaits {
    count: Arc<watch::Sender<usize>>,
}

impl Default for UserWaits {
    fn default() -> Self {
        Self {
            count: Arc::new(watch::Sender::new(0)),
        }
    }
}

impl UserWaits {
    /// Marks one server→client request as being answered until the guard
    /// is dropped.
    #[must_use = "the hold ends when the guard is dropped"]
    pub fn begin(&self) -> UserWaitGuard {
        self.count.send_modify(|n| *n += 1);
        UserWaitGuard {
            count: Arc::clone(&self.count),
        }
    }

    /// Whether any request is being answered.
    #[must_use]
    pub fn active(&self) -> bool {
        *self.count.borrow() > 0
    }

    /// Resolves once no request is being answered.
    async fn cleared(&self) {
        let mut rx = self.count.subscribe();
        // The sender lives in `self`, so the channel cannot close here.
        let _ = rx.wait_for(|n| *n == 0).await;
    }
}

/// Ends one hold of [`UserWaits`] when dropped.
#[derive(Debug)]
pub struct UserWaitGuard {
    count: Arc<watch::Sender<usize>>,
}

impl Drop for UserWaitGuard {
    fn drop(&mut self) {
        self.count.send_modify(|n| *n = n.saturating_sub(1));
    }
}

/// How waiting for a response ended.
#[derive(Debug)]
pub(super) enum Waited<T> {
    /// The response future finished (it may carry rmcp's total-cap error).
    Done(T),
    /// The caller's token fired.
    Cancelled,
    /// `idle` passed with no response, no progress and no user hold.
    Idle,
}

/// Awaits `response` under an idle limit that restarts when `activity` is
/// notified (a progress notification) and holds while `waits` is active.
pub(super) async fn await_with_idle<F: Future>(
    response: F,
    idle: Duration,
    activity: &Notify,
    waits: &UserWaits,
    cancel: &CancellationToken,
) -> Waited<F::Output> {
    tokio::pin!(response);
    let mut deadline = Instant::now() + idle;
    loop {
        tokio::select! {
            biased;
            output = &mut response => return Waited::Done(output),
            () = cancel.cancelled() => return Waited::Cancelled,
            () = activity.notified() => deadline = Instant::now() + idle,
            () = tokio::time::sleep_until(deadline) => {
                if !waits.active() {
                    return Waited::Idle;
                }
                tokio::select! {
                    biased;
                    output = &mut response => return Waited::Done(output),
                    () = cancel.cancelled() => return Waited::Cancelled,
                    () = waits.cleared() => deadline = Instant::now() + idle,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDLE: Duration = Duration::from_millis(100);

    #[tokio::test(start_paused = true)]
    async fn a_silent_request_hits_the_idle_limit() {
        let waited = await_with_idle(
            std::future::pending::<()>(),
            IDLE,
            &Notify::new(),
            &UserWaits::default(),
            &CancellationToken::new(),
        )
        .await;
        assert!(matches!(waited, Waited::Idle));
    }

    #[tokio::test(start_paused = true)]
    async fn progress_restarts_the_clock() {
        let activity = Arc::new(Notify::new());
        let pinger = Arc::clone(&activity);
        tokio::spawn(async move {
            for _ in 0..5 {
                tokio::time::sleep(IDLE / 2).await;
                pinger.notify_one();
            }
        });
        let started = Instant::now();
        let waited = await_with_idle(
            tokio::time::sleep(IDLE * 3),
            IDLE,
            &activity,
            &UserWaits::default(),
            &CancellationToken::new(),
        )
        .await;
        assert!(matches!(waited, Waited::Done(())));
        assert_eq!(started.elapsed(), IDLE * 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_user_hold_stops_the_clock_and_gives_a_whole_period_after() {
        let waits = UserWaits::default();
        let guard = waits.begin();
        assert!(waits.active());
        tokio::spawn(async move {
            tokio::time::sleep(IDLE * 10).await;
            drop(guard);
        });
        // The response comes 10 idle periods in: held, so not idle.
        let waited = await_with_idle(
            tokio::time::sleep(IDLE * 10 + IDLE / 2),
            IDLE,
            &Notify::new(),
            &waits,
            &CancellationToken::new(),
        )
        .await;
        assert!(matches!(waited, Waited::Done(())));
        assert!(!waits.active());

        // After the hold, silence hits the limit again.
        let waited = await_with_idle(
            std::future::pending::<()>(),
            IDLE,
            &Notify::new(),
            &waits,
            &CancellationToken::new(),
        )
        .await;
        assert!(matches!(waited, Waited::Idle));
    }

    #[tokio::test(start_paused = true)]
    async fn cancel_ends_a_held_wait() {
        let waits = UserWaits::default();
        let _guard = waits.begin();
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(IDLE * 3).await;
            trigger.cancel();
        });
        let waited = await_with_idle(
            std::future::pending::<()>(),
            IDLE,
            &Notify::new(),
            &waits,
            &cancel,
        )
        .await;
        assert!(matches!(waited, Waited::Cancelled));
    }
}
