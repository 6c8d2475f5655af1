//! Errors of the ledger: invalid limits, calendar problems, and the store
//! underneath. A refused spend is not an error of this kind: see
//! [`ReserveError::Refused`](super::ReserveError::Refused).

use rust_decimal::Decimal;

use super::limits::LimitScope;
use super::period::PeriodError;
use crate::store::StoreError;

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

/// An error of a ledger operation.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The limit as given is invalid.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// A limit for this scope and target already exists.
    #[error("a {scope} limit{} already exists", target.as_ref().map(|t| format!(" for {t}")).unwrap_or_default())]
    DuplicateLimit {
        /// The scope.
        scope: LimitScope,
        /// The target.
        target: Option<String>,
    },
    /// A time that cannot be placed on the calendar.
    #[error(transparent)]
    Period(#[from] PeriodError),
    /// A negative amount was given where USD must be ≥ 0.
    #[error("{what} must not be negative, got {amount} USD")]
    NegativeAmount {
        /// What the amount is, e.g. `"a worst-case cost"`.
        what: &'static str,
        /// The amount given.
        amount: Decimal,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
