//! What the model picker lists: every enabled provider's models (favourites
//! first), the providers whose list failed, and each provider's circuit
//! breaker state; fetched off the main loop, arranged without GTK.

use std::collections::{HashMap, HashSet};

use valechat_core::billing::{PriceOrigin, PricePerMillion};
use valechat_core::chat::Engine;
use valechat_core::provider::ModelInfo;
use valechat_core::provider::resilient::BreakerState;
use valechat_core::store::Provider;

/// `(provider id, model id)` of a favourite model.
pub type FavouriteKey = (String, String);

/// Everything one refresh of the picker read.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Each enabled provider with its model list, or the error to show.
    pub lists: Vec<(Provider, Result<Vec<ModelInfo>, String>)>,
    /// Breaker state per provider id, read after the lists were fetched.
    pub states: HashMap<String, BreakerState>,
    /// The favourites stored in the database.
    pub favourites: HashSet<FavouriteKey>,
    /// The price in force per model, USD per 1M tokens, where known.
    pub prices: HashMap<FavouriteKey, ModelPriceTag>,
}

/// A model's price as the picker shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPriceTag {
    /// USD per 1M tokens.
    pub per_million: PricePerMillion,
    /// Where the price comes from (a local server is free).
    pub origin: PriceOrigin,
}

/// A section heading of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The starred models.
    Favourites,
    /// Every other model.
    AllModels,
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A heading (shown only when there are favourites, hidden while searching).
    Section(Section),
    /// A model of a provider.
    Model {
        /// Provider offering it.
        provider: Provider,
        /// What its model list says about it.
        model: ModelInfo,
        /// Whether it is starred.
        favourite: bool,
        /// The provider's breaker state.
        state: BreakerState,
        /// Its price, where known.
        price: Option<ModelPriceTag>,
    },
    /// A provider whose model list could not be read.
    Error {
        /// The provider.
        provider: Provider,
        /// Why, for people.
        error: String,
        /// The provider's breaker state.
        state: BreakerState,
    },
}

impl Loaded {
    /// The breaker state of `provider_id` (closed when unknown).
    fn state(&self, provider_id: &str) -> BreakerState {
        self.states
            .get(provider_id)
            .copied()
            .unwrap_or(BreakerState::Closed)
    }

    /// The rows to show: favourites under a heading, then the other models
    /// and the errors in provider order (under a heading only when there
    /// are favourites). A model appears once.
    pub fn entries(&self) -> Vec<Entry> {
        let mut favourites = Vec::new();
        let mut others = Vec::new();
        for (provider, result) in &self.lists {
            let state = self.state(&provider.id);
            match result {
                Ok(models) => {
                    for model in models {
                        let key = (provider.id.clone(), model.id.clone());
                        let favourite = self.favourites.contains(&key);
                        let price = self.prices.get(&key).cloned();
                        let entry = Entry::Model {
                            provider: provider.clone(),
                            model: model.clone(),
                            favourite,
                            state,
                            price,
                        };
                        if favourite {
                            favourites.push(entry);
                        } else {
                            others.push(entry);
                        }
                    }
                }
                Err(error) => others.push(Entry::Error {
                    provider: provider.clone(),
                    error: error.clone(),
                    state,
                }),
            }
        }
        if favourites.is_empty() {
            return others;
        }
        let mut entries = Vec::with_capacity(favourites.len() + others.len() + 2);
        entries.push(Entry::Section(Section::Favourites));
        entries.append(&mut favourites);
        if !others.is_empty() {
            entries.push(Entry::Section(Section::AllModels));
            entries.append(&mut others);
        }
        entries
    }
}

/// Fetches every enabled provider's models concurrently, then the breaker
/// states and the favourites (an unreadable favourites table only logs).
pub async fn fetch(engine: Engine, providers: Vec<Provider>) -> Loaded {
    let lists = futures::future::join_all(providers.into_iter().filter(|p| p.enabled).map(|p| {
        let engine = engine.clone();
        async move {
            let result = engine
                .providers()
                .list_models(&p.id)
                .await
                .map_err(|e| e.user_message());
            (p, result)
        }
    }))
    .await;
    let states = lists
        .iter()
        .map(|(p, _)| (p.id.clone(), engine.providers().state(&p.id)))
        .collect();
    let favourites = match engine.store().list_favourites().await {
        Ok(list) => list.into_iter().map(|f| (f.provider_id, f.model)).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the favourite models");
            HashSet::new()
        }
    };
    let prices = prices(&engine, &lists).await;
    Loaded {
        lists,
        states,
        favourites,
        prices,
    }
}

/// The price in force of every listed model (an unreadable price table
/// only logs: the picker then shows no prices).
async fn prices(
    engine: &Engine,
    lists: &[(Provider, Result<Vec<ModelInfo>, String>)],
) -> HashMap<FavouriteKey, ModelPriceTag> {
    let mut out = HashMap::new();
    for (provider, result) in lists {
        for model in result.iter().flatten() {
            match engine.model_price(provider, &model.id).await {
                Ok(Some((price, origin))) => {
                    out.insert(
                        (provider.id.clone(), model.id.clone()),
                        ModelPriceTag {
                            per_million: price.per_million(),
                            origin,
                        },
                    );
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read model prices");
                    return out;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(id: &str) -> Provider {
        Provider {
            id: id.into(),
            name: id.to_uppercase(),
            kind: "openai_compatible".into(),
            base_url: "http://localhost/v1".into(),
            has_api_key: false,
            default_model: None,
            enabled: true,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn shape(entries: &[Entry]) -> Vec<String> {
        entries
            .iter()
            .map(|e| match e {
                Entry::Section(s) => format!("# {s:?}"),
                Entry::Model {
                    provider,
                    model,
                    favourite,
                    ..
                } => format!(
                    "{}/{}{}",
                    provider.id,
                    model.id,
                    if *favourite { "*" } else { "" }
                ),
                Entry::Error { provider, .. } => format!("{}!", provider.id),
            })
            .collect()
    }

    #[test]
    fn favourites_come_first_under_headings() {
        let mut loaded = Loaded {
            lists: vec![
                (
                    provider("a"),
                    Ok(vec![ModelInfo::new("m1"), ModelInfo::new("m2")]),
                ),
                (provider("b"), Err("down".into())),
                (provider("c"), Ok(vec![ModelInfo::new("m1")])),
            ],
            ..Loaded::default()
        };
        assert_eq!(shape(&loaded.entries()), ["a/m1", "a/m2", "b!", "c/m1"]);
        loaded.favourites.insert(("c".into(), "m1".into()));
        loaded.favourites.insert(("a".into(), "m2".into()));
        loaded.favourites.insert(("b".into(), "gone".into()));
        assert_eq!(
            shape(&loaded.entries()),
            [
                "# Favourites",
                "a/m2*",
                "c/m1*",
                "# AllModels",
                "a/m1",
                "b!"
            ]
        );
    }
}
