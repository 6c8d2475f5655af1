//! Repository of `provider_timeouts`: each provider's connect, first-byte
//! and idle timeouts (milliseconds). A provider without a row uses
//! [`ProviderTimeouts::default`]; rows go with their provider
//! (`ON DELETE CASCADE`).

use std::time::Duration;

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::provider_timeouts;
use super::{Store, now_ms};
use crate::model::ProviderTimeouts;

/// Milliseconds of `d` as stored (saturating at `i64::MAX`).
fn to_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A stored millisecond count as a duration (a negative count, which the
/// app never writes, reads as zero).
fn from_ms(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

impl Store {
    /// Provider `provider_id`'s timeouts, or `None` when it has none stored
    /// (the caller then uses the defaults). Unknown ids give `None` too.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn provider_timeouts(
        &self,
        provider_id: &str,
    ) -> Result<Option<ProviderTimeouts>, StoreError> {
        let id = provider_id.to_owned();
        self.run(move |conn| {
            let row: Option<(i64, i64, i64)> = provider_timeouts::table
                .find(&id)
                .select((
                    provider_timeouts::connect_ms,
                    provider_timeouts::first_byte_ms,
                    provider_timeouts::idle_ms,
                ))
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a provider's timeouts"))?;
            Ok(row.map(|(connect, first_byte, idle)| ProviderTimeouts {
                connect: from_ms(connect),
                first_byte: from_ms(first_byte),
                idle: from_ms(idle),
            }))
        })
        .await
    }

    /// Stores provider `provider_id`'s timeouts, replacing any stored ones
    /// (values are not checked here: see [`ProviderTimeouts::validate`]).
    ///
    /// # Errors
    /// [`StoreError::Query`] when no provider has `provider_id` (foreign
    /// key); [`StoreError::Pool`], [`StoreError::DiskFull`].
    pub async fn set_provider_timeouts(
        &self,
        provider_id: &str,
        timeouts: ProviderTimeouts,
    ) -> Result<(), StoreError> {
        let id = provider_id.to_owned();
        self.run(move |conn| {
            let values = (
                provider_timeouts::connect_ms.eq(to_ms(timeouts.connect)),
                provider_timeouts::first_byte_ms.eq(to_ms(timeouts.first_byte)),
                provider_timeouts::idle_ms.eq(to_ms(timeouts.idle)),
                provider_timeouts::updated_at.eq(now_ms()),
            );
            diesel::insert_into(provider_timeouts::table)
                .values((provider_timeouts::provider_id.eq(&id), values))
                .on_conflict(provider_timeouts::provider_id)
                .do_update()
                .set(values)
                .execute(conn)
                .map_err(StoreError::during("saving a provider's timeouts"))?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewProvider;

    #[tokio::test]
    async fn timeouts_round_trip_replace_and_go_with_their_provider() {
        let store = Store::open_in_memory().await.unwrap();
        let p = store
            .insert_provider(NewProvider {
                name: "Local".into(),
                kind: "openai_compatible".into(),
                base_url: "http://localhost:8080/v1".into(),
                has_api_key: false,
                default_model: None,
            })
            .await
            .unwrap();
        assert_eq!(store.provider_timeouts(&p.id).await.unwrap(), None);
        let mut t = ProviderTimeouts {
            connect: Duration::from_secs(3),
            first_byte: Duration::from_millis(90_500),
            idle: Duration::from_secs(45),
        };
        store.set_provider_timeouts(&p.id, t).await.unwrap();
        assert_eq!(store.provider_timeouts(&p.id).await.unwrap(), Some(t));
        t.idle = Duration::from_secs(5);
        store.set_provider_timeouts(&p.id, t).await.unwrap();
        assert_eq!(store.provider_timeouts(&p.id).await.unwrap(), Some(t));
        assert!(store.set_provider_timeouts("nobody", t).await.is_err());
        store.delete_provider(&p.id).await.unwrap();
        assert_eq!(store.provider_timeouts(&p.id).await.unwrap(), None);
    }
}
