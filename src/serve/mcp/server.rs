//! [`McpServer`]: rmcp's `ServerHandler` over the engine.
//!
//! One value per MCP session (stdio has one; streamable HTTP makes one per
//! session from [`McpServer::clone`]): the engine and the options are shared,
//! the resource subscriptions are the session's own.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListResourcesResult, ListToolsResult,
    PaginatedRequestParams, ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig, SubscribeRequestParams, SubscriptionFilter,
    UnsubscribeRequestParams,
};
use rmcp::service::{RequestContext, RoleServer, SubscriptionContext};
use rmcp::{ErrorData, Peer};
use serde_json::json;
use valechat_core::chat::Engine;

use super::{resources, tools, watch};

/// How `valechat mcp serve` was started.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// `--read-only`: only `list_models`, `get_usage` and the resources
    /// are listed and callable.
    pub read_only: bool,
    /// The database file, whose modification time (and its `-wal`
    /// file's) gates the 2 s poll for `stats://usage` subscribers; `None`:
    /// the poll recomputes the resource every time.
    pub database: Option<PathBuf>,
    /// Where the apps calling tools are noted (the local API server's
    /// list, shown in Preferences → Server); `None` for stdio.
    pub clients: Option<crate::serve::clients::Clients>,
}

/// The instructions sent in `initialize` (and `server/discover`).
const INSTRUCTIONS: &str = "ValeChat serves the AI model providers configured in the ValeChat app \
(OpenAI, Anthropic, Gemini, local servers…) with its API keys and spending limits. \
Call list_models to see the models and their prices, generate to ask one model, \
compare_models to ask several at once, get_usage for what was spent. \
Read stats://usage for this month's spend and the limits, config://providers for the \
providers and their models.";

/// The MCP server of ValeChat's providers. Cheap to clone: clones share the
/// engine and the options; each clone keeps its own subscriptions (one
/// per session).
#[derive(Clone)]
pub struct McpServer {
    engine: Engine,
    options: Arc<ServeOptions>,
    /// The `stats://usage` subscription of this session.
    subscription: watch::Subscription,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl McpServer {
    /// A server over `engine` with `options`.
    #[must_use]
    pub fn new(engine: Engine, options: ServeOptions) -> Self {
        Self {
            engine,
            options: Arc::new(options),
            subscription: watch::Subscription::default(),
        }
    }

    /// A fresh session's server: the same engine and options, no subscription.
    #[must_use]
    pub fn new_session(&self) -> Self {
        Self {
            engine: self.engine.clone(),
            options: Arc::clone(&self.options),
            subscription: watch::Subscription::default(),
        }
    }

    /// The engine this server serves.
    #[must_use]
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The options it was started with.
    #[must_use]
    pub fn options(&self) -> &ServeOptions {
        &self.options
    }
}

/// `mcp:` + the client's `clientInfo.name` (from `initialize`, or from the
/// request's `_meta` in the stateless era), or `mcp:unknown`: the `client`
/// of the usage records this request makes.
#[must_use]
pub fn client_label(context: &RequestContext<RoleServer>) -> String {
    let name = context
        .peer
        .peer_info()
        .map(|info| info.client_info.name.clone())
        .or_else(|| context.meta.client_info().map(|i| i.name))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    format!("mcp:{name}")
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities: ServerCapabilities = serde_json::from_value(json!({
            "tools": {},
            "resources": {"subscribe": true},
            "logging": {},
        }))
        .unwrap_or_default();
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("valechat", crate::config::VERSION).with_title("ValeChat"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    /// The two eras the client side speaks: 2025-11-25 (`initialize`) and
    /// 2026-07-28 (stateless), and the older initialize versions before
    /// them, which the same handshake serves.
    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::KNOWN_VERSIONS)
    }

    #[allow(deprecated)] // logging/setLevel is the 2025-11-25 era's.
    async fn set_level(
        &self,
        _request: rmcp::model::SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        // No log messages are sent; any level is accepted.
        Ok(())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools::definitions(
            self.options.read_only,
        )))
    }

    fn get_tool(&self, name: &str) -> Option<rmcp::model::Tool> {
        tools::definitions(self.options.read_only)
            .into_iter()
            .find(|t| t.name == name)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let arguments = request.arguments.unwrap_or_default();
        if let Some(clients) = &self.options.clients {
            let label = client_label(&context);
            let name = label.strip_prefix("mcp:").unwrap_or(&label);
            clients.request(crate::serve::clients::ClientKind::Mcp, name);
        }
        let result = tools::call(self, &request.name, arguments, context).await?;
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        Ok(resources::read(&self.engine, &request.uri).await?.into())
    }

    #[allow(deprecated)] // resources/subscribe is the 2025-11-25 era's.
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if request.uri != resources::STATS_URI {
            return Err(resources::not_found(&request.uri));
        }
        let peer: Peer<RoleServer> = context.peer.clone();
        self.subscription
            .start(self.engine.clone(), Arc::clone(&self.options), peer)
            .await;
        Ok(())
    }

    /// `subscriptions/listen` (2026-07-28): only `stats://usage` among the
    /// resources; no list-changed notifications (the lists never change).
    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        let mut accepted = SubscriptionFilter::new();
        if requested
            .resource_subscriptions
            .as_ref()
            .is_some_and(|uris| uris.iter().any(|u| u == resources::STATS_URI))
        {
            accepted.resource_subscriptions = Some(vec![resources::STATS_URI.to_owned()]);
        }
        Some(accepted)
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let stats = context
            .accepted()
            .resource_subscriptions
            .as_ref()
            .is_some_and(|uris| uris.iter().any(|u| u == resources::STATS_URI));
        if stats {
            watch::listen(self.engine.clone(), &self.options, context).await;
        } else {
            context.cancelled().await;
        }
        Ok(())
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if request.uri == resources::STATS_URI {
            self.subscription.stop().await;
        }
        Ok(())
    }
}
