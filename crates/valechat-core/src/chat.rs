//! The chat engine: one [`Turn`] per user message.
//!
//! [`Engine::send`] takes a [`SendRequest`] (which conversation, existing or
//! new; the user's text and attachments; the options), persists the user's
//! message, builds the request from the conversation's history, opens the provider's stream and returns a [`Turn`]:
//! a stream of [`TurnEvent`]s plus [`Turn::cancel`]. The assistant message is
//! written to the store while it grows (at most every
//! [`SAVE_INTERVAL`]), so a crash or a stop keeps what arrived, marked
//! incomplete (DESIGN.md, "Data flow of one message").
//!
//! [`Engine::compare`] sends one prompt to 2–6 models at once, their
//! replies siblings under it (module `compare`).
//!
//! The GUI, the CLI and tests drive the engine the same way.

mod breakers;
mod compare;
mod complete;
mod embed;
mod error;
mod history;
mod interrupted;
mod local_models;
mod meter;
mod placement;
mod providers;
mod rate;
mod request;
mod runner;
mod send;
mod title;
mod tool_round;
mod tools;
mod turn;
mod user_message;
mod vision;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use compare::{
    ColumnSummary, CompareEvent, CompareRequest, Comparison, MAX_COMPARE_MODELS, MIN_COMPARE_MODELS,
};
pub use complete::{Completion, CompletionEvent, CompletionRequest, CompletionStream};
pub use embed::{EmbedError, EmbeddingEstimate, ProviderEmbeddings};
pub use error::EngineError;
pub use local_models::{LoadedLocalModel, LocalModelError};
pub use providers::{
    LOCAL_PROVIDER_ID, LOCAL_PROVIDER_NAME, ProviderUpdate, Providers, is_built_in, key_hint,
    library_models,
};
pub use rate::RateLimiters;
pub use request::{
    BranchPoint, ConversationTarget, McpServerChoice, NewConversationRequest, SendRequest,
    UserInput,
};
pub use title::title_from_prompt;
pub use tools::{
    Approval, ApprovalRequest, Approver, FixedApprover, MAX_STORED_RESULT_BYTES, OfferedTool,
    ToolBox, ToolError, ToolHints, ToolOutput, ToolProgress, ToolSettings, stored_result,
    truncate_for_model,
};
pub use turn::{Turn, TurnEvent};
pub use user_message::{UserError, limit_name};

pub use crate::model::{RateLimit, ToolLimits, ToolLimitsError};

use crate::billing::{ModelPrice, PriceBook, PriceOrigin};
use crate::provider::{ChatMessage, ChatProvider, ChatRequest, Role, ToolChoice};
use crate::secrets::KeyStore;
use crate::store::{Message, MessageParent, MessageStatus, NewConversation, Provider, Store};

/// Choices that apply to one send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// Send even if a hard spending limit would be crossed (the person
    /// confirmed "Send Anyway" after [`EngineError::LimitReached`]); the
    /// limit is recorded as overridden and the reply is not cut off.
    pub allow_over_limit: bool,
}

/// How often a growing assistant message is written to the store (milliseconds granularity).
pub const SAVE_INTERVAL: Duration = Duration::from_millis(400);

/// The engine: the store, the key store, and the way to reach each provider.
#[derive(Clone)]
pub struct Engine {
    store: Store,
    /// The configured providers, their keys and circuit breakers.
    providers: Providers,
    /// Tools offered to models, when set with [`Engine::with_tools`].
    tools: Option<ToolSettings>,
    /// Requests and tokens per minute per provider, shared by clones.
    rates: RateLimiters,
    /// The price book, opened (and the shipped table loaded) on first use.
    prices: Arc<tokio::sync::OnceCell<PriceBook>>,
    /// Spending alerts of completions, for [`Engine::completion_alerts`].
    completion_alerts: tokio::sync::broadcast::Sender<Vec<crate::ledger::LimitAlert>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

impl Engine {
    /// Creates an engine over an opened store and a key store.
    pub fn new(store: Store, keys: Arc<dyn KeyStore>) -> Self {
        Self {
            providers: Providers::new(store.clone(), keys),
            store,
            tools: None,
            prices: Arc::default(),
            rates: RateLimiters::default(),
            completion_alerts: tokio::sync::broadcast::channel(complete::ALERT_BUFFER).0,
        }
    }

