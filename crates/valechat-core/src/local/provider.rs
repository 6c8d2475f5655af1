//! "On this computer": a [`ChatProvider`] over the local runner
//! ([`super::client`]), for GGUF models given as (model id, path) pairs —
//! the model library supplies them; a bare path works too.
//!
//! Replies stream token by token; Stop (the cancellation token) ends the
//! stream at once with [`ProviderError::Cancelled`] and tells the runner to
//! stop; usage is the runner's exact count from the model's tokenizer; cost
//! is the price table's (none is shipped for local models, so zero unless
//! the user prices them). Errors map to [`ProviderError`] thus: a model that
//! does not load or has no usable chat template →
//! [`ProviderError::Config`]; a conversation longer than the context →
//! [`ProviderError::TooLarge`] with both token counts; the runner dying →
//! [`ProviderError::Connection`] (mid-reply too, so the partial reply is kept
//! as after a network cut), and the next request starts a new runner.
//!
//! Tools: the request's tools and the history's tool calls and results go
//! to the runner, which renders them with the model's template and reads
//! the calls out of the generated text ([`super::tool_calls`]); each call
//! arrives as [`ChatEvent::ToolCallStart`](crate::provider::ChatEvent::ToolCallStart) and one
//! [`ChatEvent::ToolCallArgumentsDelta`](crate::provider::ChatEvent::ToolCallArgumentsDelta) with the whole arguments, and the
//! reply finishes with [`FinishReason::ToolCalls`](crate::provider::FinishReason::ToolCalls), so the engine's tool
//! loop runs as for a cloud provider. A model whose template has no tool
//! support refuses a request with tools ([`ProviderError::Config`] naming
//! the model); the tools are never dropped silently.

mod stream;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::client::{ClientError, RunnerClient};
use super::idle::Activity;
use super::protocol::{Message, Op, Reply, RunnerError, Sampling};
use crate::provider::{ChatProvider, ChatRequest, ChatStream, ModelInfo, ProviderError};

/// A model on this computer: the id the picker and `ChatRequest.model` use,
/// and its GGUF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalModel {
    /// Identifier (the library's id; or the path itself).
    pub id: String,
    /// Path of the `.gguf` file.
    pub path: PathBuf,
    /// The name to show (the library's: the GGUF's `general.name`); `None`:
    /// the file name without `.gguf`.
    pub name: Option<String>,
}

/// How models are loaded and sampled.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LocalOptions {
    /// Context length in tokens; `None`: the model's trained length, at most 4096.
    pub context_length: Option<u32>,
    /// CPU threads; `None`: the available cores.
    pub threads: Option<u32>,
    /// Layers offloaded to the GPU (0: none).
    pub gpu_layers: u32,
    /// Sampling defaults; what the `ChatRequest` sets (its temperature and
    /// `sampling`) wins.
    pub sampling: Sampling,
    /// Unload a model after this long without use; `None`: keep it loaded
    /// ([`super::idle::DEFAULT_IDLE_UNLOAD`] in the app).
    pub idle_unload_after: Option<std::time::Duration>,
    /// Refuse to load a model whose memory estimate exceeds the memory
    /// available (`MemAvailable`); on unless turned off.
    pub skip_memory_check: bool,
}

/// The "On this computer" provider.
pub struct LocalProvider {
    client: Arc<RunnerClient>,
    models: Vec<LocalModel>,
    options: LocalOptions,
    /// Where replies record their model's use, for the idle unloader.
    activity: Option<Arc<Activity>>,
}

impl LocalProvider {
    /// A provider offering `models` (from the model library) through `client`.
    #[must_use]
    pub fn new(client: Arc<RunnerClient>, models: Vec<LocalModel>, options: LocalOptions) -> Self {
        Self {
            client,
            models,
            options,
            activity: None,
        }
    }

    /// This provider recording each reply's use of its model in `activity`
    /// (for [`super::idle::spawn_idle_unloader`]).
    #[must_use]
    pub fn with_activity(mut self, activity: Arc<Activity>) -> Self {
        self.activity = Some(activity);
        self
    }

    /// The runner client, for load/unload/list and the other runner requests.
    #[must_use]
    pub fn client(&self) -> &Arc<RunnerClient> {
        &self.client
    }

    /// The GGUF path of `model`: a listed id, else an existing file path.
    fn path_of(&self, model: &str) -> Result<PathBuf, ProviderError> {
        if let Some(m) = self.models.iter().find(|m| m.id == model) {
            return Ok(m.path.clone());
        }
        let path = Path::new(model);
        if path.is_file() {
            return Ok(path.to_path_buf());
        }
        Err(ProviderError::NotFound {
            message: format!(
                "no model on this computer is named {model}, and no file has that path"
            ),
        })
    }

