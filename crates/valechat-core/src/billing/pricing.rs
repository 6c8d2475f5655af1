//! [`PriceBook`]: which price applies to a request of a configured provider
//! and model at a given time.
//!
//! Lookup order ([`PriceBook::price_for`]):
//! 1. the user's price for that provider id (Preferences → Billing), if any
//!    is in force at that time — this also prices local models;
//! 2. for a cloud provider, the shipped price of its [`PriceNamespace`] in
//!    force at that time (latest `effective_from <= at`);
//! 3. for a local provider ([`PriceNamespace::Local`]), zero, origin
//!    [`PriceOrigin::Local`];
//! 4. otherwise `None`: the cost is unknown (a custom endpoint without a
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

use std::net::IpAddr;

use rust_decimal::Decimal;

use super::price::ModelPrice;
pub use crate::model::price::PriceOrigin;
use crate::provider::ProtocolKind;
use crate::store::{Provider, Store, StoreError};

/// Which shipped prices apply to a configured provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PriceNamespace {
    /// A cloud service of the shipped table: one of the cloud preset ids
    /// (`openai`, `anthropic`, `gemini`, `mistral`, `openrouter`, `groq`,
    /// `deepseek`, `xai`).
    Cloud(&'static str),
    /// A server on this machine or the local network (Ollama, LM Studio,
    /// llama.cpp, vLLM…): free unless the user sets a price.
    Local,
    /// Any other endpoint: only the user's prices apply.
    Custom,
}

/// API hosts of the cloud services and their namespace.
const CLOUD_HOSTS: &[(&str, &str)] = &[
    ("api.openai.com", "openai"),
    ("api.anthropic.com", "anthropic"),
    ("generativelanguage.googleapis.com", "gemini"),
    ("api.mistral.ai", "mistral"),
    ("openrouter.ai", "openrouter"),
    ("api.groq.com", "groq"),
    ("api.deepseek.com", "deepseek"),
    ("api.x.ai", "xai"),
];

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

impl PriceNamespace {
    /// The namespace of an endpoint: Ollama's native protocol and hosts on
    /// this machine or a private network (`localhost`, `*.local`, loopback,
    /// RFC 1918, link-local and IPv6 unique-local addresses) are
    /// [`Local`](Self::Local); the API hosts of the cloud presets map to
    /// their preset id; anything else (or an unparsable URL) is
    /// [`Custom`](Self::Custom).
    #[must_use]
    #[allow(
        clippy::case_sensitive_file_extension_comparisons,
        reason = "host names, not file names: `.local` and `.localhost` are DNS suffixes"
    )]
    pub fn for_endpoint(kind: ProtocolKind, base_url: &str) -> Self {
        if kind == ProtocolKind::Ollama {
            return Self::Local;
        }
        let Ok(url) = url::Url::parse(base_url) else {
            return Self::Custom;
        };
        match url.host() {
            Some(url::Host::Domain(host)) => {
                let host = host.to_ascii_lowercase();
                if let Some((_, ns)) = CLOUD_HOSTS.iter().find(|(h, _)| *h == host) {
                    Self::Cloud(ns)
                } else if host == "localhost"
                    // Host names, not file names: a case-sensitive suffix is
                    // what a lowercased host needs.
                    || host.ends_with(".localhost")
                    || host.ends_with(".local")
                {
                    Self::Local
                } else {
                    Self::Custom
                }
            }
            Some(url::Host::Ipv4(ip)) if is_local(IpAddr::V4(ip)) => Self::Local,
            Some(url::Host::Ipv6(ip)) if is_local(IpAddr::V6(ip)) => Self::Local,
            _ => Self::Custom,
        }
    }

    /// The namespace of a stored provider (its `kind` and `base_url`).
    #[must_use]
    pub fn for_provider(provider: &Provider) -> Self {
        match ProtocolKind::parse(&provider.kind) {
            Some(kind) => Self::for_endpoint(kind, &provider.base_url),
            None => Self::Custom,
        }
    }
}

/// Whether `ip` is on this machine or a private network.
fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified()
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || v6.to_ipv4_mapped().is_some_and(|v4| is_local(IpAddr::V4(v4)))
        }
    }
}

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
    use crate::provider::presets::PRESETS;

    #[test]
    fn every_preset_maps_to_its_namespace_or_local() {
        for preset in PRESETS {
            let ns = PriceNamespace::for_endpoint(preset.kind, preset.base_url);
            if preset.needs_key {
                assert_eq!(ns, PriceNamespace::Cloud(preset.id), "{}", preset.id);
            } else {
                assert_eq!(ns, PriceNamespace::Local, "{}", preset.id);
            }
        }
    }

    #[test]
    fn endpoints_by_host() {
        let ns = |url| PriceNamespace::for_endpoint(ProtocolKind::OpenAiCompatible, url);
        assert_eq!(ns("http://127.0.0.1:8080/v1"), PriceNamespace::Local);
        assert_eq!(ns("http://192.168.1.20:8000/v1"), PriceNamespace::Local);
        assert_eq!(ns("http://[::1]:1234/v1"), PriceNamespace::Local);
        assert_eq!(ns("http://gpu-box.local:8000/v1"), PriceNamespace::Local);
        assert_eq!(
            ns("https://API.OpenAI.com/v1"),
            PriceNamespace::Cloud("openai")
        );
        assert_eq!(ns("https://api.together.xyz/v1"), PriceNamespace::Custom);
        assert_eq!(ns("https://8.8.8.8/v1"), PriceNamespace::Custom);
        assert_eq!(ns("not a url"), PriceNamespace::Custom);
    }

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
