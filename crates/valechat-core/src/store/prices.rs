//! Repository of `model_prices`: the shipped price table (origin `shipped`,
//! `provider` = a namespace such as `openai`) and the user's own prices
//! (origin `user`, `provider` = a configured provider id). Prices are USD per
//! token stored as decimal TEXT; times are UTC unix milliseconds.
//!
//! A price applies from its `effective_from` until a newer one of the same
//! (provider, model, origin) starts, so a lookup by timestamp
//! ([`Store::price_in_force`]) returns the price that applied then.

use std::str::FromStr;

use diesel::prelude::*;
use rust_decimal::Decimal;

use super::error::StoreError;
use super::schema::model_prices;
use super::{Store, now_ms};
use crate::model::{ModelPrice, PriceOrigin};

/// One stored price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRow {
    /// Row id.
    pub id: i64,
    /// Namespace (shipped) or provider id (user).
    pub provider: String,
    /// Model id as the server names it.
    pub model: String,
    /// From when it applies, UTC unix milliseconds.
    pub effective_from: i64,
    /// The prices, USD per token.
    pub price: ModelPrice,
    /// [`PriceOrigin::Shipped`] or [`PriceOrigin::User`].
    pub origin: PriceOrigin,
    /// When the row was written, UTC unix milliseconds.
    pub created_at: i64,
}

/// A `model_prices` row as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = model_prices)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
struct Record {
    id: i64,
    provider: String,
    model: String,
    effective_from: i64,
    input: String,
    output: String,
    cache_read: Option<String>,
    cache_write: Option<String>,
    reasoning: Option<String>,
    input_above_200k: Option<String>,
    output_above_200k: Option<String>,
    cache_read_above_200k: Option<String>,
    cache_write_above_200k: Option<String>,
    max_input_tokens: Option<i64>,
    max_output_tokens: Option<i64>,
    origin: String,
    created_at: i64,
}

impl Record {
    fn into_row(self) -> Result<PriceRow, StoreError> {
        let origin = match self.origin.as_str() {
            "shipped" => PriceOrigin::Shipped,
            "user" => PriceOrigin::User,
            _ => return Err(invalid("model_prices.origin", self.origin)),
        };
        let price = ModelPrice {
            input: decimal("model_prices.input", self.input)?,
            output: decimal("model_prices.output", self.output)?,
            cache_read: optional("model_prices.cache_read", self.cache_read)?,
            cache_write: optional("model_prices.cache_write", self.cache_write)?,
            reasoning: optional("model_prices.reasoning", self.reasoning)?,
            input_above_200k: optional("model_prices.input_above_200k", self.input_above_200k)?,
            output_above_200k: optional("model_prices.output_above_200k", self.output_above_200k)?,
            cache_read_above_200k: optional(
                "model_prices.cache_read_above_200k",
                self.cache_read_above_200k,
            )?,
            cache_write_above_200k: optional(
                "model_prices.cache_write_above_200k",
                self.cache_write_above_200k,
            )?,
            max_input_tokens: self.max_input_tokens.and_then(|n| u64::try_from(n).ok()),
            max_output_tokens: self.max_output_tokens.and_then(|n| u64::try_from(n).ok()),
        };
        Ok(PriceRow {
            id: self.id,
            provider: self.provider,
            model: self.model,
            effective_from: self.effective_from,
            price,
            origin,
            created_at: self.created_at,
        })
    }
}

fn invalid(column: &'static str, value: String) -> StoreError {
    StoreError::InvalidValue { column, value }
}

fn decimal(column: &'static str, text: String) -> Result<Decimal, StoreError> {
    Decimal::from_str(&text).map_err(|_| invalid(column, text))
}

fn optional(column: &'static str, text: Option<String>) -> Result<Option<Decimal>, StoreError> {
    text.map(|t| decimal(column, t)).transpose()
}

fn text(price: Option<Decimal>) -> Option<String> {
    price.map(|p| p.to_string())
}

