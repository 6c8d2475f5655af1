//! Local-calendar periods: the day and the month a moment falls in, in the
//! user's time zone, as half-open ranges of UTC unix milliseconds.
//!
//! Generic over [`chrono::TimeZone`]: production passes [`chrono::Local`],
//! tests pass a `chrono_tz::Tz`. A day is whatever lies between two local
//! midnights, so it lasts 23 or 25 hours on a daylight-saving change; where a
//! zone skips midnight itself (a change at 00:00), the day starts at the
//! first local time that exists.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, TimeZone};

/// Period key of limits that never reset (per-conversation totals).
pub const TOTAL_KEY: &str = "total";

/// A half-open range of time `[start_ms, end_ms)` with a stable key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Period {
    /// First millisecond in the period, UTC unix ms.
    pub start_ms: i64,
    /// First millisecond after the period, UTC unix ms.
    pub end_ms: i64,
    /// `"2026-11-22"` for a day, `"2026-11"` for a month, `"total"` for all time.
    pub key: String,
}

impl Period {
    /// All time, key [`TOTAL_KEY`].
    #[must_use]
    pub fn total() -> Self {
        Self {
            start_ms: i64::MIN,
            end_ms: i64::MAX,
            key: TOTAL_KEY.to_owned(),
        }
    }

    /// Whether `at_ms` (UTC unix ms) lies in the period.
    #[must_use]
    pub fn contains(&self, at_ms: i64) -> bool {
        self.start_ms <= at_ms && at_ms < self.end_ms
    }

    /// Length in milliseconds (saturating for [`Period::total`]).
    #[must_use]
    pub fn len_ms(&self) -> i64 {
        self.end_ms.saturating_sub(self.start_ms)
    }
}

/// A moment or a date that cannot be placed on the calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The timestamp is outside chrono's range.
    #[error("timestamp {ms} ms is outside the supported calendar range")]
    OutOfRange {
        /// The UTC unix milliseconds given.
        ms: i64,
    },
    /// No local time of that date exists in the zone (not expected for
    /// real zones; dates beyond chrono's range).
    #[error("the date {date} has no representable start in this time zone")]
    NoStart {
        /// The local date.
        date: NaiveDate,
    },
}

/// The local date of `at_ms` (UTC unix ms) in `tz`.
///
/// # Errors
/// [`PeriodError::OutOfRange`] for a timestamp chrono cannot represent.
pub fn local_date<Tz: TimeZone>(at_ms: i64, tz: &Tz) -> Result<NaiveDate, PeriodError> {
    DateTime::from_timestamp_millis(at_ms)
        .map(|utc| utc.with_timezone(tz).date_naive())
        .ok_or(PeriodError::OutOfRange { ms: at_ms })
}

/// UTC unix ms of the first local instant of `date` in `tz`: local midnight,
/// the earlier one when midnight repeats, the first existing minute after it
/// when midnight is skipped.
///
/// # Errors
/// [`PeriodError::NoStart`] if no instant of the date's first day exists.
pub fn start_of_date<Tz: TimeZone>(date: NaiveDate, tz: &Tz) -> Result<i64, PeriodError> {
    let midnight: NaiveDateTime = date.and_time(chrono::NaiveTime::MIN);
    // Gaps last at most a few hours; step a minute at a time through one day.
    for minutes in 0..24 * 60 {
        let local = midnight + TimeDelta::minutes(minutes);
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return Ok(t.timestamp_millis());
        }
    }
    Err(PeriodError::NoStart { date })
}

/// The local day containing `at_ms`, key `YYYY-MM-DD`.
///
/// # Errors
/// [`PeriodError`] for timestamps outside the calendar range.
pub fn day_of<Tz: TimeZone>(at_ms: i64, tz: &Tz) -> Result<Period, PeriodError> {
    let date = local_date(at_ms, tz)?;
    day_period(date, tz)
}

/// The local day `date`, key `YYYY-MM-DD`.
///
/// # Errors
/// [`PeriodError`] for dates outside the calendar range.
pub fn day_period<Tz: TimeZone>(date: NaiveDate, tz: &Tz) -> Result<Period, PeriodError> {
    let next = date.succ_opt().ok_or(PeriodError::NoStart { date })?;
    Ok(Period {
        start_ms: start_of_date(date, tz)?,
        end_ms: start_of_date(next, tz)?,
        key: date.format("%Y-%m-%d").to_string(),
    })
}

/// The local calendar month containing `at_ms`, key `YYYY-MM`.
///
/// # Errors
/// [`PeriodError`] for timestamps outside the calendar range.
pub fn month_of<Tz: TimeZone>(at_ms: i64, tz: &Tz) -> Result<Period, PeriodError> {
    let date = local_date(at_ms, tz)?;
    let first = date.with_day(1).ok_or(PeriodError::NoStart { date })?;
    let next_first = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .ok_or(PeriodError::NoStart { date })?;
    Ok(Period {
        start_ms: start_of_date(first, tz)?,
        end_ms: start_of_date(next_first, tz)?,
        key: first.format("%Y-%m").to_string(),
    })
}

/// The day and the month containing one moment, computed together so that
/// every limit checked in one transaction uses the same calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Periods {
    /// The local day.
    pub day: Period,
    /// The local month.
    pub month: Period,
}

impl Periods {
    /// The periods containing `at_ms` in `tz`.
    ///
    /// # Errors
    /// [`PeriodError`] for timestamps outside the calendar range.
    pub fn at<Tz: TimeZone>(at_ms: i64, tz: &Tz) -> Result<Self, PeriodError> {
        Ok(Self {
            day: day_of(at_ms, tz)?,
            month: month_of(at_ms, tz)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_day_and_month() {
        // 2026-02-14T12:00:00Z
        let at = 1_771_070_400_000;
        let day = day_of(at, &chrono::Utc).unwrap();
        assert_eq!(day.key, "2026-02-14");
        assert_eq!(day.len_ms(), 86_400_000);
        let month = month_of(at, &chrono::Utc).unwrap();
        assert_eq!(month.key, "2026-02");
        assert_eq!(month.len_ms(), 28 * 86_400_000);
        assert!(month.contains(day.start_ms) && month.contains(day.end_ms - 1));
    }

    #[test]
    fn december_rolls_into_next_year() {
        // 2026-12-31T23:59:59.999Z
        let month = month_of(1_798_761_599_999, &chrono::Utc).unwrap();
        assert_eq!(month.key, "2026-12");
        assert_eq!(month.end_ms, 1_798_761_600_000);
    }
}
