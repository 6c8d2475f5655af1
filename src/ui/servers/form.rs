//! What the Add/Edit Server page's fields mean: turning the typed text into
//! a [`ServerConfig`] (with clear messages for what is wrong) and back.
//! Pure functions, tested without a display.

use std::collections::BTreeMap;

use gettextrs::gettext;

use crate::i18n::gettext_f;
use valechat_core::mcp::{SandboxSettings, ServerConfig, Transport};
use valechat_core::store::slugify;

/// Which transport the form edits (the order of the transport combo row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// A local program over stdio.
    #[default]
    Stdio,
    /// Streamable HTTP.
    Http,
    /// WebSocket.
    WebSocket,
}

impl Kind {
    /// Position in the combo row.
    pub fn index(self) -> u32 {
        match self {
            Self::Stdio => 0,
            Self::Http => 1,
            Self::WebSocket => 2,
        }
    }

    /// The kind at combo row position `index` (stdio for anything unknown).
    pub fn from_index(index: u32) -> Self {
        match index {
            1 => Self::Http,
            2 => Self::WebSocket,
            _ => Self::Stdio,
        }
    }
}

/// The form's text, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormValues {
    /// Display name.
    pub name: String,
    /// Transport chosen.
    pub kind: Kind,
    /// stdio: program.
    pub command: String,
    /// stdio: arguments, shell-quoted (`--dir "/a b"`).
    pub arguments: String,
    /// stdio: `NAME=value` lines.
    pub environment: String,
    /// stdio: working folder; empty for none.
    pub cwd: String,
    /// HTTP / WebSocket: endpoint URL.
    pub url: String,
    /// HTTP: `Name: value` lines.
    pub headers: String,
    /// HTTP: bearer token; empty keeps the stored one.
    pub bearer: String,
    /// stdio: sandbox and resource limits.
    pub sandbox: SandboxSettings,
}

/// A checked form: the config to store and a new bearer token, if typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The server (secrets still in place; the saver moves them).
    pub config: ServerConfig,
    /// Bearer token for the keyring.
    pub bearer: Option<String>,
}

/// The form's text for `config` (arguments re-quoted, maps as lines).
pub fn values_of(config: &ServerConfig) -> FormValues {
    let mut values = FormValues {
        name: config.name.clone(),
        ..FormValues::default()
    };
    match &config.transport {
        Transport::Stdio {
            command,
            args,
            env,
            cwd,
        } => {
            values.command = command.clone();
            values.arguments =
                shlex::try_join(args.iter().map(String::as_str)).unwrap_or_else(|_| args.join(" "));
            values.environment = lines(env, "=");
            values.cwd = cwd.clone().unwrap_or_default();
            values.sandbox = config.sandbox.clone().unwrap_or_default();
        }
        Transport::Http { url, headers } => {
            values.kind = Kind::Http;
            values.url = url.clone();
            values.headers = lines(headers, ": ");
        }
        Transport::WebSocket { url } => {
            values.kind = Kind::WebSocket;
            values.url = url.clone();
        }
    }
    values
}

fn lines(map: &BTreeMap<String, String>, separator: &str) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}{separator}{v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads `K<sep>V` lines (blank lines skipped); `what` names the field in
/// the error, which quotes the bad line.
fn pairs(text: &str, separator: char, what: &str) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match line.split_once(separator) {
            Some((k, v)) if !k.trim().is_empty() => {
                map.insert(k.trim().to_owned(), v.trim().to_owned());
            }
            _ => {
                return Err(gettext_f(
                    "{field}: “{line}” is not of the form {form}",
                    &[
                        ("field", what),
                        ("line", line),
                        (
                            "form",
                            if separator == '=' {
                                "NAME=value"
                            } else {
                                "Name: value"
                            },
                        ),
                    ],
                ));
            }
        }
    }
    Ok(map)
}

