//! Repository of `spending_reservations`: the pre-flight hold on spending
//! limits, its release, and the spends the in-flight check compares with.
//! The rules (when to refuse, what to warn about) are the ledger's:
//! `Store::reserve` and `Store::running_check` in `crate::ledger::reserve`
//! call these with `crate::ledger::reserve::decide`.

use diesel::prelude::*;
use rust_decimal::Decimal;

use super::Store;
use super::error::StoreError;
use super::ledger_rows::uses_for;
use super::schema::spending_reservations;
use crate::model::{
    LimitRefusal, LimitUse, Periods, Reservation, STALE_RESERVATION_MS, SpendRequest, SpendTarget,
};

impl Store {
    /// In one `BEGIN IMMEDIATE` transaction, so that concurrent callers are
    /// serialised: deletes the reservations older than
    /// [`STALE_RESERVATION_MS`] at `now_ms`, computes the [`LimitUse`] of
    /// every enabled limit that applies to `request` in `periods` (usage
    /// records in each limit's period plus the active reservations in its
    /// scope, this request's own left out), passes them to `decide`, and
    /// when it grants stores the hold of [`Reservation::amount_usd`] under
    /// the request id (replacing an earlier one). Returns `decide`'s answer.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`],
    /// [`StoreError::InvalidValue`] for a damaged row.
    pub(crate) async fn hold<F>(
        &self,
        request: SpendRequest,
        periods: Periods,
        now_ms: i64,
        decide: F,
    ) -> Result<Result<Reservation, Box<LimitRefusal>>, StoreError>
    where
        F: FnOnce(&SpendRequest, Vec<LimitUse>) -> Result<Reservation, Box<LimitRefusal>>
            + Send
            + 'static,
    {
        self.run(move |conn| {
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
                let decision = decide(&request, uses);
                if let Ok(granted) = &decision {
                    insert_reservation(conn, &request, granted.amount_usd, now_ms)?;
                }
                Ok::<_, StoreError>(decision)
            })
        })
        .await
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

    /// The [`LimitUse`] of every enabled limit that applies to `target` in
    /// `periods`: usage records in each limit's period plus the
    /// reservations active at `now_ms` in its scope, except
    /// `exclude_request`'s.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`],
    /// [`StoreError::InvalidValue`] for a damaged row.
    pub(crate) async fn limit_uses(
        &self,
        target: SpendTarget,
        periods: Periods,
        now_ms: i64,
        exclude_request: Option<String>,
    ) -> Result<Vec<LimitUse>, StoreError> {
        self.run(move |conn| uses_for(conn, &target, &periods, now_ms, exclude_request.as_deref()))
            .await
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
