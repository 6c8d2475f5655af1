//! [`LimitError`]: why a spending limit cannot be saved as given (amount,
//! thresholds, scope or target). The ledger's own error, `LedgerError`,
//! wraps it together with the store's errors.

use rust_decimal::Decimal;

use super::spending_limit::LimitScope;

/// A spending limit that cannot be saved as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// The amount is zero or negative.
    #[error("a limit's amount must be more than 0 USD, not {0}")]
    NonPositiveAmount(Decimal),
    /// A threshold outside 1..=100 percent.
    #[error("alert threshold {0}% is outside 1–100%")]
    ThresholdOutOfRange(i64),
    /// The same threshold twice.
    #[error("alert threshold {0}% is given twice")]
    RepeatedThreshold(u8),
    /// Threshold text that is not a comma-separated list of integers.
    #[error("cannot read alert thresholds {0:?}: expected percentages like \"50,80,100\"")]
    BadThresholds(String),
    /// A scope name that does not exist.
    #[error("unknown limit scope {0:?}")]
    UnknownScope(String),
    /// A provider, model or conversation limit without a target.
    #[error("a {0} limit needs a target")]
    TargetRequired(LimitScope),
    /// A global limit with a target.
    #[error("a {0} limit applies to everything and takes no target")]
    TargetNotAllowed(LimitScope),
    /// A target of the wrong shape.
    #[error("invalid target {target:?} for a {scope} limit: {reason}")]
    InvalidTarget {
        /// The scope.
        scope: LimitScope,
        /// The target given.
        target: String,
        /// What shape was expected.
        reason: &'static str,
    },
}
