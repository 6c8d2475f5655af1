//! The spending ledger: what every provider request cost, the spending
//! limits that guard it, and the reports over both (issue 5).
//!
//! Amounts are `rust_decimal::Decimal` US dollars, stored as exact TEXT;
//! times are UTC unix milliseconds; limits' days and months follow the
//! user's local calendar ([`period`]). The database side is methods of
//! [`Store`](crate::store::Store): `reserve` / `settle` / `release` /
//! `running_check` for the engine, limit CRUD, and reports.
//!
//! Layering: the ledger's values (limits, periods, usage records,
//! reservations) are plain data in [`crate::model`], re-exported here under
//! their old paths, because the store reads and writes them. The rules are
//! here, above the store: the `Store` methods that check, decide or
//! aggregate (`reserve`, `running_check`, `settle`, `import_usage`,
//! `create_limit`, `set_limit`, `update_limit`, `usage_totals`,
//! `usage_report`, `daily_spend`, `limit_status`) are defined in this
//! module's files on top of the store's crate-private repository methods,
//! which only read and write rows.
//!
//! Life of a request: `reserve(worst case)` → stream → `running_check` as
//! output arrives (or compare with [`Reservation::headroom`]) → `settle(usage
//! record)` (or `release` if nothing was consumed) → notify the returned
//! [`LimitAlert`]s once each.
//!
//! Files: `limits` (checked limit CRUD), `usage` (settling and importing
//! records), `reserve` (reservation decisions), `report` (aggregation,
//! projections), `export` (CSV), `error`; [`period`] (local calendar) is
//! [`crate::model::period`].

pub mod error;
pub mod export;
pub mod limits;
pub mod report;
pub mod reserve;
pub mod usage;

pub use crate::model::period;
pub use error::{LedgerError, LimitError};
pub use export::{CSV_HEADER, CsvError, read_csv, write_csv};
pub use limits::{
    DEFAULT_THRESHOLDS, LimitScope, NewLimit, SpendTarget, SpendingLimit, format_thresholds,
    parse_thresholds,
};
pub use period::{Period, PeriodError, Periods, TOTAL_KEY};
pub use report::{CHART_DAYS, DailySeries, GroupBy, LimitStatus, UsageGroup, UsageTotals};
pub use reserve::{
    InterruptedRequest, LimitAlert, LimitBreach, LimitRefusal, LimitUse, Reservation, ReserveError,
    STALE_RESERVATION_MS, Settlement, SpendRequest,
};
pub use usage::{CostSource, NewUsageRecord, Outcome, TokenUsage, UsageRecord, Verification};
