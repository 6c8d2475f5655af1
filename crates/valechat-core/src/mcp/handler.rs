//! The client side of the protocol: what ValeChat answers when a server asks
//! (roots, sampling, elicitation) and what it does with notifications
//! (progress, log messages with their level, list changes, resource
//! updates). rmcp's `ClientHandler` is
//! implemented by [`ValeClient`]; the app plugs its behaviour in through
//! [`ClientHooks`] ([`SamplingHandler`], [`Elicitor`]). Without a handler,
//! sampling and elicitation requests are declined with a clear message.
//! The same answers serve the 2026-07-28 `input_required` input requests
//! ([`ValeClient::sample`], [`ValeClient::elicit`], [`ValeClient::roots`],
//! driven by `connection/input_required`).
//!
//! Roots, sampling and logging are deprecated by the 2026-07-28 spec
//! (SEP-2577) but still used by 2025-11-25 servers, hence
//! `allow(deprecated)`.
#![allow(deprecated)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rmcp::ClientHandler;
use rmcp::model::{
    ClientCapabilities, ClientConfig, CreateMessageRequestParams, CreateMessageResult,
    ElicitRequestParams, ElicitResult, ElicitationAction, Implementation, ListRootsResult,
    LoggingMessageNotificationParam, ProgressNotificationParam, ProgressToken, ProtocolVersion,
    ResourceUpdatedNotificationParam,
};
use rmcp::service::{NotificationContext, RequestContext, RoleClient};

use super::connection::UserWaits;
use super::log::{LogSource, ServerLog};
use super::roots::RootsSource;

/// Answers a server's `sampling/createMessage` request (the app shows it to
/// the user, sends it through a provider and bills it).
#[async_trait::async_trait]
pub trait SamplingHandler: Send + Sync {
    /// Produces the completion, or `Err(reason)` to refuse (the reason is
    /// sent to the server).
    async fn create_message(
        &self,
        server_id: &str,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, String>;
}

/// Answers a server's `elicitation/create` request (a form or a URL).
#[async_trait::async_trait]
pub trait Elicitor: Send + Sync {
    /// Asks the user; returns accept (with content), decline or cancel.
    async fn elicit(&self, server_id: &str, params: ElicitRequestParams) -> ElicitResult;
}

/// A progress update for a running call: `(progress, total, message)`.
pub type ProgressCallback = Arc<dyn Fn(f64, Option<f64>, Option<String>) + Send + Sync>;

/// Called when the server says its tool, resource or prompt list changed.
pub type ListChangedCallback = Arc<dyn Fn(ListKind) + Send + Sync>;

/// Called with `(server id, resource URI)` when a subscribed resource
/// changed (`notifications/resources/updated`); read it again to see how.
pub type ResourceUpdatedCallback = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// Which list changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// `notifications/tools/list_changed`.
    Tools,
    /// `notifications/resources/list_changed`.
    Resources,
    /// `notifications/prompts/list_changed`.
    Prompts,
}

/// What the app provides to a connection.
#[derive(Clone, Default)]
pub struct ClientHooks {
    /// Folders answered to `roots/list` (as `file://` URIs with names);
    /// shared with the app, which changes them as the conversation on
    /// screen changes (each change sends `notifications/roots/list_changed`).
    pub roots: RootsSource,
    /// Sampling handler; `None`: decline.
    pub sampling: Option<Arc<dyn SamplingHandler>>,
    /// Elicitation handler; `None`: decline.
    pub elicitor: Option<Arc<dyn Elicitor>>,
    /// List-changed observer.
    pub on_list_changed: Option<ListChangedCallback>,
    /// Observer of updates to subscribed resources
    /// ([`McpConnection::subscribe`](super::McpConnection::subscribe)).
    pub on_resource_updated: Option<ResourceUpdatedCallback>,
    /// OAuth for streamable HTTP servers that answer `401`; `None`: a `401`
    /// fails the connection.
    pub oauth: Option<super::oauth::OAuthSettings>,
}

impl std::fmt::Debug for ClientHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientHooks")
            .field("roots", &self.roots)
            .field("sampling", &self.sampling.is_some())
            .field("elicitor", &self.elicitor.is_some())
            .field("on_list_changed", &self.on_list_changed.is_some())
            .field("on_resource_updated", &self.on_resource_updated.is_some())
            .field("oauth", &self.oauth)
            .finish()
    }
}

/// Progress callbacks of the calls in flight, by progress token.
#[derive(Clone, Default)]
pub struct ProgressRoutes {
    inner: Arc<Mutex<HashMap<String, ProgressCallback>>>,
}

impl ProgressRoutes {
    /// Routes progress for `token` to `callback` until [`Self::remove`].
    pub fn insert(&self, token: &ProgressToken, callback: ProgressCallback) {
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert(token.0.to_string(), callback);
    }

    /// Stops routing `token`.
    pub fn remove(&self, token: &ProgressToken) {
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        map.remove(&token.0.to_string());
    }

    fn get(&self, token: &ProgressToken) -> Option<ProgressCallback> {
        let map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&token.0.to_string()).cloned()
    }
}

/// rmcp client handler of one connection.
#[derive(Clone)]
pub struct ValeClient {
    server_id: String,
    hooks: ClientHooks,
    log: ServerLog,
    progress: ProgressRoutes,
    user_waits: UserWaits,
    protocol_version: Option<ProtocolVersion>,
}

