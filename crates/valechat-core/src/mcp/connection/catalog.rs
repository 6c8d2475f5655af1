//! The catalogue requests of a [`McpConnection`]: listing tools, resources,
//! resource templates and prompts (every page), reading a resource and
//! getting a prompt (both may go through `input_required` rounds with a
//! 2026-07-28 server, see [`super::input_required`]).

use rmcp::model::{
    ClientRequest, GetPromptRequest, GetPromptRequestParams, GetPromptResult, Prompt,
    ReadResourceRequest, ReadResourceRequestParams, ReadResourceResult, Resource, ResourceTemplate,
    ServerResult, Tool,
};
use tokio_util::sync::CancellationToken;

use super::input_required::Exchange;
use super::{EXCHANGE_CAP, McpConnection, REQUEST_TIMEOUT};
use crate::mcp::McpError;

impl McpConnection {
    /// Every tool, following `nextCursor` through all pages.
    ///
    /// # Errors
    /// [`McpError::Timeout`], [`McpError::Closed`], [`McpError::Protocol`].
    pub async fn list_tools(&self) -> Result<Vec<Tool>, McpError> {
        self.limited("tools/list", self.service.list_all_tools())
            .await
    }

    /// Every resource (all pages).
    ///
    /// # Errors
    /// As [`Self::list_tools`].
    pub async fn list_resources(&self) -> Result<Vec<Resource>, McpError> {
        self.limited("resources/list", self.service.list_all_resources())
            .await
    }

    /// Every resource template (all pages).
    ///
    /// # Errors
    /// As [`Self::list_tools`].
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, McpError> {
        self.limited(
            "resources/templates/list",
            self.service.list_all_resource_templates(),
        )
        .await
    }

    /// Reads the resource at `uri`. A 2026-07-28 server may ask for input
    /// first (`input_required`, see [`super::input_required`]): each round has
    /// [`REQUEST_TIMEOUT`], the whole exchange [`EXCHANGE_CAP`].
    ///
    /// # Errors
    /// As [`Self::list_tools`]; [`McpError::Protocol`] also for a refused
    /// sampling input request or more than [`MAX_INPUT_ROUNDS`](super::MAX_INPUT_ROUNDS) rounds.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, McpError> {
        let limits = Self::short_exchange(format!("resources/read {uri}"));
        let params = ReadResourceRequestParams::new(uri.to_owned());
        let result = self
            .exchange(&limits, |retry| {
                let mut params = params.clone();
                params.input_responses = retry.responses;
                params.request_state = retry.state;
                ClientRequest::ReadResourceRequest(ReadResourceRequest::new(params))
            })
            .await?;
        match result {
            ServerResult::ReadResourceResult(result) => Ok(result),
            _ => Err(self.unexpected(&limits.name)),
        }
    }

    /// Every prompt (all pages).
    ///
    /// # Errors
    /// As [`Self::list_tools`].
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, McpError> {
        self.limited("prompts/list", self.service.list_all_prompts())
            .await
    }

    /// The messages of prompt `name` with `args` (string values). Input
    /// rounds and limits as [`Self::read_resource`].
    ///
    /// # Errors
    /// As [`Self::read_resource`].
    pub async fn get_prompt(
        &self,
        name: &str,
        args: serde_json::Map<String, serde_json::Value>,
    ) -> Result<GetPromptResult, McpError> {
        let limits = Self::short_exchange(format!("prompts/get {name}"));
        let mut params = GetPromptRequestParams::new(name.to_owned());
        params.arguments = Some(args);
        let result = self
            .exchange(&limits, |retry| {
                let mut params = params.clone();
                params.input_responses = retry.responses;
                params.request_state = retry.state;
                ClientRequest::GetPromptRequest(GetPromptRequest::new(params))
            })
            .await?;
        match result {
            ServerResult::GetPromptResult(result) => Ok(result),
            _ => Err(self.unexpected(&limits.name)),
        }
    }

    /// Limits of a `prompts/get` or `resources/read` exchange.
    fn short_exchange(name: String) -> Exchange {
        Exchange {
            name,
            idle: REQUEST_TIMEOUT,
            total: EXCHANGE_CAP,
            reset_on_progress: false,
            progress: None,
            cancel: CancellationToken::new(),
        }
    }

    /// The error for a result of the wrong type.
    pub(super) fn unexpected(&self, request: &str) -> McpError {
        McpError::Protocol {
            server: self.server_id.clone(),
            request: request.to_owned(),
            reason: "unexpected result type".into(),
        }
    }
}
