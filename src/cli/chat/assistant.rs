//! The new conversation of `valechat chat`: from `--assistant NAME`, else
//! from the default assistant when neither `--provider` nor `--model` is
//! given, else from `--provider` and `--model` alone. Options given on the
//! command line win over the assistant's.

use anyhow::bail;

use valechat_core::chat::{Engine, NewConversationRequest};

use super::ChatArgs;

/// The conversation to create for `args` (no `--conversation`).
///
/// # Errors
/// An unknown `--assistant`; no provider or model at all; a provider that
/// is not configured.
pub async fn new_conversation(
    engine: &Engine,
    args: &ChatArgs,
) -> anyhow::Result<NewConversationRequest> {
    let store = engine.store();
    let assistant = match &args.assistant {
        Some(name) => Some(crate::cli::assistants::named(store, name).await?),
        None if args.provider.is_none() && args.model.is_none() => {
            store.default_assistant().await?
        }
        None => None,
    };
    let mut new = assistant
        .as_ref()
        .map(NewConversationRequest::from_assistant)
        .unwrap_or_default();
    if let Some(provider) = &args.provider {
        new.provider_id = Some(provider.clone());
    }
    if let Some(model) = &args.model {
        new.model = Some(model.clone());
    }
    let (Some(provider), Some(_)) = (&new.provider_id, &new.model) else {
        bail!(
            "give --provider and --model, --assistant NAME (see `valechat assistants list`), or --conversation"
        );
    };
    if store.get_provider(provider).await?.is_none() {
        bail!("provider “{provider}” is not configured (see `valechat providers list`)");
    }
    if let Some(system) = &args.system {
        new.settings.system_prompt = Some(system.clone());
    }
    if let Some(t) = args.temperature {
        new.settings.temperature = Some(t);
    }
    if let Some(n) = args.max_tokens {
        new.settings.max_output_tokens = Some(n);
    }
    if args.sampling.any() {
        let current = new.settings.sampling.unwrap_or_default();
        new.settings.sampling = Some(args.sampling.apply(current));
    }
    Ok(new)
}