    /// The price book over this engine's store; the first call loads the
    /// shipped price table into it (idempotent, a few milliseconds).
    ///
    /// # Errors
    /// [`EngineError::Store`] if the table cannot be loaded.
    pub async fn price_book(&self) -> Result<&PriceBook, EngineError> {
        let store = self.store.clone();
        Ok(self
            .prices
            .get_or_try_init(|| PriceBook::open(store))
            .await?)
    }

    /// The price of `model` at `provider` in force now, and where it comes
    /// from (the user's, the shipped table's, or free for a local server);
    /// `None` when unknown.
    ///
    /// # Errors
    /// [`EngineError::Store`].
    pub async fn model_price(
        &self,
        provider: &Provider,
        model: &str,
    ) -> Result<Option<(ModelPrice, PriceOrigin)>, EngineError> {
        let now = chrono::Utc::now().timestamp_millis();
        Ok(self
            .price_book()
            .await?
            .price_for_provider(provider, model, now)
            .await?)
    }

    /// This engine offering "On this computer" (the provider
    /// [`LOCAL_PROVIDER_ID`], the model library's models) run by `command`
    /// (the app's `valechat local-runner`) with `options`; its `providers`
    /// row is written if missing ([`Providers::enable_local`]).
    ///
    /// # Errors
    /// [`EngineError::Store`] when the row cannot be written.
    pub async fn with_local_models(
        mut self,
        command: crate::local::client::RunnerCommand,
        options: crate::local::provider::LocalOptions,
    ) -> Result<Self, EngineError> {
        self.providers.enable_local(command, options).await?;
        Ok(self)
    }

    /// Unloads models of "On this computer" after `idle` without use from
    /// now on (`None`: never), in this engine and its clones
    /// ([`Providers::set_local_idle_unload`]); `false` when this engine
    /// does not offer "On this computer".
    #[must_use = "false: this engine does not run models on this computer"]
    pub fn set_local_idle_unload(&self, idle: Option<std::time::Duration>) -> bool {
        self.providers.set_local_idle_unload(idle)
    }

    /// This engine offering `tools` in every later turn (the GUI passes the
    /// MCP registry and its approval dialog; the CLI a fixed answer).
    #[must_use]
    pub fn with_tools(mut self, tools: ToolSettings) -> Self {
        self.tools = Some(tools);
        self
    }

    /// The tools this engine offers, when set with [`Engine::with_tools`]
    /// (servers of other front ends reuse its toolbox with their own
    /// approver).
    #[must_use]
    pub fn tool_settings(&self) -> Option<&ToolSettings> {
        self.tools.as_ref()
    }

    /// The store, for repository calls (lists, renames, deletes).
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The key store holding providers' API keys.
    #[must_use]
    pub fn keys(&self) -> &Arc<dyn KeyStore> {
        self.providers.keys()
    }

    /// The providers registry: add, edit, remove and test providers, their
    /// keys and model lists.
    #[must_use]
    pub fn providers(&self) -> &Providers {
        &self.providers
    }

    /// Starts a new conversation with `provider_id`/`model`, titled from
    /// nothing yet (the first message names it).
    ///
    /// # Errors
    /// [`EngineError::Store`] when the database fails (a provider id that is not
    /// configured is refused by the store).
    pub async fn new_conversation(
        &self,
        provider_id: Option<&str>,
        model: Option<&str>,
    ) -> Result<crate::store::Conversation, EngineError> {
        Ok(self
            .store
            .create_conversation(NewConversation {
                title: String::new(),
                provider_id: provider_id.map(str::to_owned),
                model: model.map(str::to_owned),
            })
            .await?)
    }

