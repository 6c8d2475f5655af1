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
use super::schema::{messages, spending_reservations, tool_calls};
use crate::model::{
    InterruptedRequest, LimitRefusal, LimitUse, Periods, Reservation, STALE_RESERVATION_MS,
    SpendRequest, SpendTarget,
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

    /// Notes on the reservation of `request_id` the assistant message its
    /// request writes and ValeChat's count of its input tokens, so that a
    /// process killed mid-stream still leaves what its usage can be
    /// estimated from ([`Store::interrupted_requests`]).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn note_request_message(
        &self,
        request_id: &str,
        message_id: i64,
        input_tokens: i64,
    ) -> Result<(), StoreError> {
        let request_id = request_id.to_owned();
        self.run(move |conn| {
            diesel::update(
                spending_reservations::table
                    .filter(spending_reservations::request_id.eq(&request_id)),
            )
            .set((
                spending_reservations::message_id.eq(message_id),
                spending_reservations::input_tokens.eq(input_tokens),
            ))
            .execute(conn)
            .map(drop)
            .map_err(StoreError::during("noting a request's message"))
        })
        .await
    }

    /// The reservations left over by processes that are gone (marked at
    /// open, when no other process had the database), oldest first, with
    /// what their messages kept.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn interrupted_requests(&self) -> Result<Vec<InterruptedRequest>, StoreError> {
        self.run(|conn| {
            const WHAT: &str = "reading interrupted requests";
            type Row = (
                String,
                String,
                String,
                Option<i64>,
                Option<i64>,
                Option<i64>,
                i64,
            );
            let rows: Vec<Row> = spending_reservations::table
                .filter(spending_reservations::interrupted.eq(true))
                .order(spending_reservations::created_at.asc())
                .select((
                    spending_reservations::request_id,
                    spending_reservations::provider_id,
                    spending_reservations::model,
                    spending_reservations::conversation_id,
                    spending_reservations::message_id,
                    spending_reservations::input_tokens,
                    spending_reservations::created_at,
                ))
                .load(conn)
                .map_err(StoreError::during(WHAT))?;
            let mut out = Vec::with_capacity(rows.len());
            for (request_id, provider_id, model, conversation_id, message_id, input, at) in rows {
                let stored_output = match message_id {
                    Some(id) => stored_output(conn, id).map_err(StoreError::during(WHAT))?,
                    None => String::new(),
                };
                out.push(InterruptedRequest {
                    request_id,
                    provider_id,
                    model,
                    conversation_id,
                    message_id,
                    input_tokens: input,
                    stored_output,
                    created_at: at,
                });
            }
            Ok(out)
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

/// Marks every reservation as left over by a process that is gone: run at
/// open, when no other process has the database. Returns how many.
pub(super) fn mark_interrupted(conn: &mut SqliteConnection) -> Result<usize, StoreError> {
    diesel::update(spending_reservations::table)
        .set(spending_reservations::interrupted.eq(true))
        .execute(conn)
        .map_err(StoreError::during("marking interrupted reservations"))
}

/// What message `id` kept of a reply: text, reasoning, and its tool calls'
/// names and arguments.
fn stored_output(conn: &mut SqliteConnection, id: i64) -> QueryResult<String> {
    let message: Option<(String, String)> = messages::table
        .find(id)
        .select((messages::content, messages::reasoning))
        .first(conn)
        .optional()?;
    let mut out = message.map(|(c, r)| c + &r).unwrap_or_default();
    let calls: Vec<(String, String)> = tool_calls::table
        .filter(tool_calls::message_id.eq(id))
        .select((tool_calls::name, tool_calls::arguments))
        .load(conn)?;
    for (name, arguments) in calls {
        out.push_str(&name);
        out.push_str(&arguments);
    }
    Ok(out)
}
