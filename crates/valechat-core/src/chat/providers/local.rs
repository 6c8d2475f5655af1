//! "On this computer": the built-in provider whose models are the model
//! library's (issue 16).
//!
//! It is a stored provider like the others (a `providers` row with id
//! [`LOCAL_PROVIDER_ID`] and kind [`ProtocolKind::Local`], no base URL, no
//! key), so conversations, usage records, prices, limits, the circuit
//! breaker and timeouts take the same path as for a cloud provider. The
//! row is written by [`Providers::enable_local`], which the app calls when
//! it is built with the runner (its cargo feature `local-models`); the
//! client is a [`LocalProvider`] over one [`RunnerClient`] shared by every
//! turn (loaded models stay loaded between turns), built per turn with the
//! library's models as they are now, so a model imported after start is
//! offered at once. Models idle for `LocalOptions::idle_unload_after` are
//! unloaded by a task that lives as long as the runner client; the idle
//! time can change while it runs ([`Providers::set_local_idle_unload`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::Providers;
use crate::chat::EngineError;
use crate::local::client::{RunnerClient, RunnerCommand};
use crate::local::idle::{Activity, spawn_idle_unloader_watching};
use crate::local::provider::{LocalModel, LocalOptions, LocalProvider};
use crate::provider::ProtocolKind;
use crate::store::{Provider, Store};

/// The id of the "On this computer" provider (`valechat chat --provider local`).
pub const LOCAL_PROVIDER_ID: &str = "local";

/// The stored (untranslated) name of the "On this computer" provider; front
/// ends show `gettext("On this computer")` for [`ProtocolKind::Local`].
pub const LOCAL_PROVIDER_NAME: &str = "On this computer";

/// The runner behind "On this computer", shared by the engine's clones.
pub(crate) struct LocalRuntime {
    /// The runner process's client (started on first use).
    pub client: Arc<RunnerClient>,
    /// Context length, threads, GPU layers and sampling defaults (the
    /// idle time is `idle`'s).
    pub options: LocalOptions,
    /// Unload a model after this long without use (`None`: never), as the
    /// idle unloader reads it.
    pub idle: watch::Sender<Option<Duration>>,
    /// Each model's last use, for the idle unloader.
    pub activity: Arc<Activity>,
}

/// Whether `provider` is the built-in "On this computer".
#[must_use]
pub fn is_built_in(provider: &Provider) -> bool {
    ProtocolKind::parse(&provider.kind) == Some(ProtocolKind::Local)
}

/// The library's models as the provider offers them: the model id is the
/// library's model id (the file's name without `.gguf`,
/// [`crate::store::LocalModel::model_id`]), the path its file.
///
/// # Errors
/// [`EngineError::Store`].
pub async fn library_models(store: &Store) -> Result<Vec<LocalModel>, EngineError> {
    Ok(store
        .local_models()
        .await?
        .into_iter()
        .map(|m| LocalModel {
            id: m.model_id.clone(),
            name: Some(m.display_name()),
            path: m.path,
        })
        .collect())
}

impl Providers {
    /// Offers "On this computer": writes its `providers` row if missing
    /// (id [`LOCAL_PROVIDER_ID`], name [`LOCAL_PROVIDER_NAME`], kind
    /// `local`, enabled) and runs its models with `command` (the app's own
    /// executable and `local-runner`) and `options`.
    ///
    /// # Errors
    /// [`EngineError::Store`] when the row cannot be written.
    pub async fn enable_local(
        &mut self,
        command: RunnerCommand,
        options: LocalOptions,
    ) -> Result<(), EngineError> {
        self.store
            .ensure_provider(
                LOCAL_PROVIDER_ID,
                LOCAL_PROVIDER_NAME,
                ProtocolKind::Local.as_str(),
            )
            .await?;
        let client = Arc::new(RunnerClient::new(command));
        let activity = Arc::new(Activity::default());
        let (idle, watched) = watch::channel(options.idle_unload_after);
        if tokio::runtime::Handle::try_current().is_ok() {
            // Ends by itself when the client is dropped.
            drop(spawn_idle_unloader_watching(
                Arc::downgrade(&client),
                activity.clone(),
                watched,
            ));
        }
        self.local = Some(Arc::new(LocalRuntime {
            client,
            options,
            idle,
            activity,
        }));
        Ok(())
    }

    /// Unloads models of "On this computer" after `idle` without use from
    /// now on (`None`: keeps them loaded), for the engine and its clones;
    /// a model already idle that long is unloaded within a few seconds.
    /// Returns `false` when this engine does not offer "On this computer"
    /// (nothing to set).
    #[must_use = "false: this engine does not run models on this computer"]
    pub fn set_local_idle_unload(&self, idle: Option<Duration>) -> bool {
        let Some(local) = &self.local else {
            return false;
        };
        local.idle.send_replace(idle);
        true
    }

    /// The runner client of "On this computer", for load, unload, the list
    /// of loaded models and acceleration info; `None` when this build or
    /// this engine does not offer it ([`Providers::enable_local`]).
    #[must_use]
    pub fn local_runner(&self) -> Option<&Arc<RunnerClient>> {
        self.local.as_ref().map(|l| &l.client)
    }

    /// The runner, its options and the models' activity; `None` as for
    /// [`Providers::local_runner`].
    pub(crate) fn local_runtime(&self) -> Option<&Arc<LocalRuntime>> {
        self.local.as_ref()
    }

    /// The "On this computer" client with the library's models as they are
    /// now (for loading a model ahead of a reply, `models load`).
    ///
    /// # Errors
    /// [`EngineError::UnsupportedProtocol`] when this engine has no runner
    /// (a build without `local-models`); [`EngineError::Store`].
    pub async fn local_provider(&self) -> Result<LocalProvider, EngineError> {
        let Some(local) = &self.local else {
            return Err(EngineError::UnsupportedProtocol(
                ProtocolKind::Local.as_str().to_owned(),
            ));
        };
        let models = library_models(&self.store).await?;
        Ok(
            LocalProvider::new(local.client.clone(), models, local.options)
                .with_activity(local.activity.clone()),
        )
    }
}
