//! The last events of one turn, kept for `resume`: at most
//! [`TURN_BUFFER_EVENTS`] events and [`TURN_BUFFER_BYTES`] bytes of JSON,
//! whichever bound is reached first; the oldest go first.

use std::collections::VecDeque;
use std::sync::Arc;

/// Most events kept per turn.
pub const TURN_BUFFER_EVENTS: usize = 1_000;

/// Most bytes (serialised JSON) kept per turn: 1 MiB.
pub const TURN_BUFFER_BYTES: usize = 1024 * 1024;

/// A turn's numbered events (`seq` 1, 2, 3…), serialised once.
#[derive(Debug)]
pub struct TurnBuffer {
    events: VecDeque<(u64, Arc<str>)>,
    bytes: usize,
    last_seq: u64,
    max_events: usize,
    max_bytes: usize,
}

/// The events a `resume` asked for are no longer kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped {
    /// The oldest sequence number still kept (`None`: nothing is kept).
    pub first_kept: Option<u64>,
}

impl TurnBuffer {
    /// An empty buffer with the default bounds.
    pub fn new() -> Self {
        Self::with_bounds(TURN_BUFFER_EVENTS, TURN_BUFFER_BYTES)
    }

    /// An empty buffer keeping at most `max_events` events and `max_bytes` bytes.
    pub fn with_bounds(max_events: usize, max_bytes: usize) -> Self {
        Self {
            events: VecDeque::new(),
            bytes: 0,
            last_seq: 0,
            max_events,
            max_bytes,
        }
    }

    /// The sequence number the next event gets.
    pub fn next_seq(&self) -> u64 {
        self.last_seq + 1
    }

    /// Keeps `json` as event [`Self::next_seq`], dropping the oldest events
    /// past the bounds; returns its number.
    pub fn push(&mut self, json: Arc<str>) -> u64 {
        self.last_seq += 1;
        self.bytes += json.len();
        self.events.push_back((self.last_seq, json));
        while self.events.len() > self.max_events
            || (self.bytes > self.max_bytes && self.events.len() > 1)
        {
            if let Some((_, old)) = self.events.pop_front() {
                self.bytes -= old.len();
            }
        }
        self.last_seq
    }

    /// The events after `last_seq`, oldest first.
    ///
    /// # Errors
    /// [`Dropped`] when some of them are no longer kept.
    pub fn after(&self, last_seq: u64) -> Result<Vec<Arc<str>>, Dropped> {
        if last_seq >= self.last_seq {
            return Ok(Vec::new());
        }
        let first_kept = self.events.front().map(|(seq, _)| *seq);
        match first_kept {
            Some(first) if first <= last_seq + 1 => Ok(self
                .events
                .iter()
                .filter(|(seq, _)| *seq > last_seq)
                .map(|(_, json)| json.clone())
                .collect()),
            _ => Err(Dropped { first_kept }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: usize) -> Arc<str> {
        Arc::from("x".repeat(n))
    }

    #[test]
    fn keeps_the_last_events_within_both_bounds() {
        let mut buffer = TurnBuffer::with_bounds(3, 100);
        for _ in 0..5 {
            buffer.push(event(10));
        }
        assert_eq!(buffer.after(2).unwrap().len(), 3);
        assert_eq!(
            buffer.after(1),
            Err(Dropped {
                first_kept: Some(3)
            })
        );
        assert!(buffer.after(5).unwrap().is_empty());

        let mut buffer = TurnBuffer::with_bounds(1000, 25);
        for _ in 0..4 {
            buffer.push(event(10));
        }
        assert_eq!(buffer.after(2).unwrap().len(), 2);
        assert!(buffer.after(1).is_err());
    }
}
