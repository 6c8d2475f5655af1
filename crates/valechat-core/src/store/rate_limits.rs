//! Repository of `provider_rate_limits`: requests and tokens per minute a
//! provider accepts, set by the person (Preferences or `valechat providers
//! rate-limit`). Rows go with their provider.

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::provider_rate_limits;
use super::{Store, now_ms};
use crate::model::RateLimit;

impl Store {
    /// The rate limit of `provider_id` (unlimited when none is stored).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Pool`].
    pub async fn rate_limit(&self, provider_id: &str) -> Result<RateLimit, StoreError> {
        let id = provider_id.to_owned();
        self.run(move |conn| {
            let row: Option<(Option<i32>, Option<i64>)> = provider_rate_limits::table
                .find(&id)
                .select((
                    provider_rate_limits::requests_per_minute,
                    provider_rate_limits::tokens_per_minute,
                ))
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a provider's rate limit"))?;
            Ok(row.map_or_else(RateLimit::default, |(rpm, tpm)| RateLimit {
                requests_per_minute: rpm.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0),
                tokens_per_minute: tpm.and_then(|n| u64::try_from(n).ok()).filter(|n| *n > 0),
            }))
        })
        .await
    }

    /// Stores `limit` for `provider_id`; an unlimited one removes the row.
    ///
    /// # Errors
    /// [`StoreError::Query`] (unknown provider, a zero limit), [`StoreError::Pool`].
    pub async fn set_rate_limit(
        &self,
        provider_id: &str,
        limit: RateLimit,
    ) -> Result<(), StoreError> {
        let id = provider_id.to_owned();
        self.run(move |conn| {
            if limit.is_unlimited() {
                diesel::delete(provider_rate_limits::table.find(&id))
                    .execute(conn)
                    .map_err(StoreError::during("removing a provider's rate limit"))?;
                return Ok(());
            }
            diesel::replace_into(provider_rate_limits::table)
                .values((
                    provider_rate_limits::provider_id.eq(&id),
                    provider_rate_limits::requests_per_minute.eq(limit
                        .requests_per_minute
                        .map(|n| i32::try_from(n).unwrap_or(i32::MAX))),
                    provider_rate_limits::tokens_per_minute.eq(limit
                        .tokens_per_minute
                        .map(|n| i64::try_from(n).unwrap_or(i64::MAX))),
                    provider_rate_limits::updated_at.eq(now_ms()),
                ))
                .execute(conn)
                .map_err(StoreError::during("storing a provider's rate limit"))?;
            Ok(())
        })
        .await
    }
}
