//! One connection's outgoing queue, bounded in messages and bytes. Pushing
//! never waits: when the queue is full the connection is marked overflowed
//! (its writer then sends `dropped` and closes), so a slow client never
//! slows a turn.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The sending side, shared by the connection's reader and the turns it follows.
#[derive(Clone, Debug)]
pub struct Outbox {
    tx: mpsc::Sender<Arc<str>>,
    bytes: Arc<AtomicUsize>,
    max_bytes: usize,
    overflow: CancellationToken,
}

/// The writer's side.
pub struct OutboxReceiver {
    rx: mpsc::Receiver<Arc<str>>,
    bytes: Arc<AtomicUsize>,
    /// Fires when the queue overflowed.
    pub overflow: CancellationToken,
}

/// A queue of at most `max_messages` messages and `max_bytes` bytes.
pub fn outbox(max_messages: usize, max_bytes: usize) -> (Outbox, OutboxReceiver) {
    let (tx, rx) = mpsc::channel(max_messages.max(1));
    let bytes = Arc::new(AtomicUsize::new(0));
    let overflow = CancellationToken::new();
    (
        Outbox {
            tx,
            bytes: bytes.clone(),
            max_bytes,
            overflow: overflow.clone(),
        },
        OutboxReceiver {
            rx,
            bytes,
            overflow,
        },
    )
}

impl Outbox {
    /// Queues `json`; `false` when the connection is gone or has just
    /// overflowed (it will be closed: stop sending to it).
    pub fn push(&self, json: Arc<str>) -> bool {
        if self.overflow.is_cancelled() || self.tx.is_closed() {
            return false;
        }
        let len = json.len();
        if self.bytes.fetch_add(len, Ordering::AcqRel) + len > self.max_bytes {
            self.bytes.fetch_sub(len, Ordering::AcqRel);
            self.overflow.cancel();
            return false;
        }
        match self.tx.try_send(json) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.bytes.fetch_sub(len, Ordering::AcqRel);
                self.overflow.cancel();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Whether both sides are the same queue.
    pub fn same(&self, other: &Outbox) -> bool {
        self.tx.same_channel(&other.tx)
    }
}

impl OutboxReceiver {
    /// The next queued message; `None` once every sender is gone.
    pub async fn recv(&mut self) -> Option<Arc<str>> {
        let json = self.rx.recv().await?;
        self.bytes.fetch_sub(json.len(), Ordering::AcqRel);
        Some(json)
    }

    /// A queued message if one is ready now.
    pub fn try_recv(&mut self) -> Option<Arc<str>> {
        let json = self.rx.try_recv().ok()?;
        self.bytes.fetch_sub(json.len(), Ordering::AcqRel);
        Some(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_overflows_instead_of_waiting() {
        let (tx, rx) = outbox(2, 1000);
        assert!(tx.push(Arc::from("a")));
        assert!(tx.push(Arc::from("b")));
        assert!(!tx.push(Arc::from("c")));
        assert!(rx.overflow.is_cancelled());

        let (tx, rx) = outbox(100, 10);
        assert!(tx.push(Arc::from("12345678")));
        assert!(!tx.push(Arc::from("123")));
        assert!(rx.overflow.is_cancelled());
    }
}
