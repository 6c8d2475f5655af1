//! The spending ledger: what every provider request cost, the spending
//! limits that guard it, and the reports over both (issue 5).
//!
//! Amounts are `rust_decimal::Decimal` US dollars, stored as exact TEXT;
//! times are UTC unix milliseconds; limits' days and months follow the
//! user's local calendar ([`period`]). The database side lives on
//! [`Store`](crate::store::Store): `reserve` / `settle` / `release` /
//! `running_check` for the engine, limit CRUD, and reports.
//!
//! Life of a request: `reserve(worst case)` → stream → `running_check` as
//! output arrives (or compare with [`Reservation::headroom`]) → `settle(usage
//! record)` (or `release` if nothing was consumed) → notify the returned
//! [`LimitAlert`]s once each.
//!
//! Files: `period` (local calendar), `limits` (scopes, validation), `usage`
//! (records), `reserve` (reservation decisions and results), `report`
//! (aggregation, projections), `export` (CSV), `error`.

pub mod error;
pub mod export;
pub mod limits;
pub mod period;
pub mod report;
pub mod reserve;
pub mod usage;

pub use error::{LedgerError, LimitError};
pub use export::{CSV_HEADER, CsvError, read_csv, write_csv};
pub use limits::{
    DEFAULT_THRESHOLDS, LimitScope, NewLimit, SpendTarget, SpendingLimit, format_thresholds,
    parse_thresholds,
};
pub use period::{Period, PeriodError, Periods, TOTAL_KEY};
pub use report::{DailySeries, GroupBy, LimitStatus, UsageGroup, UsageTotals};
pub use reserve::{
    LimitAlert, LimitBreach, LimitRefusal, LimitUse, Reservation, ReserveError,
    STALE_RESERVATION_MS, Settlement, SpendRequest,
};
pub use usage::{CostSource, NewUsageRecord, Outcome, TokenUsage, UsageRecord, Verification};
