//! The engine's circuit breakers, one per configured provider, kept across
//! turns so consecutive failures of different turns add up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::provider::ChatProvider;
use crate::provider::resilient::{BreakerState, CircuitBreaker, ResilientProvider};

/// Circuit breakers keyed by provider id (`providers.id`), created with the
/// default [`BreakerConfig`](crate::provider::resilient::BreakerConfig)
/// on first use. Clones share the same map.
#[derive(Debug, Clone, Default)]
pub(super) struct Breakers(Arc<Mutex<HashMap<String, Arc<CircuitBreaker>>>>);

impl Breakers {
    /// Wraps `client` in a [`ResilientProvider`] with the default retry policy
    /// and `first_byte` as the first-byte timeout, reporting to
    /// `provider_id`'s breaker.
    pub fn wrap(
        &self,
        provider_id: &str,
        client: Arc<dyn ChatProvider>,
        first_byte: Duration,
    ) -> Arc<dyn ChatProvider> {
        Arc::new(
            ResilientProvider::new(client, self.breaker(provider_id))
                .with_first_byte_timeout(first_byte),
        )
    }

    /// `provider_id`'s breaker, created closed on first use.
    fn breaker(&self, provider_id: &str) -> Arc<CircuitBreaker> {
        Arc::clone(self.lock().entry(provider_id.to_owned()).or_default())
    }

    /// The state of `provider_id`'s breaker; [`BreakerState::Closed`] for a
    /// provider that has not been used yet.
    pub fn state(&self, provider_id: &str) -> BreakerState {
        self.lock()
            .get(provider_id)
            .map_or(BreakerState::Closed, |b| b.state())
    }

    /// Drops `provider_id`'s breaker (the provider was removed).
    pub fn forget(&self, provider_id: &str) {
        self.lock().remove(provider_id);
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Arc<CircuitBreaker>>> {
        // Every update is a single map operation: a panic while the lock was
        // held cannot leave the map half-changed.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::resilient::Outcome;

    #[tokio::test]
    async fn each_provider_keeps_one_breaker_shared_by_clones() {
        let breakers = Breakers::default();
        let clone = breakers.clone();
        assert!(Arc::ptr_eq(&breakers.breaker("p1"), &clone.breaker("p1")));
        assert!(!Arc::ptr_eq(
            &breakers.breaker("p1"),
            &breakers.breaker("p2")
        ));
        assert_eq!(breakers.state("never-used"), BreakerState::Closed);

        let p1 = clone.breaker("p1");
        for _ in 0..p1.config().failure_threshold {
            p1.try_acquire().unwrap().finish(Outcome::Failed);
        }
        assert!(matches!(breakers.state("p1"), BreakerState::Open { .. }));
        assert_eq!(breakers.state("p2"), BreakerState::Closed);

        breakers.forget("p1");
        assert_eq!(clone.state("p1"), BreakerState::Closed);
        assert!(!Arc::ptr_eq(&p1, &clone.breaker("p1")));
    }
}
