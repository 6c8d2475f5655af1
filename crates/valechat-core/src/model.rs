//! The bottom layer of the core: plain value types that more than one
//! module needs, the store above all.
//!
//! Everything here is data and the logic of that data alone (checks,
//! conversions, formats, calendar arithmetic): no database, network,
//! keyring or process, and no `use` of any other module of this crate
//! (`tests/layers.rs` checks it). [`store`](crate::store) imports this
//! module only, so what it reads and writes is defined here; the modules
//! that give these values their behaviour (`provider`, `billing`, `ledger`,
//! `chat`, `mcp`) sit above the store and re-export them under their old
//! paths (`provider::Role`, `billing::ModelPrice`, `ledger::SpendingLimit`,
//! `mcp::ServerConfig`…).
//!
//! One concept per file.
//!
//! Messages:
//! - [`role`]: [`Role`], who wrote a message;
//! - [`attachment`]: [`Attachment`], an image on a user message, and its checks;
//! - [`resource`]: [`ResourceAttachment`], an MCP resource on a user message.
//!
//! Providers and tools:
//! - [`provider_timeouts`]: [`ProviderTimeouts`], a provider's three waits;
//! - [`rate_limit`]: [`RateLimit`], requests and tokens per minute of a provider;
//! - [`tool_limits`]: [`ToolLimits`], how far tools may go in one turn;
//! - [`price`]: [`ModelPrice`], what a model charges (USD per token), and
//!   [`PriceOrigin`].
//!
//! MCP:
//! - [`mcp_server`]: [`ServerConfig`], a configured MCP server, its
//!   [`Transport`] and cached protocol [`Era`];
//! - [`sandbox_settings`]: [`SandboxSettings`], a stdio server's sandbox and
//!   resource limits;
//! - [`workspace_root`]: [`WorkspaceRoot`], a folder offered to MCP servers.
//!
//! The spending ledger:
//! - [`period`]: [`Period`], a local day or month as UTC milliseconds;
//! - [`spending_limit`]: [`SpendingLimit`], its [`LimitScope`], and
//!   [`NewLimit`], what a person enters, with its checks;
//! - [`limit_error`]: [`LimitError`], why a limit cannot be saved;
//! - [`usage`]: [`UsageRecord`], what one provider request consumed and
//!   cost, and [`UsageTotals`];
//! - [`reservation`]: [`SpendRequest`], [`Reservation`] and the other
//!   values of a pre-flight hold and of settling a request.

pub mod archive;
pub mod attachment;
pub mod limit_error;
pub mod local_model;
pub mod mcp_server;
pub mod period;
pub mod price;
pub mod provider_timeouts;
pub mod rate_limit;
pub mod redirect;
pub mod reservation;
pub mod resource;
pub mod role;
pub mod sampling;
pub mod sandbox_settings;
pub mod spending_limit;
pub mod tool_limits;
pub mod usage;
pub mod workspace_root;

pub use attachment::{Attachment, AttachmentError};
pub use limit_error::LimitError;
pub use mcp_server::{Era, ServerConfig, Transport};
pub use period::{Period, PeriodError, Periods};
pub use price::{ModelPrice, PriceOrigin};
pub use provider_timeouts::{InvalidTimeout, ProviderTimeouts};
pub use rate_limit::RateLimit;
pub use reservation::{
    InterruptedRequest, LimitAlert, LimitBreach, LimitRefusal, LimitUse, Reservation,
    STALE_RESERVATION_MS, Settlement, SpendRequest,
};
pub use resource::{ResourceAttachment, ResourceBody};
pub use role::Role;
pub use sampling::SamplingParameters;
pub use sandbox_settings::SandboxSettings;
pub use spending_limit::{
    LimitScope, NewLimit, SpendTarget, SpendingLimit, format_thresholds, parse_thresholds,
};
pub use tool_limits::{ToolLimits, ToolLimitsError};
pub use usage::{NewUsageRecord, TokenUsage, UsageRecord, UsageTotals};
pub use workspace_root::WorkspaceRoot;
