//! MCP (Model Context Protocol) client core: server configurations, child
//! processes, connections, the running-server registry and config import.
//!
//! Built on the official SDK `rmcp` 3.9 (no home-made JSON-RPC). Spec
//! followed: <https://modelcontextprotocol.io/specification> — both the
//! 2025-11-25 era (`initialize` handshake) and the 2026-07-28 stateless era
//! (`server/discover`). No GTK here: the GUI and the CLI drive this code.
//!
//! Files: `config` (what a server is), `path` (login-shell PATH, Flatpak),
//! `log` (per-server stderr and protocol log), `process` (process groups),
//! `http` (streamable HTTP transport, legacy SSE detection), `oauth` (OAuth 2.1
//! through rmcp's `auth` feature, browser sign-in, tokens in the keyring), `websocket`
//! (JSON-RPC over WebSocket text frames), `handler` (client side of the
//! protocol: roots, sampling, elicitation, progress, logging, list changes,
//! resource updates), `content` (tool results, tool hashes, tool names for
//! providers), `sandbox` (optional Bubblewrap sandbox and resource limits
//! of stdio servers), `connection` (one live session; `connection/features`:
//! subscriptions, completions, log level; `connection/input_required`:
//! 2026-07-28 multi round-trip requests), `registry` (all servers,
//! restarts, states), `roots` (the workspace folders offered as roots,
//! `roots/list_changed`), `prompts` and `resources` (what the composer and the
//! resource browser use), `import` (other apps' config files),
//! `elicitation` (elicitation requests as typed forms or URLs, and checking
//! the answers).

pub mod config;
pub mod connection;
pub mod content;
pub mod elicitation;
pub mod handler;
pub mod http;
pub mod import;
pub mod log;
pub mod oauth;
pub mod path;
pub mod process;
pub mod prompts;
pub mod registry;
pub mod resources;
pub mod roots;
pub mod sampling;
pub mod sandbox;
pub mod stream_ready;
pub mod toolbox;
pub mod websocket;

pub use config::{Era, ServerConfig, Transport};
pub use connection::{CallOptions, CompletionTarget, Completions, MAX_INPUT_ROUNDS, McpConnection};
pub use content::{ContentBlock, ToolOutcome, tool_definition, tool_hash};
pub use handler::{ClientHooks, Elicitor, ListKind, ResourceUpdatedCallback, SamplingHandler};
pub use log::{LogLevel, LogLine, LogSource, ServerLog};
pub use prompts::{PromptDraft, PromptEntry};
pub use registry::{McpServers, ServerState};
pub use resources::{ServerResources, expand_template, template_variables};
pub use roots::{RootsSource, WorkspaceRoot};
pub use sampling::{EngineSampler, FixedSamplingApprover, SamplingApprover, SamplingPreview};
pub use sandbox::{SandboxProblem, SandboxSettings};
pub use toolbox::McpToolBox;

use crate::secrets::SecretError;

/// What went wrong with an MCP server. Messages name the server and, where
/// useful, the request.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    /// The configuration cannot be used (empty command, bad URL, bad id).
    #[error("MCP server {server:?} is misconfigured: {reason}")]
    Config {
        /// Server id.
        server: String,
        /// What is wrong.
        reason: String,
    },
    /// The server process could not be started.
    #[error("could not start MCP server {server:?} ({command}): {source}")]
    Spawn {
        /// Server id.
        server: String,
        /// The program that was run.
        command: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The handshake (`initialize` or `server/discover`) failed.
    #[error("MCP server {server:?} did not complete the handshake: {reason}{stderr}")]
    Handshake {
        /// Server id.
        server: String,
        /// rmcp's error text.
        reason: String,
        /// The last stderr lines of a stdio server, formatted (may be empty).
        stderr: String,
    },
    /// The endpoint speaks a transport ValeChat does not support (the
    /// deprecated HTTP+SSE transport of 2024-11-05).
    #[error("MCP server {server:?} uses an unsupported transport: {reason}")]
    UnsupportedTransport {
        /// Server id.
        server: String,
        /// What was detected.
        reason: String,
    },
    /// A request got no answer in time.
    #[error("MCP server {server:?} did not answer {request} within {timeout_ms} ms{hint}{stderr}")]
    Timeout {
        /// Server id.
        server: String,
        /// The request, e.g. `tools/call echo`.
        request: String,
        /// The limit that was hit, milliseconds.
        timeout_ms: u64,
        /// Extra context (e.g. the total cap was hit), may be empty.
        hint: String,
        /// The last stderr lines of a stdio server, formatted (may be empty).
        stderr: String,
    },
    /// The caller cancelled the request (`notifications/cancelled` was sent).
    #[error("the {request} request to MCP server {server:?} was cancelled")]
    Cancelled {
        /// Server id.
        server: String,
        /// The request.
        request: String,
    },
    /// The server went away (crashed, closed stdout, HTTP session lost).
    #[error("MCP server {server:?} closed the connection during {request}{stderr}")]
    Closed {
        /// Server id.
        server: String,
        /// The request in flight.
        request: String,
        /// The last stderr lines, formatted (may be empty).
        stderr: String,
    },
    /// The server answered with a JSON-RPC error or an unexpected result.
    #[error("MCP server {server:?} refused {request}: {reason}")]
    Protocol {
        /// Server id.
        server: String,
        /// The request.
        request: String,
        /// The error message.
        reason: String,
    },
    /// The server needs an OAuth sign-in, and it failed: refused or
    /// cancelled by the user, refused by the authorization server, timed out.
    #[error("could not sign in to MCP server {server:?}: {reason}")]
    SignIn {
        /// Server id.
        server: String,
        /// Why (English).
        reason: String,
    },
    /// The server's sandbox or resource limits cannot be set up (Bubblewrap
    /// or prlimit missing, ValeChat in Flatpak). Not retried: the message
    /// says what the person must change.
    #[error("{problem}")]
    Sandbox {
        /// Server id.
        server: String,
        /// What is missing.
        problem: SandboxProblem,
    },
    /// Reading a secret from the keyring failed.
    #[error("could not read the secrets of MCP server {server:?}: {source}")]
    Secret {
        /// Server id.
        server: String,
        /// The keyring error.
        source: SecretError,
    },
}

impl McpError {
    /// The error's text without what the server wrote on stderr: the text
    /// that may reach a model (a tool result, a server's failure). A
    /// server's stderr can hold tokens (a debug line with a header, a
    /// failing URL with its key); the person still reads it in the server's
    /// log, and [`std::fmt::Display`] keeps it for the command line.
    #[must_use]
    pub fn without_stderr(&self) -> String {
        match self {
            Self::Closed {
                server, request, ..
            } => Self::Closed {
                server: server.clone(),
                request: request.clone(),
                stderr: String::new(),
            }
            .to_string(),
            Self::Handshake { server, reason, .. } => Self::Handshake {
                server: server.clone(),
                reason: reason.clone(),
                stderr: String::new(),
            }
            .to_string(),
            Self::Timeout {
                server,
                request,
                timeout_ms,
                hint,
                ..
            } => Self::Timeout {
                server: server.clone(),
                request: request.clone(),
                timeout_ms: *timeout_ms,
                hint: hint.clone(),
                stderr: String::new(),
            }
            .to_string(),
            other => other.to_string(),
        }
    }
}