impl ValeClient {
    /// A handler for `server_id` logging into `log`.
    #[must_use]
    pub fn new(
        server_id: &str,
        hooks: ClientHooks,
        log: ServerLog,
        progress: ProgressRoutes,
    ) -> Self {
        Self {
            server_id: server_id.to_owned(),
            hooks,
            log,
            progress,
            user_waits: UserWaits::default(),
            protocol_version: None,
        }
    }

    /// Holds `waits` while a sampling or elicitation request is answered,
    /// so the connection's requests in flight do not hit their idle limit
    /// while the user decides.
    #[must_use]
    pub fn with_user_waits(mut self, waits: UserWaits) -> Self {
        self.user_waits = waits;
        self
    }

    /// Offers `version` in `initialize` instead of rmcp's latest (legacy
    /// servers get `LATEST_WITH_INITIALIZE`).
    #[must_use]
    pub fn with_protocol_version(mut self, version: Option<ProtocolVersion>) -> Self {
        self.protocol_version = version;
        self
    }

    fn list_changed(&self, kind: ListKind) {
        self.log.push(
            LogSource::Client,
            &format!("server says its {kind:?} list changed"),
        );
        if let Some(callback) = &self.hooks.on_list_changed {
            callback(kind);
        }
    }
}

impl ValeClient {
    /// Answers `sampling/createMessage` (a server→client request in the
    /// 2025-11-25 era, an `input_required` input request in 2026-07-28)
    /// through the [`SamplingHandler`]. The connection's idle limits stand
    /// still meanwhile (approval and generation take their time).
    ///
    /// # Errors
    /// `Err(reason)` when there is no handler or it refused; the reason
    /// starts with "ValeChat declined the sampling request".
    pub async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, String> {
        let _held = self.user_waits.begin();
        let Some(handler) = &self.hooks.sampling else {
            return Err(
                "ValeChat declined the sampling request: sampling is not enabled for this server"
                    .to_owned(),
            );
        };
        handler
            .create_message(&self.server_id, params)
            .await
            .map_err(|reason| format!("ValeChat declined the sampling request: {reason}"))
    }

    /// Answers `elicitation/create` through the [`Elicitor`]; without one,
    /// declines (and says so in the server's log). The connection's idle
    /// limits stand still meanwhile.
    pub async fn elicit(&self, params: ElicitRequestParams) -> ElicitResult {
        let _held = self.user_waits.begin();
        if let Some(elicitor) = &self.hooks.elicitor {
            elicitor.elicit(&self.server_id, params).await
        } else {
            self.log.push(
                LogSource::Client,
                "declined an elicitation request: no elicitation handler",
            );
            ElicitResult::new(ElicitationAction::Decline)
        }
    }

    /// Answers `roots/list` with the current [`ClientHooks::roots`] (and
    /// says so in the server's log).
    #[must_use]
    pub fn roots(&self) -> ListRootsResult {
        let roots = self.hooks.roots.list();
        self.log.push(
            LogSource::Client,
            &format!("answered roots/list with {} root(s)", roots.len()),
        );
        ListRootsResult::new(roots)
    }
}

impl ClientHandler for ValeClient {
    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, rmcp::ErrorData> {
        self.sample(params)
            .await
            .map_err(|reason| rmcp::ErrorData::invalid_request(reason, None))
    }

    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, rmcp::ErrorData> {
        Ok(self.roots())
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, rmcp::ErrorData> {
        Ok(self.elicit(request).await)
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        if let Some(callback) = self.progress.get(&params.progress_token) {
            callback(params.progress, params.total, params.message);
        }
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let data = match params.data {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        };
        let text = match params.logger {
            Some(logger) if !logger.is_empty() => format!("{logger}: {data}"),
            _ => data,
        };
        self.log.push_protocol(params.level.into(), &text);
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        if let Some(callback) = &self.hooks.on_resource_updated {
            callback(&self.server_id, &params.uri);
        }
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.list_changed(ListKind::Tools);
    }

    async fn on_resource_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.list_changed(ListKind::Resources);
    }

    async fn on_prompt_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.list_changed(ListKind::Prompts);
    }

    fn get_info(&self) -> ClientConfig {
        // Built from JSON: rmcp's typed builder is behind its `macros`
        // feature. The literal always deserialises (checked by a test).
        let capabilities: ClientCapabilities = serde_json::from_value(serde_json::json!({
            "roots": {"listChanged": true},
            "sampling": {},
            "elicitation": {"form": {}, "url": {}},
        }))
        .unwrap_or_default();
        let mut info = ClientConfig::new(
            capabilities,
            Implementation::new("valechat", crate::VERSION),
        );
        if let Some(version) = &self.protocol_version {
            info.protocol_version = version.clone();
        }
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_advertise_roots_sampling_and_elicitation() {
        let client = ValeClient::new(
            "x",
            ClientHooks::default(),
            ServerLog::default(),
            ProgressRoutes::default(),
        );
        let info = client.get_info();
        let roots = info.capabilities.roots.expect("roots capability");
        assert_eq!(roots.list_changed, Some(true));
        assert!(info.capabilities.sampling.is_some());
        assert!(info.capabilities.elicitation.is_some());
    }
}
