//! Repository of `spending_limits`: create, replace, list and remove the
//! limits a person sets (Preferences → Billing, `valechat limits`), and what
//! each one holds now. One limit exists per scope and target. The checks
//! and the errors a person sees (`Store::create_limit` and friends) are the
//! ledger's, in `crate::ledger::limits`: values are checked there by
//! [`NewLimit::validated`] before anything is written.

use diesel::prelude::*;
use rust_decimal::Decimal;

use super::error::StoreError;
use super::ledger_rows::{LimitRow, limit_spends, load_limits, name_providers};
use super::schema::spending_limits;
use super::{Store, now_ms};
use crate::model::{NewLimit, Periods, SpendingLimit, format_thresholds};

impl Store {
    /// Every spending limit, by id.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn list_limits(&self) -> Result<Vec<SpendingLimit>, StoreError> {
        self.run(load_limits).await
    }

    /// The limit with `id`, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub async fn get_limit(&self, id: i64) -> Result<Option<SpendingLimit>, StoreError> {
        self.run(move |conn| find(conn, id)).await
    }

    /// Adds `new` (checked by the caller with [`NewLimit::validated`]),
    /// unless a limit with its scope and target exists: `None` then.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub(crate) async fn insert_limit(
        &self,
        new: NewLimit,
    ) -> Result<Option<SpendingLimit>, StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                if existing_id(conn, &new)?.is_some() {
                    return Ok(None);
                }
                insert(conn, &new).map(Some)
            })
        })
        .await
    }

    /// Replaces the amount, kind, thresholds and enabled flag of the limit
    /// with `new`'s scope and target (keeping its id and the alerts already
    /// raised), or adds it. `new` is checked by the caller.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub(crate) async fn upsert_limit(&self, new: NewLimit) -> Result<SpendingLimit, StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| match existing_id(conn, &new)? {
                Some(id) => update(conn, id, &new),
                None => insert(conn, &new),
            })
        })
        .await
    }

    /// Replaces every value of limit `id` with `new` (checked by the
    /// caller), unless another limit has `new`'s scope and target: `None`
    /// then.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown id; [`StoreError::Pool`],
    /// [`StoreError::Query`], [`StoreError::DiskFull`].
    pub(crate) async fn replace_limit(
        &self,
        id: i64,
        new: NewLimit,
    ) -> Result<Option<SpendingLimit>, StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                if existing_id(conn, &new)?.is_some_and(|other| other != id) {
                    return Ok(None);
                }
                update(conn, id, &new).map(Some)
            })
        })
        .await
    }

    /// Every limit (enabled or not), by id, with what usage records hold in
    /// its current period (from `periods`) and what the reservations active
    /// at `now_ms` hold in its scope: `(limit, spent, reserved)`, USD.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::InvalidValue`].
    pub(crate) async fn limits_with_spends(
        &self,
        periods: Periods,
        now_ms: i64,
    ) -> Result<Vec<(SpendingLimit, Decimal, Decimal)>, StoreError> {
        self.run(move |conn| {
            let limits = load_limits(conn)?;
            let sums = limit_spends(conn, &limits, &periods, now_ms, None)?;
            Ok(limits
                .into_iter()
                .zip(sums)
                .map(|(limit, (spent, reserved))| (limit, spent, reserved))
                .collect())
        })
        .await
    }

    /// Deletes limit `id` and its remembered alerts. Returns whether it existed.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn delete_limit(&self, id: i64) -> Result<bool, StoreError> {
        self.run(move |conn| {
            diesel::delete(spending_limits::table.find(id))
                .execute(conn)
                .map(|n| n > 0)
                .map_err(StoreError::during("deleting a spending limit"))
        })
        .await
    }
}

fn find(conn: &mut SqliteConnection, id: i64) -> Result<Option<SpendingLimit>, StoreError> {
    spending_limits::table
        .find(id)
        .select(LimitRow::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::during("reading a spending limit"))?
        .map(|row| named(conn, row))
        .transpose()
}

/// The limit of `row`, its provider named.
fn named(conn: &mut SqliteConnection, row: LimitRow) -> Result<SpendingLimit, StoreError> {
    let mut limit = [SpendingLimit::try_from(row)?];
    name_providers(conn, &mut limit)?;
    let [limit] = limit;
    Ok(limit)
}

/// Id of the limit with `new`'s scope and target.
fn existing_id(conn: &mut SqliteConnection, new: &NewLimit) -> Result<Option<i64>, StoreError> {
    let query = spending_limits::table
        .filter(spending_limits::scope.eq(new.scope.as_str()))
        .select(spending_limits::id);
    match &new.target {
        Some(t) => query.filter(spending_limits::target.eq(t)).first(conn),
        None => query.filter(spending_limits::target.is_null()).first(conn),
    }
    .optional()
    .map_err(StoreError::during("looking up a spending limit"))
}

fn insert(conn: &mut SqliteConnection, new: &NewLimit) -> Result<SpendingLimit, StoreError> {
    let now = now_ms();
    let row = diesel::insert_into(spending_limits::table)
        .values((
            spending_limits::scope.eq(new.scope.as_str()),
            spending_limits::target.eq(&new.target),
            spending_limits::amount_usd.eq(new.amount_usd.normalize().to_string()),
            spending_limits::hard.eq(new.hard),
            spending_limits::thresholds.eq(format_thresholds(&new.thresholds)),
            spending_limits::enabled.eq(new.enabled),
            spending_limits::created_at.eq(now),
            spending_limits::updated_at.eq(now),
        ))
        .returning(LimitRow::as_returning())
        .get_result(conn)
        .map_err(StoreError::during("adding a spending limit"))?;
    named(conn, row)
}

fn update(
    conn: &mut SqliteConnection,
    id: i64,
    new: &NewLimit,
) -> Result<SpendingLimit, StoreError> {
    let row = diesel::update(spending_limits::table.find(id))
        .set((
            spending_limits::scope.eq(new.scope.as_str()),
            spending_limits::target.eq(&new.target),
            spending_limits::amount_usd.eq(new.amount_usd.normalize().to_string()),
            spending_limits::hard.eq(new.hard),
            spending_limits::thresholds.eq(format_thresholds(&new.thresholds)),
            spending_limits::enabled.eq(new.enabled),
            spending_limits::updated_at.eq(now_ms()),
        ))
        .returning(LimitRow::as_returning())
        .get_result(conn)
        .optional()
        .map_err(StoreError::during("changing a spending limit"))?
        .ok_or_else(|| StoreError::not_found("spending limit", id))?;
    named(conn, row)
}
