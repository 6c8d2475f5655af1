//! [`PriceBook`]: which price applies to a request of a configured provider
//! and model at a given time.
//!
//! Lookup order ([`PriceBook::price_for`]):
//! 1. the user's price for that provider id (Preferences → Billing), if any
//!    is in force at that time — this also prices local models;
//! 2. for a cloud provider, the shipped price of its [`PriceNamespace`] in
//!    force at that time (latest `effective_from <= at`);
//! 3. for a local or custom endpoint (a `LiteLLM` proxy on `localhost:4000`,
//!    a company gateway) serving a model whose name exists only as a paid
//!    cloud model ([`paid_cloud_family`]: the OpenAI, Anthropic, Gemini and
//!    xAI families), that cloud service's shipped price, origin
//!    [`PriceOrigin::Assumed`];
//! 4. for a local provider ([`PriceNamespace::Local`]), zero, origin
//!    [`PriceOrigin::Local`] (open-weight models: Llama, Qwen, Mistral's
//!    open models, `gpt-oss`…);
//! 5. otherwise `None`: the cost is unknown (a custom endpoint without a
//!    price of the user's).
//!
//! Model ids are matched exactly first, then normalised
//! ([`model_candidates`]): a Gemini `models/` prefix is removed, then a date
//! suffix (`-2024-08-06`, `-20241022`), so a dated snapshot the table lacks
//! is priced as its alias. On OpenRouter, whose ids are `vendor/model` and
//! which the shipped data does not cover, the vendor's own shipped price is
//! the estimate (`openai/gpt-4o` → `openai`'s `gpt-4o`; a `…:free` variant
//! is free); OpenRouter's own
//! `usage.cost` normally replaces it
//! ([`ChargedCost::resolve`](super::cost::ChargedCost::resolve)).
//!
//! The shipped table is loaded into the database when the book is opened
//! ([`PriceBook::open`] → [`Store::sync_shipped_prices`]), not at
//! [`Store::open`]: the store stays free of billing work for the code that
//! does not price anything, and loading is idempotent and takes
//! milliseconds.

use rust_decimal::Decimal;

pub use super::namespace::{PriceNamespace, paid_cloud_family};
use super::price::ModelPrice;
pub use crate::model::price::PriceOrigin;
use crate::store::{Provider, Store, StoreError};

/// OpenRouter vendor prefixes whose models the shipped table prices under
/// another namespace.
const OPENROUTER_VENDORS: &[(&str, &str)] = &[
    ("openai", "openai"),
    ("anthropic", "anthropic"),
    ("google", "gemini"),
    ("mistralai", "mistral"),
    ("deepseek", "deepseek"),
    ("x-ai", "xai"),
];

/// The ids to try for `model`, in order: as given; without a `models/`
/// prefix (Gemini's resource names); without a date suffix (`-2024-08-06`
/// or `-20241022`). Duplicates are left out.
#[must_use]
pub fn model_candidates(model: &str) -> Vec<String> {
    let mut out = vec![model.to_owned()];
    let bare = model.strip_prefix("models/").unwrap_or(model);
    for candidate in [Some(bare), strip_date(bare)].into_iter().flatten() {
        if !out.iter().any(|c| c == candidate) {
            out.push(candidate.to_owned());
        }
    }
    out
}

/// `model` without a trailing `-YYYY-MM-DD` or `-YYYYMMDD`.
fn strip_date(model: &str) -> Option<&str> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (head, tail) = model.rsplit_once('-')?;
    if tail.len() == 8 && digits(tail) {
        return Some(head);
    }
    // `-YYYY-MM-DD`: the last three dash-separated parts are 4, 2, 2 digits.
    let (head2, month) = head.rsplit_once('-')?;
    let (head3, year) = head2.rsplit_once('-')?;
    let dated = year.len() == 4 && month.len() == 2 && tail.len() == 2;
    (dated && digits(year) && digits(month) && digits(tail)).then_some(head3)
}

/// Prices by provider, model and time, over the `model_prices` table.
#[derive(Debug, Clone)]
pub struct PriceBook {
    store: Store,
}

impl PriceBook {
    /// A price book over `store`, loading the shipped table into it first
    /// ([`Store::sync_shipped_prices`], idempotent).
    ///
    /// # Errors
    /// As [`Store::sync_shipped_prices`].
    pub async fn open(store: Store) -> Result<Self, StoreError> {
        store.sync_shipped_prices().await?;
        Ok(Self { store })
    }

