//! Errors of the ledger: invalid limits ([`LimitError`], a plain value
//! defined in [`crate::model::limit_error`]), calendar problems, and the
//! store underneath. A refused spend is not an error of this kind: see
//! [`ReserveError::Refused`](super::ReserveError::Refused).

use rust_decimal::Decimal;

pub use crate::model::LimitError;
use crate::model::{LimitScope, PeriodError};
use crate::store::StoreError;

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
