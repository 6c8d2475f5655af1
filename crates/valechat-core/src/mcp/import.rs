//! Importing servers from other apps' configuration files.
//!
//! Formats (all JSON):
//! - Claude Desktop `claude_desktop_config.json`: `mcpServers{name:{command,args,env}}`;
//! - Claude Code `.mcp.json` / `~/.claude.json`: the same, plus
//!   `type` (`stdio`/`http`/`sse`), `url`, `headers`;
//! - Cursor `mcp.json`: `mcpServers` with `command` or `url`;
//! - VS Code `mcp.json`: `servers{name:{type,command,args,env,url,headers}}`;
//!   its `inputs` (prompted variables) are ignored — a `${input:…}`
//!   reference is left as is and noted;
//! - Zed `settings.json`: `context_servers{name:{command:{path,args,env}} |
//!   {command,args,env} | {url}}`.
//!
//! `${VAR}` and `${env:VAR}` are expanded from the environment (unknown:
//! empty). Type `sse` servers are imported as HTTP (the connection then
//! reports the unsupported legacy transport clearly).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::config::{ServerConfig, Transport};
use crate::store::slugify;

/// Which app a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Claude Desktop.
    ClaudeDesktop,
    /// Claude Code.
    ClaudeCode,
    /// Cursor.
    Cursor,
    /// VS Code.
    VsCode,
    /// Zed.
    Zed,
}

/// A config file found by [`discover`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The app.
    pub source: Source,
    /// The file.
    pub path: PathBuf,
}

/// Servers read from one file, plus notes about what was skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    /// Servers (disabled; the user enables them), ids slugified from names.
    pub servers: Vec<ServerConfig>,
    /// Human-readable notes (skipped entries, ignored `inputs`).
    pub notes: Vec<String>,
}

/// Standard locations of the supported files under `home` (Linux and
/// macOS), plus `.mcp.json` / `.cursor/mcp.json` / `.vscode/mcp.json` in
/// `project` when given; only existing files are returned.
#[must_use]
pub fn discover(home: &Path, project: Option<&Path>) -> Vec<Found> {
    let mut candidates = vec![
        (
            Source::ClaudeDesktop,
            home.join(".config/Claude/claude_desktop_config.json"),
        ),
        (
            Source::ClaudeDesktop,
            home.join("Library/Application Support/Claude/claude_desktop_config.json"),
        ),
        (Source::ClaudeCode, home.join(".claude.json")),
        (Source::Cursor, home.join(".cursor/mcp.json")),
        (Source::VsCode, home.join(".config/Code/User/mcp.json")),
        (
            Source::VsCode,
            home.join("Library/Application Support/Code/User/mcp.json"),
        ),
        (Source::Zed, home.join(".config/zed/settings.json")),
    ];
    if let Some(dir) = project {
        candidates.push((Source::ClaudeCode, dir.join(".mcp.json")));
        candidates.push((Source::Cursor, dir.join(".cursor/mcp.json")));
        candidates.push((Source::VsCode, dir.join(".vscode/mcp.json")));
    }
    candidates
        .into_iter()
        .filter(|(_, path)| path.is_file())
        .map(|(source, path)| Found { source, path })
        .collect()
}

/// Expands `${VAR}` / `${env:VAR}` with `lookup`.
pub fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        if name.starts_with("input:") {
            out.push_str(&rest[start..start + 3 + end]);
        } else {
            let var = name.strip_prefix("env:").unwrap_or(name);
            let var = var.split(":-").next().unwrap_or(var);
            out.push_str(&lookup(var).unwrap_or_default());
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Parses a file's JSON text (any supported format, detected by its keys).
///
/// # Errors
/// The JSON error, as text, when the file is not JSON.
pub fn parse(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Imported, String> {
    let root: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let mut imported = Imported::default();
    if root.get("inputs").is_some() {
        imported
            .notes
            .push("VS Code \"inputs\" are ignored: enter those values in ValeChat".into());
    }
    for key in ["mcpServers", "servers", "context_servers"] {
        let Some(map) = root.get(key).and_then(Value::as_object) else {
            continue;
        };
        for (name, entry) in map {
            match server(name, entry, lookup) {
                Some(config) => imported.servers.push(config),
                None => imported
                    .notes
                    .push(format!("{name:?} skipped: neither a command nor a URL")),
            }
        }
    }
    Ok(imported)
}

/// Reads and parses `path` with the process environment.
///
/// # Errors
/// The I/O or JSON error, as text.
pub fn parse_file(path: &Path) -> Result<Imported, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text, &|var| std::env::var(var).ok())
}

