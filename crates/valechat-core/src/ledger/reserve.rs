//! Pre-flight reservations against spending limits, and what settling a
//! request returns.
//!
//! Before a request is sent, the engine calls
//! [`Store::reserve`](crate::store::Store::reserve) with the request's
//! worst-case cost. In one `BEGIN IMMEDIATE` transaction the store computes,
//! for every enabled limit that applies, what is spent in the limit's current
//! period (usage records plus the other active reservations in its scope)
//! and refuses if a hard limit would be crossed; otherwise it stores the
//! reservation. Because the check and the insert share the write lock,
//! concurrent requests cannot overshoot together: every granted total stays
//! within each hard limit. When the request ends,
//! [`Store::settle`](crate::store::Store::settle) replaces the
//! reservation with the usage record.
//!
//! Crash safety: reservations older than [`STALE_RESERVATION_MS`] (one hour)
//! are ignored and purged, so a crash between reserve and settle frees its
//! hold within an hour.
//!
//! The values (requests, limit uses, reservations, refusals, alerts) are in
//! [`crate::model::reservation`], re-exported here. The rule is [`decide`];
//! `Store::reserve` and `Store::running_check` are defined here, on top of
//! the store's transaction that computes the spends and keeps the hold
//! (`store/reservations.rs`), so that the store knows nothing of the rule.

use chrono::TimeZone;
use rust_decimal::Decimal;

use super::error::LedgerError;
use crate::model::Periods;
pub use crate::model::reservation::{
    InterruptedRequest, LimitAlert, LimitBreach, LimitRefusal, LimitUse, Reservation,
    STALE_RESERVATION_MS, Settlement, SpendRequest,
};
use crate::store::{Store, StoreError};

/// Why [`Store::reserve`](crate::store::Store::reserve) did not grant.
#[derive(Debug, thiserror::Error)]
pub enum ReserveError {
    /// A hard limit would be crossed.
    #[error(transparent)]
    Refused(Box<LimitRefusal>),
    /// The input or the database failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl From<StoreError> for ReserveError {
    fn from(error: StoreError) -> Self {
        Self::Ledger(error.into())
    }
}

/// Decides a reservation from the state of every enabled limit that
/// applies (`uses`, spends excluding this request).
///
/// # Errors
/// [`LimitRefusal`] when a hard limit would be crossed and
/// `allow_over_limit` is false.
pub fn decide(
    request: &SpendRequest,
    uses: Vec<LimitUse>,
    allow_over_limit: bool,
) -> Result<Reservation, Box<LimitRefusal>> {
    let worst = request.worst_case;
    let free = worst <= Decimal::ZERO;
    let (mut crossed_hard, mut warnings, mut headroom) = (Vec::new(), Vec::new(), None);
    for usage in uses {
        let crossed = !free && usage.crossed_by(worst);
        match (usage.limit.hard, crossed) {
            (true, true) => crossed_hard.push(usage),
            (true, false) => {
                // Clamped: a free request under a limit already spent has
                // room 0, which its zero running cost never passes.
                let room = (usage.limit.amount_usd - usage.spent).max(Decimal::ZERO);
                headroom = Some(headroom.map_or(room, |h: Decimal| h.min(room)));
            }
            (false, true) => warnings.push(usage),
            (false, false) => {}
        }
    }
    crossed_hard.sort_by_key(LimitUse::remaining);
    if !crossed_hard.is_empty() && !allow_over_limit {
        return Err(Box::new(LimitRefusal {
            request_id: request.request_id.clone(),
            worst_case: worst,
            limit: crossed_hard[0].clone(),
            crossed: crossed_hard,
        }));
    }
    Ok(Reservation {
        request_id: request.request_id.clone(),
        amount_usd: worst.max(Decimal::ZERO),
        warnings,
        overridden: crossed_hard,
        headroom,
    })
}

impl Store {
    /// Reserves `request.worst_case` USD against every enabled limit that
    /// applies to the request (global day and month, its provider's month,
    /// its model's month, its conversation), in one `BEGIN IMMEDIATE`
    /// transaction so that concurrent callers are serialised.
    ///
    /// For each limit, spent = usage records in the limit's current local
    /// period (day or month of `now_ms` in `tz`; all time for a
    /// conversation) + active reservations in its scope other than this
    /// request's. A hard limit with `spent + worst_case > amount` refuses the
    /// request unless `allow_over_limit` (the person's "send once anyway"),
    /// in which case it is listed in [`Reservation::overridden`]. Soft
    /// limits never refuse; crossed ones are in [`Reservation::warnings`].
    /// A zero worst case (free local models) is never refused.
    ///
    /// Reserving again under the same `request_id` replaces the earlier
    /// hold. Reservations older than [`STALE_RESERVATION_MS`] are ignored
    /// and deleted here.
    ///
    /// # Errors
    /// [`ReserveError::Refused`] naming the tightest hard limit, what is
    /// spent and what remains; [`ReserveError::Ledger`] for a negative
    /// worst case ([`LedgerError::NegativeAmount`]), a time outside the
    /// calendar, or a database error.
    pub async fn reserve<Tz: TimeZone>(
        &self,
        request: SpendRequest,
        now_ms: i64,
        tz: &Tz,
        allow_over_limit: bool,
    ) -> Result<Reservation, ReserveError> {
        if request.worst_case < Decimal::ZERO {
            return Err(LedgerError::NegativeAmount {
                what: "a worst-case cost",
                amount: request.worst_case,
            }
            .into());
        }
        let periods = Periods::at(now_ms, tz).map_err(LedgerError::from)?;
        let decision = self
            .hold(request, periods, now_ms, move |request, uses| {
                decide(request, uses, allow_over_limit)
            })
            .await?;
        decision.map_err(ReserveError::Refused)
    }

    /// The in-flight check: would `running_cost` USD for `request` (its
    /// own reservation left out) take the spend above an enabled hard limit
    /// that applies? Returns the tightest such limit, or `None`.
    /// `request.worst_case` is ignored. Call it as output tokens arrive
    /// (throttled); a request sent with `allow_over_limit` should skip it.
    ///
    /// # Errors
    /// [`LedgerError::Period`] for a time outside the calendar,
    /// [`LedgerError::Store`] for database errors.
    pub async fn running_check<Tz: TimeZone>(
        &self,
        request: &SpendRequest,
        running_cost: Decimal,
        now_ms: i64,
        tz: &Tz,
    ) -> Result<Option<LimitBreach>, LedgerError> {
        if running_cost <= Decimal::ZERO {
            return Ok(None);
        }
        let periods = Periods::at(now_ms, tz)?;
        let uses = self
            .limit_uses(
                request.target(),
                periods,
                now_ms,
                Some(request.request_id.clone()),
            )
            .await?;
        Ok(uses
            .into_iter()
            .filter(|u| u.limit.hard && u.crossed_by(running_cost))
            .min_by_key(LimitUse::remaining)
            .map(|limit| LimitBreach {
                limit,
                running_cost,
            }))
    }
}
