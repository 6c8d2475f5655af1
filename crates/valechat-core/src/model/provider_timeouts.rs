//! [`ProviderTimeouts`]: the three waits a person can set per provider
//! (Preferences → Providers, `valechat providers edit --connect-timeout …`):
//! opening the connection, the first byte of a reply, and the silence
//! allowed between two pieces of a streamed reply.

use std::time::Duration;

/// Shortest accepted timeout: 1 s.
pub const MIN_TIMEOUT: Duration = Duration::from_secs(1);
/// Longest accepted timeout: 3600 s (one hour).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// Default connect timeout: 10 s.
pub const DEFAULT_CONNECT: Duration = Duration::from_secs(10);
/// Default first-byte timeout: 60 s (reasoning models think before they answer).
pub const DEFAULT_FIRST_BYTE: Duration = Duration::from_secs(60);
/// Default idle timeout between two pieces of a stream: 30 s.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(30);

/// A timeout outside [`MIN_TIMEOUT`]..=[`MAX_TIMEOUT`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {which} timeout must be between 1 and 3600 seconds, not {millis} ms")]
pub struct InvalidTimeout {
    /// `"connect"`, `"first-byte"` or `"idle"`.
    pub which: &'static str,
    /// The refused value, milliseconds.
    pub millis: u128,
}

/// How long ValeChat waits for one provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderTimeouts {
    /// Time allowed to open the TCP (and TLS) connection.
    pub connect: Duration,
    /// Time allowed from sending a request to the response head and to the
    /// first piece of its body (for a chat, to its first event).
    pub first_byte: Duration,
    /// Silence allowed between two pieces of a streamed body, and for
    /// reading a whole small body.
    pub idle: Duration,
}

impl Default for ProviderTimeouts {
    /// 10 s connect, 60 s first byte, 30 s idle.
    fn default() -> Self {
        Self {
            connect: DEFAULT_CONNECT,
            first_byte: DEFAULT_FIRST_BYTE,
            idle: DEFAULT_IDLE,
        }
    }
}

impl ProviderTimeouts {
    /// Checks that every timeout is within [`MIN_TIMEOUT`]..=[`MAX_TIMEOUT`].
    ///
    /// # Errors
    /// [`InvalidTimeout`] naming the first one that is not.
    pub fn validate(&self) -> Result<(), InvalidTimeout> {
        for (which, value) in [
            ("connect", self.connect),
            ("first-byte", self.first_byte),
            ("idle", self.idle),
        ] {
            if !(MIN_TIMEOUT..=MAX_TIMEOUT).contains(&value) {
                return Err(InvalidTimeout {
                    which,
                    millis: value.as_millis(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bounds_are_checked() {
        let defaults = ProviderTimeouts::default();
        assert_eq!(defaults.connect, Duration::from_secs(10));
        assert_eq!(defaults.first_byte, Duration::from_secs(60));
        assert_eq!(defaults.idle, Duration::from_secs(30));
        assert_eq!(defaults.validate(), Ok(()));
        let zero_idle = ProviderTimeouts {
            idle: Duration::ZERO,
            ..defaults
        };
        assert_eq!(
            zero_idle.validate(),
            Err(InvalidTimeout {
                which: "idle",
                millis: 0
            })
        );
        let long_first = ProviderTimeouts {
            first_byte: Duration::from_secs(3601),
            ..defaults
        };
        assert_eq!(
            long_first.validate().map_err(|e| e.which),
            Err("first-byte")
        );
    }
}
