//! Repository of `spending_reservations`: the pre-flight hold on spending
//! limits ([`Store::reserve`]), its release, and the in-flight check. See
//! [`crate::ledger::reserve`] for the rules.

use chrono::TimeZone;
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::Store;
use super::error::StoreError;
use super::ledger_rows::uses_for;
use super::schema::spending_reservations;
use crate::ledger::reserve::decide;
use crate::ledger::{
    LedgerError, LimitBreach, Periods, Reservation, ReserveError, STALE_RESERVATION_MS,
    SpendRequest,
};

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
            .run(move |conn| {
                conn.immediate_transaction(|conn| {
                    diesel::delete(
                        spending_reservations::table.filter(
                            spending_reservations::created_at
                                .le(now_ms.saturating_sub(STALE_RESERVATION_MS)),
                        ),
                    )
                    .execute(conn)
                    .map_err(StoreError::during("purging stale reservations"))?;
                    let uses = uses_for(
                        conn,
                        &request.target(),
                        &periods,
                        now_ms,
                        Some(&request.request_id),
                    )?;
                    let decision = decide(&request, uses, allow_over_limit);
                    if let Ok(granted) = &decision {
                        insert_reservation(conn, &request, granted.amount_usd, now_ms)?;
                    }
                    Ok::<_, StoreError>(decision)
                })
            })
            .await?;
        decision.map_err(ReserveError::Refused)
    }

    /// Drops the reservation of `request_id` (the request failed before
    /// consuming anything). Returns whether one existed.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn release(&self, request_id: &str) -> Result<bool, StoreError> {
        let request_id = request_id.to_owned();
        self.run(move |conn| {
            diesel::delete(
                spending_reservations::table
                    .filter(spending_reservations::request_id.eq(&request_id)),
            )
            .execute(conn)
            .map(|n| n > 0)
            .map_err(StoreError::during("releasing a reservation"))
        })
        .await
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
        let (target, request_id) = (request.target(), request.request_id.clone());
        let uses = self
            .run(move |conn| uses_for(conn, &target, &periods, now_ms, Some(&request_id)))
            .await?;
        Ok(uses
            .into_iter()
            .filter(|u| u.limit.hard && u.crossed_by(running_cost))
            .min_by_key(crate::ledger::LimitUse::remaining)
            .map(|limit| LimitBreach {
                limit,
                running_cost,
            }))
    }
}

/// Inserts (or replaces) the reservation of `request`.
fn insert_reservation(
    conn: &mut SqliteConnection,
    request: &SpendRequest,
    amount: Decimal,
    now_ms: i64,
) -> Result<(), StoreError> {
    const WHAT: &str = "storing a reservation";
    diesel::delete(
        spending_reservations::table
            .filter(spending_reservations::request_id.eq(&request.request_id)),
    )
    .execute(conn)
    .map_err(StoreError::during(WHAT))?;
    diesel::insert_into(spending_reservations::table)
        .values((
            spending_reservations::request_id.eq(&request.request_id),
            spending_reservations::provider_id.eq(&request.provider_id),
            spending_reservations::model.eq(&request.model),
            spending_reservations::conversation_id.eq(request.conversation_id),
            spending_reservations::amount_usd.eq(amount.to_string()),
            spending_reservations::created_at.eq(now_ms),
        ))
        .execute(conn)
        .map_err(StoreError::during(WHAT))?;
    Ok(())
}