    /// Asks again for a reply to the last user message of the branch shown
    /// (the Retry action after a failure). A trailing assistant message
    /// that failed with no text is removed first; a partial one is kept
    /// (the new reply becomes its sibling).
    ///
    /// # Errors
    /// [`EngineError::NothingToRetry`] when the branch shown does not end
    /// with a user message and its replies; otherwise as [`Engine::send`]
    /// (no model, unknown provider, locked keyring, a hard limit, store
    /// errors).
    pub async fn retry(&self, conversation_id: i64) -> Result<Turn, EngineError> {
        let conversation = self.conversation(conversation_id).await?;
        let (provider_id, model) = conversation_target(&conversation)?;
        let client = self.providers.client(&provider_id).await?;
        let mut history = self.store.active_path(conversation_id).await?;
        while let Some(last) = history.last() {
            if last.role == Role::Assistant {
                if last.status == MessageStatus::Failed && last.content.is_empty() {
                    self.store.delete_message(last.id).await?;
                }
                history.pop();
            } else {
                break;
            }
        }
        let Some(user) = history.last().filter(|m| m.role == Role::User) else {
            return Err(EngineError::NothingToRetry);
        };
        let reply_parent = MessageParent::Message(user.id);
        let messages = self.request_messages(&conversation, &history).await?;
        let meter = self
            .meter(
                &conversation,
                &provider_id,
                &model,
                SendOptions::default(),
                None,
            )
            .await?;
        let first = meter.preflight(messages.clone()).await?;
        Ok(self.start_turn(
            client,
            &conversation,
            (provider_id, model),
            messages,
            (None, reply_parent),
            (meter, first),
        ))
    }

    /// The billing meter of a turn on `provider_id`/`model`: the price in
    /// force (an unreadable price table only logs: the turn is then
    /// billed as unpriced), the conversation's output cap and the client
    /// named in its usage records (`None`: the window or the CLI).
    async fn meter(
        &self,
        conversation: &crate::store::Conversation,
        provider_id: &str,
        model: &str,
        options: SendOptions,
        client: Option<String>,
    ) -> Result<meter::Meter, EngineError> {
        let provider = self
            .store
            .get_provider(provider_id)
            .await?
            .ok_or_else(|| EngineError::UnknownProvider(provider_id.to_owned()))?;
        let price = match self.model_price(&provider, model).await {
            Ok(price) => price,
            Err(e) => {
                tracing::warn!(provider = provider_id, model, "no price: {e}");
                None
            }
        };
        Ok(meter::Meter::new(
            self.store.clone(),
            meter::MeterSetup {
                provider_id: provider_id.to_owned(),
                model: model.to_owned(),
                conversation_id: Some(conversation.id),
                price,
                max_output_tokens: conversation
                    .max_output_tokens
                    .and_then(|n| u64::try_from(n).ok()),
                allow_over_limit: options.allow_over_limit,
                client,
            },
        ))
    }

    async fn conversation(&self, id: i64) -> Result<crate::store::Conversation, EngineError> {
        self.store
            .get_conversation(id)
            .await?
            .ok_or(EngineError::UnknownConversation(id))
    }

    fn start_turn(
        &self,
        client: Arc<dyn ChatProvider>,
        conversation: &crate::store::Conversation,
        (provider_id, model): (String, String),
        messages: Vec<ChatMessage>,
        (user, parent): (Option<Message>, MessageParent),
        billing: (meter::Meter, meter::RequestMeter),
    ) -> Turn {
        let (tx, rx) = mpsc::channel(256);
        let cancel = CancellationToken::new();
        let request = ChatRequest {
            model: model.clone(),
            messages,
            temperature: conversation.temperature,
            max_output_tokens: billing.0.output_cap(),
            sampling: conversation.sampling(),
            tools: Vec::new(),
            tool_choice: ToolChoice::Auto,
        };
        let conversation_id = conversation.id;
        let job = runner::TurnJob {
            store: self.store.clone(),
            client,
            conversation_id,
            provider_id,
            model,
            request,
            user,
            parent,
            events: tx,
            cancel: cancel.clone(),
            tools: self.tools.clone(),
            meter: billing.0,
            first_request: Some(billing.1),
            rates: self.rates.clone(),
            open: runner::Open::default(),
        };
        tokio::spawn(job.run_guarded());
        Turn::new(rx, cancel)
    }
}

fn conversation_target(
    conversation: &crate::store::Conversation,
) -> Result<(String, String), EngineError> {
    match (&conversation.provider_id, &conversation.model) {
        (Some(p), Some(m)) if !m.is_empty() => Ok((p.clone(), m.clone())),
        _ => Err(EngineError::NoModelChosen),
    }
}
