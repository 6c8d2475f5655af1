//! "On this computer" as a provider of the engine: the built-in `local`
//! provider row, the model library's models as its model list (a model
//! imported after start included), a reply through `Engine::send` from the
//! real `valechat local-runner` on a tiny GGUF written by
//! `tests/llamacpp/make_tiny_model.py`, billed with exact tokens at no
//! cost, and the provider refusing removal, renaming, a base URL and a key.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use valechat_core::chat::{
    ConversationTarget, EngineError, LOCAL_PROVIDER_ID, NewConversationRequest, ProviderUpdate,
    SendRequest, UserInput,
};
use valechat_core::local::client::RunnerCommand;
use valechat_core::local::library::{self, ImportMode};
use valechat_core::local::protocol::Sampling;
use valechat_core::local::provider::LocalOptions;
use valechat_core::provider::ProtocolKind;
use valechat_core::store::ConversationSettings;

use crate::{Harness, drain, finished, kinds};

fn peers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/llamacpp")
}

/// Writes the tiny ChatML model into `dir` (the llama.cpp test peers' Python).
pub(crate) async fn tiny_model(dir: &Path) -> PathBuf {
    tiny_model_with(dir, "chatml", "tiny-chat.gguf").await
}

/// Writes the tiny model with chat template `template` (`make_tiny_model.py
/// --chat-template`) as `dir/name`.
pub(crate) async fn tiny_model_with(dir: &Path, template: &str, name: &str) -> PathBuf {
    let python = peers().join("venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run tests/llamacpp/install-peers.sh",
        python.display()
    );
    let path = dir.join(name);
    let status = tokio::process::Command::new(python)
        .arg(peers().join("make_tiny_model.py"))
        .args(["--chat-template", template])
        .arg(&path)
        .status()
        .await
        .expect("run make_tiny_model.py");
    assert!(status.success(), "make_tiny_model.py failed: {status}");
    path
}

/// The harness's engine offering "On this computer" through the binary under test.
pub(crate) async fn local_harness() -> Harness {
    let mut h = Harness::new().await;
    let command = RunnerCommand {
        program: PathBuf::from(env!("CARGO_BIN_EXE_valechat")),
        args: vec!["local-runner".into()],
    };
    let options = LocalOptions {
        context_length: Some(256),
        threads: Some(1),
        gpu_layers: 0,
        sampling: Sampling {
            seed: Some(7),
            ..Sampling::default()
        },
        ..LocalOptions::default()
    };
    h.engine = h
        .engine
        .clone()
        .with_local_models(command, options)
        .await
        .expect("offer models on this computer");
    h
}

#[tokio::test]
async fn on_this_computer_is_a_provider_listing_the_library_and_replies_for_free() {
    let h = local_harness().await;
    let providers = h.engine.providers().list().await.expect("providers");
    let local = providers
        .iter()
        .find(|p| p.id == LOCAL_PROVIDER_ID)
        .expect("the local provider is listed");
    assert_eq!(local.kind, ProtocolKind::Local.as_str());
    assert_eq!(local.name, "On this computer");
    assert!(local.enabled && !local.has_api_key);

    // Empty library, then a model imported while the engine runs.
    let models = h.engine.providers().list_models("local").await.unwrap();
    assert!(models.is_empty(), "no model yet: {models:?}");
    let file = tiny_model(h.dir.path()).await;
    let imported = library::import(
        h.engine.store(),
        &file,
        ImportMode::Reference,
        &h.dir.path().join("models"),
    )
    .await
    .expect("import");
    let models = h.engine.providers().list_models("local").await.unwrap();
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    let id = imported.model_id.clone();
    assert_eq!(ids, [id.as_str()]);
    assert_eq!(
        models[0].display_name.as_deref(),
        Some(imported.display_name().as_str())
    );

    // A reply through the engine, like any provider's.
    let request = SendRequest::new(
        ConversationTarget::New(NewConversationRequest {
            provider_id: Some(LOCAL_PROVIDER_ID.to_owned()),
            model: Some(id.clone()),
            settings: ConversationSettings {
                max_output_tokens: Some(6),
                ..ConversationSettings::default()
            },
            ..NewConversationRequest::default()
        }),
        UserInput::text("Hello world!"),
    );
    let mut turn = h.engine.send(request).await.expect("send");
    let events = drain(&mut turn).await;
    assert_eq!(
        kinds(&events),
        [
            "ConversationCreated",
            "UserMessageSaved",
            "AssistantStarted",
            "TextDelta",
            "Usage",
            "Finished"
        ]
    );
    let reply = finished(&events);
    assert!(!reply.content.is_empty());
    let usage = h
        .engine
        .store()
        .conversation_usage_records(reply.conversation_id)
        .await
        .expect("usage");
    assert_eq!(usage.len(), 1);
    assert_eq!(usage[0].provider_id, LOCAL_PROVIDER_ID);
    assert_eq!(usage[0].model, id);
    assert_eq!(usage[0].tokens.output, 6, "the output cap, counted exactly");
    assert!(usage[0].tokens.input > 0);
    assert_eq!(
        usage[0].cost_usd,
        Decimal::ZERO,
        "a model on this computer is free"
    );
}