    /// The price of `model` at provider `provider_id` (of namespace
    /// `namespace`) in force at `at_ms` (UTC unix ms), and where it comes
    /// from; see the module doc for the order. `None` when no price is known.
    ///
    /// # Errors
    /// [`StoreError`] from the lookups.
    pub async fn price_for(
        &self,
        provider_id: &str,
        namespace: PriceNamespace,
        model: &str,
        at_ms: i64,
    ) -> Result<Option<(ModelPrice, PriceOrigin)>, StoreError> {
        let candidates = model_candidates(model);
        for candidate in &candidates {
            let user = self
                .store
                .price_in_force(provider_id, candidate, PriceOrigin::User, at_ms)
                .await?;
            if let Some(row) = user {
                return Ok(Some((row.price, PriceOrigin::User)));
            }
        }
        if matches!(namespace, PriceNamespace::Local | PriceNamespace::Custom)
            && let Some(price) = self.assumed(model, at_ms).await?
        {
            return Ok(Some((price, PriceOrigin::Assumed)));
        }
        match namespace {
            PriceNamespace::Local => Ok(Some((ModelPrice::zero(), PriceOrigin::Local))),
            PriceNamespace::Custom => Ok(None),
            PriceNamespace::Cloud(ns) => {
                if let Some(price) = self.shipped(ns, &candidates, at_ms).await? {
                    return Ok(Some((price, PriceOrigin::Shipped)));
                }
                if ns == "openrouter" {
                    return self.openrouter_vendor(model, at_ms).await;
                }
                Ok(None)
            }
        }
    }

    /// [`PriceBook::price_for`] for a stored provider.
    ///
    /// # Errors
    /// As [`PriceBook::price_for`].
    pub async fn price_for_provider(
        &self,
        provider: &Provider,
        model: &str,
        at_ms: i64,
    ) -> Result<Option<(ModelPrice, PriceOrigin)>, StoreError> {
        let namespace = PriceNamespace::for_provider(provider);
        self.price_for(&provider.id, namespace, model, at_ms).await
    }

    /// The first shipped price of `candidates` in namespace `ns`.
    async fn shipped(
        &self,
        ns: &str,
        candidates: &[String],
        at_ms: i64,
    ) -> Result<Option<ModelPrice>, StoreError> {
        for candidate in candidates {
            let row = self
                .store
                .price_in_force(ns, candidate, PriceOrigin::Shipped, at_ms)
                .await?;
            if let Some(row) = row {
                return Ok(Some(row.price));
            }
        }
        Ok(None)
    }

    /// The shipped price of a paid cloud model served under its own name
    /// by another endpoint ([`paid_cloud_family`]), if the table knows it.
    async fn assumed(&self, model: &str, at_ms: i64) -> Result<Option<ModelPrice>, StoreError> {
        let Some((ns, name)) = paid_cloud_family(model) else {
            return Ok(None);
        };
        self.shipped(ns, &model_candidates(name), at_ms).await
    }

    /// An OpenRouter `vendor/model` priced as the vendor's own model.
    async fn openrouter_vendor(
        &self,
        model: &str,
        at_ms: i64,
    ) -> Result<Option<(ModelPrice, PriceOrigin)>, StoreError> {
        let Some((vendor, rest)) = model.split_once('/') else {
            return Ok(None);
        };
        let Some((_, ns)) = OPENROUTER_VENDORS.iter().find(|(v, _)| *v == vendor) else {
            return Ok(None);
        };
        // OpenRouter's free variants (`…:free`) cost nothing.
        if rest.ends_with(":free") {
            return Ok(Some((
                ModelPrice::new(Decimal::ZERO, Decimal::ZERO),
                PriceOrigin::Shipped,
            )));
        }
        let price = self.shipped(ns, &model_candidates(rest), at_ms).await?;
        Ok(price.map(|p| (p, PriceOrigin::Shipped)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_strip_prefix_and_dates() {
        assert_eq!(model_candidates("gpt-4o"), vec!["gpt-4o"]);
        assert_eq!(
            model_candidates("gpt-4o-2024-08-06"),
            vec!["gpt-4o-2024-08-06", "gpt-4o"]
        );
        assert_eq!(
            model_candidates("claude-3-5-sonnet-20241022"),
            vec!["claude-3-5-sonnet-20241022", "claude-3-5-sonnet"]
        );
        assert_eq!(
            model_candidates("models/gemini-2.5-flash"),
            vec!["models/gemini-2.5-flash", "gemini-2.5-flash"]
        );
        // Not dates: kept as they are.
        assert_eq!(
            model_candidates("gpt-3.5-turbo-0125"),
            vec!["gpt-3.5-turbo-0125"]
        );
        assert_eq!(model_candidates("llama3.2:3b"), vec!["llama3.2:3b"]);
    }
}
