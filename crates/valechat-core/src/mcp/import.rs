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
//! `${VAR}` and `${env:VAR}` references are kept as written: a file (a
//! project's `.vscode/mcp.json` among them) could otherwise send any of the
//! user's environment variables to a server of its choosing. [`variables`]
//! lists them so the front end can ask, and [`fill`] expands them (unknown:
//! empty) once the user agrees. Type `sse` servers are imported as HTTP
//! (the connection then reports the unsupported legacy transport clearly).

use std::collections::{BTreeMap, BTreeSet};
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

/// Expands `${VAR}` / `${env:VAR}` / `${env:VAR:-default}` with `lookup`
/// (unknown, without a default: empty); `${input:…}`, a reference without
/// a name (`${}`, `${:-x}`) and an unclosed `${` stay as written.
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
        let var = name.strip_prefix("env:").unwrap_or(name);
        let (var, default) = var.split_once(":-").unwrap_or((var, ""));
        if name.starts_with("input:") || var.is_empty() {
            // Not an environment variable: kept, as `variables` lists none.
            out.push_str(&rest[start..start + 3 + end]);
        } else {
            out.push_str(&lookup(var).unwrap_or_else(|| default.to_owned()));
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The names of the environment variables `reference`d in `text`
/// (`${VAR}`, `${env:VAR}`, `${env:VAR:-default}`; not VS Code's
/// `${input:…}`).
fn referenced(text: &str, found: &mut BTreeSet<String>) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { return };
        let name = &after[..end];
        if !name.starts_with("input:") {
            let var = name.strip_prefix("env:").unwrap_or(name);
            let var = var.split(":-").next().unwrap_or(var);
            if !var.is_empty() {
                found.insert(var.to_owned());
            }
        }
        rest = &after[end + 1..];
    }
}

/// Every text of `config` a reference can sit in: the command, its
/// arguments, `env` values, the working folder, the URL and header values.
fn texts_mut(config: &mut ServerConfig) -> Vec<&mut String> {
    match &mut config.transport {
        Transport::Stdio {
            command,
            args,
            env,
            cwd,
        } => std::iter::once(command)
            .chain(args.iter_mut())
            .chain(env.values_mut())
            .chain(cwd.iter_mut())
            .collect(),
        Transport::Http { url, headers } => {
            std::iter::once(url).chain(headers.values_mut()).collect()
        }
        Transport::WebSocket { url } => vec![url],
    }
}

/// The environment variables an imported `config` refers to and that are
/// still unexpanded, sorted: ask the user before [`fill`]ing them in.
#[must_use]
pub fn variables(config: &ServerConfig) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for text in texts_mut(&mut config.clone()) {
        referenced(text, &mut found);
    }
    found
}

/// Expands every `${VAR}` / `${env:VAR}` of `config` with `lookup` (once
/// the user agreed; see [`variables`]).
pub fn fill(config: &mut ServerConfig, lookup: &dyn Fn(&str) -> Option<String>) {
    for text in texts_mut(config) {
        *text = expand(text, lookup);
    }
}

/// Parses a file's JSON text (any supported format, detected by its keys).
/// Variables are not expanded (see [`variables`] and [`fill`]).
///
/// # Errors
/// The JSON error, as text, when the file is not JSON.
pub fn parse(text: &str) -> Result<Imported, String> {
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
            match server(name, entry) {
                Some(config) => imported.servers.push(config),
                None => imported
                    .notes
                    .push(format!("{name:?} skipped: neither a command nor a URL")),
            }
        }
    }
    Ok(imported)
}

/// Reads and parses `path` (variables left unexpanded).
///
/// # Errors
/// The I/O or JSON error, as text.
pub fn parse_file(path: &Path) -> Result<Imported, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text)
}

fn string_map(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn server(name: &str, entry: &Value) -> Option<ServerConfig> {
    let get_str = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
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
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Transport::Stdio {
            command,
            args,
            env: string_map(command_holder.get("env")),
            cwd: get_str(entry, "cwd"),
        }
    } else {
        let url = get_str(entry, "url").or_else(|| get_str(entry, "serverUrl"))?;
        if url.starts_with("ws://") || url.starts_with("wss://") {
            Transport::WebSocket { url }
        } else {
            Transport::Http {
                url,
                headers: string_map(entry.get("headers")),
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
        let mut imported = parse(text).unwrap();
        assert_eq!(imported.servers.len(), 2);
        let everything = &mut imported.servers[0];
        assert_eq!(everything.id, "everything");
        assert!(
            matches!(&everything.transport, Transport::Stdio { command, env, .. }
            if command == "npx" && env["API_KEY"] == "${TOKEN}"),
            "not expanded without asking"
        );
        assert_eq!(variables(everything), BTreeSet::from(["TOKEN".to_owned()]));
        fill(everything, &env);
        assert!(
            matches!(&everything.transport, Transport::Stdio { env, .. } if env["API_KEY"] == "t0k")
        );
        assert!(variables(everything).is_empty());
        let remote = &mut imported.servers[1];
        fill(remote, &env);
        assert!(matches!(&remote.transport, Transport::Http { headers, .. }
            if headers["Authorization"] == "Bearer t0k"));
        assert!(imported.notes[0].contains("broken"));
    }

    #[test]
    fn variables_in_arguments_and_urls_wait_for_the_user() {
        let text = r#"{"servers": {
            "gh": {"command": "gh-mcp", "args": ["--token", "${env:GH_TOKEN}"], "cwd": "${HOME}/src"},
            "web": {"url": "https://x.example/mcp?key=${env:WEB_KEY:-none}"}
        }}"#;
        let imported = parse(text).unwrap();
        assert_eq!(
            variables(&imported.servers[0]),
            BTreeSet::from(["GH_TOKEN".to_owned(), "HOME".to_owned()])
        );
        let mut web = imported.servers[1].clone();
        assert!(
            matches!(&web.transport, Transport::Http { url, .. } if url.ends_with("${env:WEB_KEY:-none}"))
        );
        assert_eq!(variables(&web), BTreeSet::from(["WEB_KEY".to_owned()]));
        fill(&mut web, &env);
        assert!(matches!(&web.transport, Transport::Http { url, .. } if url.ends_with("key=none")));
    }

    #[test]
    fn vscode_and_zed() {
        let vscode = r#"{"inputs": [{"id": "k"}], "servers": {"time": {"type": "stdio", "command": "uvx", "args": ["mcp-server-time"], "env": {"K": "${input:k}"}}}}"#;
        let mut imported = parse(vscode).unwrap();
        assert_eq!(imported.servers[0].id, "time");
        assert!(imported.notes[0].contains("inputs"));
        assert!(
            variables(&imported.servers[0]).is_empty(),
            "inputs are not variables"
        );
        fill(&mut imported.servers[0], &env);
        assert!(
            matches!(&imported.servers[0].transport, Transport::Stdio { env, .. } if env["K"] == "${input:k}")
        );
        let zed = r#"{"theme": "One", "context_servers": {"git": {"command": {"path": "uvx", "args": ["mcp-server-git"], "env": {}}}, "ws": {"url": "wss://x/ws"}}}"#;
        let imported = parse(zed).unwrap();
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
        assert_eq!(
            expand("${env:NOPE:-dflt}/${env:TOKEN:-x}", &env),
            "dflt/t0k"
        );
        assert_eq!(expand("x${unclosed", &env), "x${unclosed");
        // No name: not a variable (`variables` lists none), kept as written.
        assert_eq!(expand("${:-dflt}${}${env:}", &env), "${:-dflt}${}${env:}");
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
        assert!(parse("nope").is_err());
    }
}