#[tokio::test]
async fn on_this_computer_cannot_be_removed_renamed_or_given_a_url_or_key() {
    let h = local_harness().await;
    let providers = h.engine.providers();
    assert!(matches!(
        providers.remove(LOCAL_PROVIDER_ID).await,
        Err(EngineError::BuiltInProvider(_))
    ));
    let rename = ProviderUpdate {
        name: Some("Mine".into()),
        ..ProviderUpdate::default()
    };
    assert!(matches!(
        providers.update(LOCAL_PROVIDER_ID, rename).await,
        Err(EngineError::BuiltInProvider(_))
    ));
    let url = ProviderUpdate {
        base_url: Some("http://localhost:1".into()),
        ..ProviderUpdate::default()
    };
    assert!(matches!(
        providers.update(LOCAL_PROVIDER_ID, url).await,
        Err(EngineError::BuiltInProvider(_))
    ));
    assert!(matches!(
        providers.set_api_key(LOCAL_PROVIDER_ID, Some("sk-x")).await,
        Err(EngineError::BuiltInProvider(_))
    ));
    // It may be turned off (the picker then hides it), and stays so.
    let off = ProviderUpdate {
        enabled: Some(false),
        ..ProviderUpdate::default()
    };
    providers
        .update(LOCAL_PROVIDER_ID, off)
        .await
        .expect("disable");
    let again = h
        .engine
        .clone()
        .with_local_models(
            RunnerCommand {
                program: PathBuf::from(env!("CARGO_BIN_EXE_valechat")),
                args: vec!["local-runner".into()],
            },
            LocalOptions::default(),
        )
        .await
        .unwrap();
    let row = again.providers().get(LOCAL_PROVIDER_ID).await.unwrap();
    assert!(!row.enabled, "a new start keeps the user's choice");
    assert_eq!(
        h.engine.providers().list().await.unwrap().len(),
        1,
        "one row, written once"
    );
}

#[tokio::test]
async fn the_idle_unload_time_changes_while_the_engine_runs() {
    // `local_harness` sets no idle time: models stay loaded.
    let h = local_harness().await;
    let file = tiny_model(h.dir.path()).await;
    let imported = library::import(
        h.engine.store(),
        &file,
        ImportMode::Reference,
        &h.dir.path().join("models"),
    )
    .await
    .expect("import");
    let id = imported.model_id.clone();
    let request = SendRequest::new(
        ConversationTarget::New(NewConversationRequest {
            provider_id: Some(LOCAL_PROVIDER_ID.to_owned()),
            model: Some(id.clone()),
            settings: ConversationSettings {
                max_output_tokens: Some(2),
                ..ConversationSettings::default()
            },
            ..NewConversationRequest::default()
        }),
        UserInput::text("Hello world!"),
    );
    let mut turn = h.engine.send(request).await.expect("send");
    drain(&mut turn).await;
    let runner = h
        .engine
        .providers()
        .local_runner()
        .expect("a runner")
        .clone();
    assert!(runner.is_loaded(&id).await, "loaded by the reply");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(
        runner.is_loaded(&id).await,
        "no idle time set: still loaded"
    );

    // A clone of the engine (the window keeps several) sets it for all.
    assert!(
        h.engine
            .clone()
            .set_local_idle_unload(Some(std::time::Duration::from_secs(1)))
    );
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while runner.is_loaded(&id).await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "still loaded 20 s after the idle time was set to 1 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
