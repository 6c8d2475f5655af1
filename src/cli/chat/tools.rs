//! MCP tools in `valechat chat`: the enabled servers are started and given
//! a short while to become ready, and each tool call is approved by a flag
//! (`--yes`, `--deny-tools`) or by a question on the terminal. The servers
//! see the conversation's workspace folders as roots (`--root DIR` adds
//! one for good).

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use valechat_core::chat::{
    Approval, ApprovalRequest, Approver, Engine, FixedApprover, ToolSettings,
};
use valechat_core::mcp::roots::default_name;
use valechat_core::mcp::{
    ClientHooks, McpServers, McpToolBox, RootsSource, ServerState, WorkspaceRoot,
};

/// Longest `chat` waits for enabled servers to finish starting.
pub const READY_WAIT: Duration = Duration::from_secs(20);

/// How tool calls are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolPolicy {
    /// Ask on the terminal (deny when there is none).
    Ask,
    /// Allow every call (`--yes`).
    AllowAll,
    /// Deny every call (`--deny-tools`).
    DenyAll,
}

/// `dirs` made absolute (symbolic links resolved), each checked to be an
/// existing folder.
///
/// # Errors
/// Names the first `--root` that does not exist or is not a folder.
pub fn resolve_roots(dirs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    dirs.iter()
        .map(|dir| {
            let path = std::fs::canonicalize(dir)
                .map_err(|e| anyhow::anyhow!("--root {}: {e}", dir.display()))?;
            if !path.is_dir() {
                anyhow::bail!("--root {}: not a folder", dir.display());
            }
            Ok(path)
        })
        .collect()
}

/// The workspace folders of a new conversation: each of `folders`
/// (absolute, from [`resolve_roots`]) named after its last component.
pub fn new_roots(folders: &[PathBuf]) -> Vec<WorkspaceRoot> {
    folders
        .iter()
        .map(|path| WorkspaceRoot::new(path.clone(), default_name(path)))
        .collect()
}

/// Adds each of `folders` (absolute, from [`resolve_roots`]) to the
/// workspace folders of `conversation_id`, and returns all of the
/// conversation's folders, in order, as the roots for this chat.
///
/// # Errors
/// When the store fails.
pub async fn workspace_roots(
    engine: &Engine,
    conversation_id: i64,
    folders: &[PathBuf],
) -> anyhow::Result<RootsSource> {
    for path in folders {
        engine
            .store()
            .add_conversation_root(
                conversation_id,
                &path.to_string_lossy(),
                &default_name(path),
            )
            .await?;
    }
    let folders = engine
        .store()
        .list_conversation_roots(conversation_id)
        .await?
        .into_iter()
        .map(|r| WorkspaceRoot::new(r.path, r.name))
        .collect();
    Ok(RootsSource::new(folders))
}

/// Starts the enabled servers, which see `roots`, and returns the engine
/// offering their tools, with the registry to shut down at the end.
/// Without enabled servers the engine is returned unchanged.
///
/// # Errors
/// When the server list cannot be read.
pub async fn with_tools(
    engine: &Engine,
    policy: ToolPolicy,
    roots: RootsSource,
) -> anyhow::Result<(Engine, Option<McpServers>)> {
    if let Err(e) =
        valechat_core::mcp::config::secure_stored_servers(engine.store(), engine.keys().as_ref())
            .await
    {
        eprintln!("valechat: could not move secrets of stored servers to the keyring: {e}");
    }
    let configs: Vec<_> = engine
        .store()
        .list_mcp_servers()
        .await?
        .into_iter()
        .filter(|c| c.enabled)
        .collect();
    if configs.is_empty() {
        return Ok((engine.clone(), None));
    }
    let hooks = ClientHooks {
        elicitor: Some(crate::cli::elicitation::for_this_terminal()),
        roots,
        ..ClientHooks::default()
    };
    let servers = McpServers::new(engine.keys().clone(), hooks, None);
    let mut states = servers.subscribe();
    let ids: Vec<String> = configs.iter().map(|c| c.id.clone()).collect();
    servers.start_all(configs).await;
    let settled = |s: &BTreeMap<String, ServerState>| {
        ids.iter().all(|id| {
            matches!(
                s.get(id),
                Some(
                    ServerState::Ready { .. }
                        | ServerState::Failed { .. }
                        | ServerState::NeedsSignIn { .. }
                )
            )
        })
    };
    let _ = tokio::time::timeout(READY_WAIT, async {
        while !settled(&states.borrow_and_update()) {
            if states.changed().await.is_err() {
                break;
            }
        }
    })
    .await;
    for (id, state) in states.borrow().iter() {
        match state {
            ServerState::Failed { reason, .. } | ServerState::NeedsSignIn { reason } => {
                eprintln!("valechat: MCP server {id} is not available: {reason}");
            }
            ServerState::Starting => {
                eprintln!("valechat: MCP server {id} is still starting; its tools are not offered");
            }
            _ => {}
        }
    }
    let approver: Arc<dyn Approver> = match policy {
        ToolPolicy::AllowAll => Arc::new(FixedApprover(Approval::AllowOnce)),
        ToolPolicy::DenyAll => Arc::new(FixedApprover(Approval::Deny)),
        ToolPolicy::Ask if std::io::stdin().is_terminal() => Arc::new(TerminalApprover),
        ToolPolicy::Ask => {
            eprintln!(
                "valechat: no terminal to ask for tool approval: tool calls are denied (use --yes to allow them)"
            );
            Arc::new(FixedApprover(Approval::Deny))
        }
    };
    let tools = ToolSettings::new(Arc::new(McpToolBox::new(servers.clone())), approver);
    Ok((engine.clone().with_tools(tools), Some(servers)))
}

/// Asks on the terminal: `Allow? [y]es, [a]lways, [N]o`.
#[derive(Debug)]
struct TerminalApprover;

#[async_trait::async_trait]
impl Approver for TerminalApprover {
    async fn approve(&self, request: ApprovalRequest, cancel: CancellationToken) -> Approval {
        let arguments = serde_json::to_string_pretty(&request.arguments)
            .unwrap_or_else(|_| request.arguments.to_string());
        let question = format!(
            "\nThe model wants to run “{}” from {}{}\n{arguments}\nAllow? [y]es, [a]lways, [N]o: ",
            request.tool.tool_name,
            request.tool.server_name,
            if request.tool.hints.destructive == Some(true) {
                " (the server says it may delete or overwrite data)"
            } else {
                ""
            },
        );
        let ask = tokio::task::spawn_blocking(move || {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(question.as_bytes());
            let _ = err.flush();
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            match line.trim().to_lowercase().as_str() {
                "y" | "yes" => Approval::AllowOnce,
                "a" | "always" => Approval::AlwaysAllow,
                _ => Approval::Deny,
            }
        });
        tokio::select! {
            () = cancel.cancelled() => Approval::Deny,
            answer = ask => answer.unwrap_or(Approval::Deny),
        }
    }
}
