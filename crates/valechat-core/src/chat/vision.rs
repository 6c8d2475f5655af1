//! What the engine knows about which models accept images.
//!
//! Asking a server for its models can be slow (Ollama answers one
//! `/api/show` per model), so sending never asks. Instead every
//! [`Providers::list_models`](super::Providers::list_models) call — the model
//! picker makes one when it opens — records each model's
//! `supports_vision`, and a send with images is refused only when the last
//! list said `Some(false)` for that model. Unknown models (never listed, or
//! a server that does not say) are tried; the provider's own error then
//! reaches the user.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::provider::ModelInfo;

/// `(provider id, model id)` → accepts images; shared by engine clones.
#[derive(Debug, Clone, Default)]
pub(super) struct VisionCache {
    known: Arc<Mutex<HashMap<(String, String), bool>>>,
}

impl VisionCache {
    /// Records what `models` (a fresh list of `provider_id`'s models) say.
    pub(super) fn record(&self, provider_id: &str, models: &[ModelInfo]) {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        for model in models {
            let key = (provider_id.to_owned(), model.id.clone());
            match model.supports_vision {
                Some(vision) => known.insert(key, vision),
                None => known.remove(&key),
            };
        }
    }

    /// Whether `model` of `provider_id` accepts images, as last listed; `None` if unknown.
    pub(super) fn accepts_images(&self, provider_id: &str, model: &str) -> Option<bool> {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(provider_id.to_owned(), model.to_owned()))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_list_decides_and_unknown_stays_unknown() {
        let cache = VisionCache::default();
        let mut blind = ModelInfo::new("text-only");
        blind.supports_vision = Some(false);
        let mut seeing = ModelInfo::new("vision");
        seeing.supports_vision = Some(true);
        cache.record("p", &[blind.clone(), seeing, ModelInfo::new("mystery")]);
        assert_eq!(cache.accepts_images("p", "text-only"), Some(false));
        assert_eq!(cache.accepts_images("p", "vision"), Some(true));
        assert_eq!(cache.accepts_images("p", "mystery"), None);
        assert_eq!(cache.accepts_images("other", "text-only"), None);
        blind.supports_vision = None;
        cache.record("p", &[blind]);
        assert_eq!(cache.accepts_images("p", "text-only"), None);
    }
}
