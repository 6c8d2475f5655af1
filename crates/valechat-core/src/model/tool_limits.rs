//! How far tools may go in one turn: the number of model requests that may
//! end in tool calls and the size of one tool result sent to the model.
//! Stored in the database (`tool_limits`) so the app and the CLI agree;
//! without a stored row the defaults apply.

use thiserror::Error;

/// The engine's tool bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolLimits {
    /// Most model requests in one turn that may end in tool calls (rounds);
    /// the calls of a reply past it are refused and the model is told why.
    pub max_rounds: u32,
    /// Most characters (Unicode scalar values) of one tool result sent to
    /// the model; the person sees the whole result.
    pub max_result_chars: usize,
}

/// A value outside [`ToolLimits::ROUNDS`] or [`ToolLimits::RESULT_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ToolLimitsError {
    /// Rounds out of range.
    #[error("tool rounds must be between {min} and {max}, not {value}")]
    Rounds {
        /// The value given.
        value: u32,
        /// Smallest accepted.
        min: u32,
        /// Largest accepted.
        max: u32,
    },
    /// Result size out of range.
    #[error("the tool result size must be between {min} and {max} characters, not {value}")]
    ResultChars {
        /// The value given.
        value: usize,
        /// Smallest accepted.
        min: usize,
        /// Largest accepted.
        max: usize,
    },
}

impl ToolLimits {
    /// Default rounds per turn.
    pub const DEFAULT_MAX_ROUNDS: u32 = 10;
    /// Default characters of one result (about 8,000 tokens).
    pub const DEFAULT_MAX_RESULT_CHARS: usize = 32_000;
    /// Accepted rounds per turn.
    pub const ROUNDS: std::ops::RangeInclusive<u32> = 1..=100;
    /// Accepted characters per result (1,000 to 1,000,000).
    pub const RESULT_CHARS: std::ops::RangeInclusive<usize> = 1_000..=1_000_000;

    /// Checks both values against their ranges.
    ///
    /// # Errors
    /// [`ToolLimitsError`] naming the value out of range.
    pub fn validate(&self) -> Result<(), ToolLimitsError> {
        if !Self::ROUNDS.contains(&self.max_rounds) {
            return Err(ToolLimitsError::Rounds {
                value: self.max_rounds,
                min: *Self::ROUNDS.start(),
                max: *Self::ROUNDS.end(),
            });
        }
        if !Self::RESULT_CHARS.contains(&self.max_result_chars) {
            return Err(ToolLimitsError::ResultChars {
                value: self.max_result_chars,
                min: *Self::RESULT_CHARS.start(),
                max: *Self::RESULT_CHARS.end(),
            });
        }
        Ok(())
    }
}

impl Default for ToolLimits {
    fn default() -> Self {
        Self {
            max_rounds: Self::DEFAULT_MAX_ROUNDS,
            max_result_chars: Self::DEFAULT_MAX_RESULT_CHARS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_out_of_range_values_are_named() {
        assert_eq!(ToolLimits::default().validate(), Ok(()));
        let zero_rounds = ToolLimits {
            max_rounds: 0,
            ..ToolLimits::default()
        };
        assert!(matches!(
            zero_rounds.validate(),
            Err(ToolLimitsError::Rounds { value: 0, .. })
        ));
        let tiny = ToolLimits {
            max_result_chars: 999,
            ..ToolLimits::default()
        };
        assert_eq!(
            tiny.validate().map_err(|e| e.to_string()),
            Err("the tool result size must be between 1000 and 1000000 characters, not 999".into())
        );
    }
}
