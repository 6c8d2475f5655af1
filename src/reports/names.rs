//! Providers by the names people gave them: the billing page, its chart and
//! the PDF show "OpenAI" or "My vLLM box" where the ledger keeps the
//! provider id (`openai`, `my-vllm-box`). CSV exports and the CLI's tables
//! keep the ids.

use std::collections::HashMap;

use crate::i18n::gettext_f;
use valechat_core::ledger::{LimitScope, SpendingLimit};
use valechat_core::store::Provider;

/// Display names of providers by id; an id without a name (a provider
/// removed since) shows as itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderNames(HashMap<String, String>);

/// The name to show for `provider`: its stored name, except for the
/// built-in "On this computer" (kind `local`), whose name is translated
/// whatever its row says.
#[must_use]
pub fn display_name(provider: &Provider) -> String {
    if valechat_core::chat::is_built_in(provider) {
        gettextrs::gettext("On this computer")
    } else {
        provider.name.clone()
    }
}

impl ProviderNames {
    /// The names of `providers` ([`display_name`]).
    pub fn of(providers: &[Provider]) -> Self {
        Self(
            providers
                .iter()
                .filter(|p| !p.name.trim().is_empty())
                .map(|p| (p.id.clone(), display_name(p)))
                .collect(),
        )
    }

    /// The display name of provider `id`, or `id` when none is known.
    pub fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.0.get(id).map_or(id, String::as_str)
    }

    /// The display name of the provider `limit`'s target names: from
    /// these names, else the one read with the limit, else the id.
    fn limit_provider<'a>(&'a self, limit: &'a SpendingLimit, id: &'a str) -> &'a str {
        match (
            self.0.get(id).map(String::as_str),
            limit.provider_name.as_deref(),
        ) {
            (Some(name), _) | (None, Some(name)) => name,
            (None, None) => id,
        }
    }

    /// A ledger model key `provider/model` for people: "gpt-4o (OpenAI)".
    /// Provider ids are slugs without a slash, so the model may have one
    /// (`openrouter/openai/gpt-4o` → "openai/gpt-4o (OpenRouter)"); a key
    /// without a slash stays as it is.
    pub fn model(&self, key: &str) -> String {
        match key.split_once('/') {
            Some((provider, model)) => gettext_f(
                "{model} ({provider})",
                &[("model", model), ("provider", self.name(provider))],
            ),
            None => key.to_owned(),
        }
    }

    /// The target of `limit` for people: the provider's name for a
    /// provider limit, [`Self::model`] for a model limit, the target
    /// itself otherwise.
    pub fn target(&self, limit: &SpendingLimit) -> String {
        let target = limit.target.as_deref().unwrap_or_default();
        match (limit.scope, target.split_once('/')) {
            (LimitScope::ProviderMonth, _) => self.limit_provider(limit, target).to_owned(),
            (LimitScope::ModelMonth, Some((provider, model))) => gettext_f(
                "{model} ({provider})",
                &[
                    ("model", model),
                    ("provider", self.limit_provider(limit, provider)),
                ],
            ),
            _ => target.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> ProviderNames {
        ProviderNames(HashMap::from([
            ("openai".to_owned(), "OpenAI".to_owned()),
            ("my-vllm".to_owned(), "My vLLM box".to_owned()),
        ]))
    }

    #[test]
    fn ids_become_names_and_unknown_ids_stay() {
        let names = names();
        assert_eq!(names.name("openai"), "OpenAI");
        assert_eq!(names.name("my-vllm"), "My vLLM box");
        assert_eq!(names.name("gone"), "gone");
    }

    #[test]
    fn model_keys_name_the_provider_after_the_model() {
        let names = names();
        assert_eq!(names.model("openai/gpt-4o"), "gpt-4o (OpenAI)");
        assert_eq!(
            names.model("my-vllm/org/llama-3"),
            "org/llama-3 (My vLLM box)"
        );
        assert_eq!(names.model("plain"), "plain");
    }
}