/// Checks the form. `others` are the other stored servers (for duplicate
/// names); `editing` is the server being edited (its id is kept).
///
/// # Errors
/// A message for the person: empty name, name taken, no command, arguments
/// with an unclosed quote, a bad `NAME=value` line, a bad URL, the home
/// folder as a writable folder.
pub fn parse(
    values: &FormValues,
    others: &[ServerConfig],
    editing: Option<&ServerConfig>,
) -> Result<Draft, String> {
    let name = values.name.trim();
    let id = editing.map_or_else(|| slugify(name), |c| c.id.clone());
    if name.is_empty() || id.is_empty() {
        return Err(gettext(
            "Give the server a name with at least one letter or digit.",
        ));
    }
    let clash = others.iter().find(|o| {
        editing.is_none_or(|e| e.id != o.id) && (o.id == id || o.name.eq_ignore_ascii_case(name))
    });
    if let Some(other) = clash {
        return Err(gettext_f(
            "A server named “{name}” already exists.",
            &[("name", &other.name)],
        ));
    }
    let transport = match values.kind {
        Kind::Stdio => {
            let command = values.command.trim();
            if command.is_empty() {
                return Err(gettext(
                    "Enter the command that starts the server, such as npx or uvx.",
                ));
            }
            let args = shlex::split(&values.arguments)
                .ok_or_else(|| gettext("The arguments have an unclosed quote."))?;
            let cwd = values.cwd.trim();
            if !cwd.is_empty() && !std::path::Path::new(cwd).is_absolute() {
                return Err(gettext("The working folder must be an absolute path."));
            }
            Transport::Stdio {
                command: command.to_owned(),
                args,
                env: pairs(&values.environment, '=', &gettext("Environment"))?,
                cwd: (!cwd.is_empty()).then(|| cwd.to_owned()),
            }
        }
        Kind::Http => Transport::Http {
            url: values.url.trim().to_owned(),
            headers: pairs(&values.headers, ':', &gettext("Headers"))?,
        },
        Kind::WebSocket => Transport::WebSocket {
            url: values.url.trim().to_owned(),
        },
    };
    if let Some(folder) = values
        .sandbox
        .writable_folders
        .iter()
        .find(|f| values.kind == Kind::Stdio && super::sandbox::exposes_home(f))
    {
        return Err(super::sandbox::home_refused(&folder.display().to_string()));
    }
    let config = ServerConfig {
        id,
        name: name.to_owned(),
        transport,
        enabled: editing.is_none_or(|e| e.enabled),
        era: editing.and_then(|e| e.era.clone()),
        sandbox: (values.kind == Kind::Stdio && !values.sandbox.is_default())
            .then(|| values.sandbox.clone()),
    };
    config.validate().map_err(|e| match &config.transport {
        Transport::Http { .. } => gettext("Enter an http:// or https:// URL."),
        Transport::WebSocket { .. } => gettext("Enter a ws:// or wss:// URL."),
        Transport::Stdio { .. } => e.to_string(),
    })?;
    let bearer = values.bearer.trim();
    Ok(Draft {
        bearer: (values.kind == Kind::Http && !bearer.is_empty()).then(|| bearer.to_owned()),
        config,
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use relm4::gtk;

    use super::*;

    fn stdio(name: &str) -> FormValues {
        FormValues {
            name: name.into(),
            command: "npx".into(),
            arguments: "-y \"@scope/server x\" --flag".into(),
            environment: "API_TOKEN=abc\n\nDEBUG = 1".into(),
            ..FormValues::default()
        }
    }

    #[test]
    fn stdio_form_becomes_a_config_and_back() {
        let draft = parse(&stdio("My Files"), &[], None).unwrap();
        assert_eq!(draft.config.id, "my-files");
        let Transport::Stdio { args, env, cwd, .. } = &draft.config.transport else {
            panic!("not stdio");
        };
        assert_eq!(args, &["-y", "@scope/server x", "--flag"]);
        assert_eq!(env.get("DEBUG").map(String::as_str), Some("1"));
        assert_eq!(cwd, &None);
        let again = parse(&values_of(&draft.config), &[], None).unwrap();
        assert_eq!(again.config.transport, draft.config.transport);
        assert_eq!(draft.config.sandbox, None, "off by default");
    }

    #[test]
    fn sandbox_settings_are_kept_for_stdio_only() {
        let mut v = stdio("Boxed");
        v.sandbox = SandboxSettings {
            enabled: true,
            writable_folders: vec!["/srv/data".into()],
            network: false,
            max_open_files: Some(64),
            ..SandboxSettings::default()
        };
        let draft = parse(&v, &[], None).unwrap();
        assert!(draft.config.is_sandboxed());
        assert_eq!(values_of(&draft.config).sandbox, v.sandbox);
        v.kind = Kind::Http;
        v.url = "https://example.com/mcp".into();
        assert_eq!(parse(&v, &[], None).unwrap().config.sandbox, None);
    }

    #[test]
    fn the_home_folder_is_refused_as_a_writable_folder() {
        let home = gtk::glib::home_dir();
        for folder in [home.clone(), home.join("."), PathBuf::from("/")] {
            let mut v = stdio("Boxed");
            v.sandbox = SandboxSettings {
                writable_folders: vec![folder.clone()],
                ..SandboxSettings::recommended()
            };
            let error = parse(&v, &[], None).unwrap_err();
            assert!(error.contains("your home folder"), "{folder:?}: {error}");
        }
        let mut v = stdio("Boxed");
        v.sandbox = SandboxSettings {
            writable_folders: vec![home.join("project")],
            ..SandboxSettings::recommended()
        };
        assert!(parse(&v, &[], None).is_ok());
    }

    #[test]
    fn problems_are_named() {
        let mut v = stdio("x");
        v.environment = "NOEQUALS".into();
        assert!(parse(&v, &[], None).unwrap_err().contains("NOEQUALS"));
        v = stdio("x");
        v.arguments = "\"open".into();
        assert!(parse(&v, &[], None).unwrap_err().contains("quote"));
        v = stdio("x");
        v.cwd = "relative/dir".into();
        assert!(parse(&v, &[], None).unwrap_err().contains("absolute"));
        v = stdio("  ");
        assert!(parse(&v, &[], None).unwrap_err().contains("name"));
        let http = FormValues {
            name: "web".into(),
            kind: Kind::Http,
            url: "ftp://x".into(),
            ..FormValues::default()
        };
        assert!(parse(&http, &[], None).unwrap_err().contains("https://"));
    }

    #[test]
    fn names_are_unique_except_for_the_server_being_edited() {
        let first = parse(&stdio("Files"), &[], None).unwrap().config;
        let err = parse(&stdio("files"), std::slice::from_ref(&first), None).unwrap_err();
        assert!(err.contains("Files"), "{err}");
        let edited = parse(&stdio("Files"), std::slice::from_ref(&first), Some(&first)).unwrap();
        assert_eq!(edited.config.id, first.id);
    }

    #[test]
    fn http_headers_and_bearer() {
        let v = FormValues {
            name: "Remote".into(),
            kind: Kind::Http,
            url: "https://example.com/mcp".into(),
            headers: "X-Team: blue".into(),
            bearer: " tok ".into(),
            ..FormValues::default()
        };
        let draft = parse(&v, &[], None).unwrap();
        assert_eq!(draft.bearer.as_deref(), Some("tok"));
        let Transport::Http { headers, .. } = &draft.config.transport else {
            panic!("not http");
        };
        assert_eq!(headers.get("X-Team").map(String::as_str), Some("blue"));
    }
}