fn tokens(n: Option<u64>) -> Option<i64> {
    n.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

/// Inserts one price row; `ignore_existing` keeps a row already there with
/// the same (provider, model, `effective_from`, origin).
fn insert(
    conn: &mut SqliteConnection,
    provider: &str,
    model: &str,
    effective_from: i64,
    price: &ModelPrice,
    origin: PriceOrigin,
) -> Result<usize, diesel::result::Error> {
    diesel::insert_or_ignore_into(model_prices::table)
        .values((
            model_prices::provider.eq(provider),
            model_prices::model.eq(model),
            model_prices::effective_from.eq(effective_from),
            model_prices::input.eq(price.input.to_string()),
            model_prices::output.eq(price.output.to_string()),
            model_prices::cache_read.eq(text(price.cache_read)),
            model_prices::cache_write.eq(text(price.cache_write)),
            model_prices::reasoning.eq(text(price.reasoning)),
            model_prices::input_above_200k.eq(text(price.input_above_200k)),
            model_prices::output_above_200k.eq(text(price.output_above_200k)),
            model_prices::cache_read_above_200k.eq(text(price.cache_read_above_200k)),
            model_prices::cache_write_above_200k.eq(text(price.cache_write_above_200k)),
            model_prices::max_input_tokens.eq(tokens(price.max_input_tokens)),
            model_prices::max_output_tokens.eq(tokens(price.max_output_tokens)),
            model_prices::origin.eq(origin.as_str()),
            model_prices::created_at.eq(now_ms()),
        ))
        .execute(conn)
}

impl Store {
    /// Inserts `prices`, each `(namespace, model id, price)`, with origin
    /// [`PriceOrigin::Shipped`] from `effective_from` (UTC unix ms), in one
    /// transaction. Idempotent: rows already there (same provider, model,
    /// `effective_from`, origin) are kept as they are. Returns the number of
    /// rows inserted. What the shipped table holds is billing's business
    /// (`Store::sync_shipped_prices` in `crate::billing::shipped` calls this).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub(crate) async fn insert_shipped_prices(
        &self,
        effective_from: i64,
        prices: Vec<(String, String, ModelPrice)>,
    ) -> Result<usize, StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                let mut inserted = 0;
                for (namespace, model, price) in &prices {
                    inserted += insert(
                        conn,
                        namespace,
                        model,
                        effective_from,
                        price,
                        PriceOrigin::Shipped,
                    )
                    .map_err(StoreError::during("loading the shipped prices"))?;
                }
                Ok(inserted)
            })
        })
        .await
    }

    /// Sets the user's price of `model` at provider `provider_id` from
    /// `effective_from` (UTC unix ms; use now so that older usage keeps the
    /// older price). Replaces a user price with the same start. A negative
    /// price is stored but billed as 0.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn set_user_price(
        &self,
        provider_id: &str,
        model: &str,
        price: ModelPrice,
        effective_from: i64,
    ) -> Result<(), StoreError> {
        let (provider_id, model) = (provider_id.to_owned(), model.to_owned());
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                diesel::delete(
                    model_prices::table
                        .filter(model_prices::provider.eq(&provider_id))
                        .filter(model_prices::model.eq(&model))
                        .filter(model_prices::effective_from.eq(effective_from))
                        .filter(model_prices::origin.eq(PriceOrigin::User.as_str())),
                )
                .execute(conn)
                .map_err(StoreError::during("replacing a user price"))?;
                insert(
                    conn,
                    &provider_id,
                    &model,
                    effective_from,
                    &price,
                    PriceOrigin::User,
                )
                .map_err(StoreError::during("setting a user price"))?;
                Ok(())
            })
        })
        .await
    }

    /// Removes every user price of `model` at `provider_id` (the shipped
    /// price, if any, applies again). Returns the number of rows removed.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn remove_user_price(
        &self,
        provider_id: &str,
        model: &str,
    ) -> Result<usize, StoreError> {
        let (provider_id, model) = (provider_id.to_owned(), model.to_owned());
        self.run(move |conn| {
            diesel::delete(
                model_prices::table
                    .filter(model_prices::provider.eq(&provider_id))
                    .filter(model_prices::model.eq(&model))
                    .filter(model_prices::origin.eq(PriceOrigin::User.as_str())),
            )
            .execute(conn)
            .map_err(StoreError::during("removing a user price"))
        })
        .await
    }

    /// Every stored price, or those of one `provider` (namespace or provider
    /// id), ordered by provider, model, origin, then newest first.
    ///
    /// # Errors
    /// [`StoreError::InvalidValue`] for a stored price that is not a
    /// decimal; [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn list_prices(&self, provider: Option<&str>) -> Result<Vec<PriceRow>, StoreError> {
        let provider = provider.map(str::to_owned);
        self.run(move |conn| {
            let mut query = model_prices::table.into_boxed();
            if let Some(provider) = &provider {
                query = query.filter(model_prices::provider.eq(provider.clone()));
            }
            query
                .order((
                    model_prices::provider.asc(),
                    model_prices::model.asc(),
                    model_prices::origin.asc(),
                    model_prices::effective_from.desc(),
                ))
                .select(Record::as_select())
                .load(conn)
                .map_err(StoreError::during("listing prices"))?
                .into_iter()
                .map(Record::into_row)
                .collect()
        })
        .await
    }

    /// The price of `model` at `provider` with `origin` in force at `at_ms`
    /// (UTC unix ms): the row with the latest `effective_from <= at_ms`.
    ///
    /// # Errors
    /// [`StoreError::InvalidValue`], [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn price_in_force(
        &self,
        provider: &str,
        model: &str,
        origin: PriceOrigin,
        at_ms: i64,
    ) -> Result<Option<PriceRow>, StoreError> {
        let (provider, model) = (provider.to_owned(), model.to_owned());
        self.run(move |conn| {
            model_prices::table
                .filter(model_prices::provider.eq(&provider))
                .filter(model_prices::model.eq(&model))
                .filter(model_prices::origin.eq(origin.as_str()))
                .filter(model_prices::effective_from.le(at_ms))
                .order(model_prices::effective_from.desc())
                .select(Record::as_select())
                .first(conn)
                .optional()
                .map_err(StoreError::during("looking up a price"))?
                .map(Record::into_row)
                .transpose()
        })
        .await
    }
}