    /// Loads `model` in the runner unless it is loaded; before a load, its
    /// memory estimate at the context it gets is compared with the memory
    /// available ([`super::fit`]).
    ///
    /// # Errors
    /// [`ProviderError::Config`] when the file does not load (the runner's
    /// words: missing, not GGUF, truncated, unknown architecture) or does
    /// not fit in memory (both sizes named),
    /// [`ProviderError::Connection`] when the runner cannot run.
    pub async fn load(&self, model: &str) -> Result<(), ProviderError> {
        let path = self.path_of(model)?;
        if !self.options.skip_memory_check && !self.client.is_loaded(model).await {
            let (file, context) = (path.clone(), self.options.context_length);
            let needed =
                tokio::task::spawn_blocking(move || super::fit::estimate_file(&file, context))
                    .await
                    .ok()
                    .and_then(Result::ok);
            // A header that cannot be read gets the runner's own error below.
            if let Some(needed) = needed {
                super::fit::check_fits(model, &needed, super::fit::available_bytes())
                    .map_err(ProviderError::Config)?;
            }
        }
        let load = Op::Load {
            model: model.to_owned(),
            path: path.to_string_lossy().into_owned(),
            context_length: self.options.context_length,
            threads: self.options.threads,
            gpu_layers: self.options.gpu_layers,
        };
        self.client
            .ensure_loaded(model, load)
            .await
            .map_err(to_provider_error)
    }
}

/// The provider error for a client error (see the module doc).
#[must_use]
pub fn to_provider_error(error: ClientError) -> ProviderError {
    match error {
        ClientError::Runner(e @ RunnerError::ContextOverflow { .. }) => {
            ProviderError::TooLarge(e.to_string())
        }
        ClientError::Runner(
            e @ (RunnerError::Load { .. }
            | RunnerError::Template { .. }
            | RunnerError::ToolSchema { .. }),
        ) => ProviderError::Config(e.to_string()),
        ClientError::Runner(e @ RunnerError::NotLoaded { .. }) => ProviderError::NotFound {
            message: e.to_string(),
        },
        ClientError::Runner(RunnerError::Other { message }) => ProviderError::Stream { message },
        e @ ClientError::Stopped(_) => ProviderError::Connection(e.to_string()),
        ClientError::Protocol(message) => ProviderError::Malformed(message),
    }
}

/// `defaults` with what `request` sets (temperature, top-p, top-k, min-p,
/// repeat penalty, seed) in their place.
fn merged_sampling(defaults: Sampling, request: &ChatRequest) -> Sampling {
    let asked = &request.sampling;
    Sampling {
        temperature: request.temperature.or(defaults.temperature),
        top_p: asked.top_p.or(defaults.top_p),
        top_k: asked
            .top_k
            .and_then(|k| i32::try_from(k).ok())
            .or(defaults.top_k),
        min_p: asked.min_p.or(defaults.min_p),
        repeat_penalty: asked.repeat_penalty.or(defaults.repeat_penalty),
        seed: asked.seed.or(defaults.seed),
    }
}

fn messages(request: &ChatRequest) -> Vec<Message> {
    request
        .messages
        .iter()
        .map(|m| Message {
            tool_calls: m.tool_calls.clone(),
            tool_call_id: m.tool_call_id.clone(),
            name: m.tool_name.clone(),
            ..Message::new(m.role.as_str(), m.content.clone())
        })
        .collect()
}

#[async_trait::async_trait]
impl ChatProvider for LocalProvider {
    async fn stream_chat(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<ChatStream, ProviderError> {
        request.check_tool_choice()?;
        let in_use = self.activity.as_ref().map(|a| a.begin(&request.model));
        self.load(&request.model).await?;
        let sampling = merged_sampling(self.options.sampling, &request);
        let mut generation = self
            .client
            .generate(Op::Generate {
                model: request.model.clone(),
                messages: messages(&request),
                // `None`: no tools rendered, no grammar.
                tools: if request.tool_choice.offers_tools() {
                    request.tools.clone()
                } else {
                    Vec::new()
                },
                tool_choice: request.tool_choice.clone(),
                sampling,
                max_output_tokens: request.max_output_tokens,
            })
            .await
            .map_err(to_provider_error)?;
        // Errors before the first token (context overflow, template) are
        // returned here, as the trait asks.
        let first = tokio::select! {
            biased;
            () = cancel.cancelled() => None,
            first = generation.replies.recv() => Some(first),
        };
        let Some(first) = first else {
            self.client.cancel(generation.id).await;
            return Err(ProviderError::Cancelled);
        };
        let first = match first {
            Some(Reply::Error { error, .. }) => return Err(to_provider_error(error.into())),
            None => {
                return Err(to_provider_error(ClientError::Stopped(
                    generation.stop_reason(),
                )));
            }
            Some(reply) => reply,
        };
        let client = self.client.clone();
        let model = request.model.clone();
        let stream = stream::async_stream(client, generation, first, cancel, model, in_use);
        Ok(stream)
    }

    async fn list_models(&self) -> Result<Vec<ModelInfo>, ProviderError> {
        let mut models: Vec<ModelInfo> = self
            .models
            .iter()
            .map(|m| ModelInfo {
                display_name: m
                    .name
                    .clone()
                    .or_else(|| m.path.file_stem().map(|s| s.to_string_lossy().into_owned())),
                // Known only from the template, read when a reply starts.
                supports_tools: None,
                supports_vision: Some(false),
                ..ModelInfo::new(&m.id)
            })
            .collect();
        models.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(models)
    }
}