fn string_map(
    value: Option<&Value>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), expand(v, lookup))))
                .collect()
        })
        .unwrap_or_default()
}

fn server(
    name: &str,
    entry: &Value,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<ServerConfig> {
    let get_str = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(|s| expand(s, lookup));
    // Zed nests {path,args,env} under "command".
    let (command_holder, command) = match entry.get("command") {
        Some(Value::Object(_)) => {
            let inner = entry.get("command")?;
            (inner, get_str(inner, "path"))
        }
        _ => (entry, get_str(entry, "command")),
    };
    let transport = if let Some(command) = command {
        let args = command_holder
            .get("args")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|s| expand(s, lookup))
                    .collect()
            })
            .unwrap_or_default();
        Transport::Stdio {
            command,
            args,
            env: string_map(command_holder.get("env"), lookup),
            cwd: get_str(entry, "cwd"),
        }
    } else {
        let url = get_str(entry, "url").or_else(|| get_str(entry, "serverUrl"))?;
        if url.starts_with("ws://") || url.starts_with("wss://") {
            Transport::WebSocket { url }
        } else {
            Transport::Http {
                url,
                headers: string_map(entry.get("headers"), lookup),
            }
        }
    };
    let id = slugify(name);
    Some(ServerConfig {
        id: if id.is_empty() { "server".into() } else { id },
        name: name.to_owned(),
        transport,
        enabled: false,
        era: None,
        sandbox: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        (var == "TOKEN").then(|| "t0k".to_owned())
    }

    #[test]
    fn claude_desktop_and_code() {
        let text = r#"{"mcpServers": {
            "Everything": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"], "env": {"API_KEY": "${TOKEN}"}},
            "remote": {"type": "http", "url": "https://x.example/mcp", "headers": {"Authorization": "Bearer ${env:TOKEN}"}},
            "broken": {"type": "stdio"}
        }}"#;
        let imported = parse(text, &env).unwrap();
        assert_eq!(imported.servers.len(), 2);
        let everything = &imported.servers[0];
        assert_eq!(everything.id, "everything");
        assert!(
            matches!(&everything.transport, Transport::Stdio { command, env, .. }
            if command == "npx" && env["API_KEY"] == "t0k")
        );
        assert!(
            matches!(&imported.servers[1].transport, Transport::Http { headers, .. }
            if headers["Authorization"] == "Bearer t0k")
        );
        assert!(imported.notes[0].contains("broken"));
    }

    #[test]
    fn vscode_and_zed() {
        let vscode = r#"{"inputs": [{"id": "k"}], "servers": {"time": {"type": "stdio", "command": "uvx", "args": ["mcp-server-time"], "env": {"K": "${input:k}"}}}}"#;
        let imported = parse(vscode, &env).unwrap();
        assert_eq!(imported.servers[0].id, "time");
        assert!(imported.notes[0].contains("inputs"));
        assert!(
            matches!(&imported.servers[0].transport, Transport::Stdio { env, .. } if env["K"] == "${input:k}")
        );
        let zed = r#"{"theme": "One", "context_servers": {"git": {"command": {"path": "uvx", "args": ["mcp-server-git"], "env": {}}}, "ws": {"url": "wss://x/ws"}}}"#;
        let imported = parse(zed, &env).unwrap();
        assert!(
            matches!(&imported.servers[0].transport, Transport::Stdio { command, .. } if command == "uvx")
        );
        assert!(matches!(
            &imported.servers[1].transport,
            Transport::WebSocket { .. }
        ));
    }

    #[test]
    fn expansion_and_discovery() {
        assert_eq!(expand("a${TOKEN}b${NOPE}c", &env), "at0kbc");
        assert_eq!(expand("x${unclosed", &env), "x${unclosed");
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(".cursor")).unwrap();
        std::fs::write(home.path().join(".cursor/mcp.json"), "{}").unwrap();
        let found = discover(home.path(), None);
        assert_eq!(
            found,
            [Found {
                source: Source::Cursor,
                path: home.path().join(".cursor/mcp.json")
            }]
        );
        assert!(parse("nope", &env).is_err());
    }
}
