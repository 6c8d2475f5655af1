//! Importing servers from other apps: the configuration files found in the
//! home folder, the servers they hold (duplicates of stored ones marked),
//! and storing the chosen ones.

use valechat_core::chat::Engine;
use valechat_core::mcp::import::{self, Found, Source};
use valechat_core::mcp::toolbox::server_binding;
use valechat_core::mcp::{McpServers, ServerConfig};

use super::save;
use crate::ui::servers::form::Draft;

/// A server offered for import.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The server as read (disabled).
    pub config: ServerConfig,
    /// "Claude Desktop · /home/…/claude_desktop_config.json".
    pub origin: String,
    /// A server with the same id, name or command line is already stored.
    pub duplicate: bool,
}

/// The app a discovered file belongs to.
pub fn source_label(source: Source) -> &'static str {
    match source {
        Source::ClaudeDesktop => "Claude Desktop",
        Source::ClaudeCode => "Claude Code",
        Source::Cursor => "Cursor",
        Source::VsCode => "VS Code",
        Source::Zed => "Zed",
    }
}

/// Reads `files` and marks the servers that duplicate `known` (or each
/// other); unreadable files become notes.
pub fn candidates(
    files: &[(String, std::path::PathBuf)],
    known: &[ServerConfig],
) -> (Vec<Candidate>, Vec<String>) {
    let mut out: Vec<Candidate> = Vec::new();
    let mut notes = Vec::new();
    for (label, path) in files {
        let origin = format!("{label} · {}", path.display());
        match import::parse_file(path) {
            Ok(imported) => {
                notes.extend(imported.notes);
                for config in imported.servers {
                    let same = |o: &ServerConfig| {
                        o.id == config.id
                            || o.name.eq_ignore_ascii_case(&config.name)
                            || server_binding(o) == server_binding(&config)
                    };
                    let duplicate = known.iter().any(same) || out.iter().any(|c| same(&c.config));
                    out.push(Candidate {
                        config,
                        origin: origin.clone(),
                        duplicate,
                    });
                }
            }
            Err(e) => notes.push(format!("{}: {e}", path.display())),
        }
    }
    (out, notes)
}

/// The configuration files of other apps found in the home folder.
pub fn discovered() -> Vec<(String, std::path::PathBuf)> {
    let Some(home) = std::env::var_os("HOME").map(std::path::PathBuf::from) else {
        return Vec::new();
    };
    import::discover(&home, None)
        .into_iter()
        .map(|Found { source, path }| (source_label(source).to_owned(), path))
        .collect()
}

/// Stores the chosen servers (enabled when `enable`) and starts the enabled
/// ones; returns how many were added. Local servers get the sandbox of a
/// new server where Bubblewrap can be used
/// (`mcp::sandbox::for_new_server`).
pub async fn import(
    engine: Engine,
    servers: McpServers,
    chosen: Vec<ServerConfig>,
    enable: bool,
) -> Result<usize, String> {
    let sandbox = tokio::task::spawn_blocking(valechat_core::mcp::sandbox::for_new_server)
        .await
        .ok()
        .and_then(Result::ok);
    let mut added = 0;
    for mut config in chosen {
        config.enabled = enable;
        if matches!(
            config.transport,
            valechat_core::mcp::Transport::Stdio { .. }
        ) && config.sandbox.is_none()
        {
            config.sandbox.clone_from(&sandbox);
        }
        config.validate().map_err(|e| e.to_string())?;
        let draft = Draft {
            config,
            bearer: None,
        };
        save(engine.clone(), servers.clone(), draft, false).await?;
        added += 1;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use valechat_core::mcp::Transport;

    use super::*;

    #[test]
    fn import_candidates_mark_duplicates_and_notes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("claude_desktop_config.json");
        std::fs::write(
            &path,
            r#"{"mcpServers":{"files":{"command":"npx","args":["-y","fs"]},
                "other":{"command":"uvx","args":["time"]}}}"#,
        )
        .unwrap();
        let known = ServerConfig {
            id: "mine".into(),
            name: "Mine".into(),
            transport: Transport::Stdio {
                command: "npx".into(),
                args: vec!["-y".into(), "fs".into()],
                env: Default::default(),
                cwd: None,
            },
            enabled: true,
            era: None,
            sandbox: None,
        };
        let bad = dir.path().join("broken.json");
        std::fs::write(&bad, "{").unwrap();
        let files = vec![("Claude Desktop".into(), path), ("File".into(), bad)];
        let (found, notes) = candidates(&files, &[known]);
        assert_eq!(found.len(), 2);
        let files = found.iter().find(|c| c.config.id == "files").unwrap();
        assert!(files.duplicate, "same command line as a stored server");
        assert!(files.origin.starts_with("Claude Desktop · "));
        assert!(
            !found
                .iter()
                .find(|c| c.config.id == "other")
                .unwrap()
                .duplicate
        );
        assert!(notes.iter().any(|n| n.contains("broken.json")), "{notes:?}");
    }
}
