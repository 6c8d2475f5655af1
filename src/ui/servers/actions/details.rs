//! What the details page shows of one server (its tools, its standing
//! permissions, whether it is signed in) and revoking a permission.

use valechat_core::chat::Engine;
use valechat_core::mcp::oauth;
use valechat_core::mcp::toolbox::server_binding;
use valechat_core::mcp::{McpServers, ServerConfig};
use valechat_core::store::ToolPermission;

use super::store_error;

/// What the details page shows of one server.
#[derive(Debug, Clone)]
pub struct Details {
    /// The server's tools when it is ready (empty otherwise).
    pub tools: Vec<rmcp::model::Tool>,
    /// Its standing "Always allow" permissions.
    pub permissions: Vec<ToolPermission>,
    /// OAuth tokens are stored for it ("Sign Out" is offered).
    pub signed_in: bool,
}

/// The tools and permissions of `config`.
pub async fn details(
    engine: Engine,
    servers: McpServers,
    config: ServerConfig,
) -> Result<Details, String> {
    let tools = servers
        .tools()
        .into_iter()
        .filter(|(id, _)| *id == config.id)
        .map(|(_, tool)| tool)
        .collect();
    let permissions = engine
        .store()
        .list_tool_permissions(&server_binding(&config))
        .await
        .map_err(store_error)?;
    let signed_in = oauth::has_tokens(engine.keys().as_ref(), &config.id)
        .await
        .unwrap_or(false);
    Ok(Details {
        tools,
        permissions,
        signed_in,
    })
}

/// Revokes "Always allow" for `tool` of `config`.
pub async fn revoke(engine: Engine, config: ServerConfig, tool: String) -> Result<(), String> {
    engine
        .store()
        .revoke_tool(&server_binding(&config), &tool)
        .await
        .map(|_| ())
        .map_err(store_error)
}
