//! The environment of a stdio server, and how it reaches the server.
//!
//! A server never inherits ValeChat's whole environment: a terminal launch
//! can carry API keys, tokens and socket addresses in variables. It gets,
//! in order (later wins):
//! 1. the variables of an allow-list that are set here: [`PASSED_THROUGH`]
//!    for a sandboxed server (locale, time zone, user and terminal names,
//!    proxies, CA bundles; `HOME` is then the empty, private home folder),
//!    [`UNSANDBOXED`] for one that runs on the host (the same, plus the
//!    XDG folders, `TMPDIR` and the display);
//! 2. `PATH`: the login-shell PATH;
//! 3. the server's own `env` from its configuration, secrets from the
//!    keyring included.
//!
//! These values go into the environment of the process ValeChat spawns
//! (`Command::env_clear` + `envs`), never onto a command line, which every
//! local user can read in `/proc/PID/cmdline`. Bubblewrap and `prlimit`
//! hand their environment on to the command they run (no `--setenv`, no
//! `--clearenv`: the environment they get is already the server's). Inside
//! Flatpak, `flatpak-spawn --host` reads the server's `env` from a pipe
//! (`--env-fd`, see `super::super::process`).

use std::collections::BTreeMap;

/// Host variables a sandboxed server keeps. Proxies and CA bundles let
/// `npx`/`uvx` reach a registry behind a corporate proxy; they name files
/// under `/etc` or the proxy's address, nothing secret by design (a proxy
/// URL with a password in it is the user's choice to export). The XDG
/// folders, `TMPDIR` and the display are left out: they name places the
/// sandbox does not show.
pub const PASSED_THROUGH: [&str; 24] = [
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TERM",
    "TZ",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_MESSAGES",
    "LC_NUMERIC",
    "LC_TIME",
    "LC_COLLATE",
    "LC_MONETARY",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
];

/// Host variables an unsandboxed stdio server keeps (a name ending in `*`
/// is a prefix: `LC_*` is every locale category). Everything else of
/// ValeChat's environment (API keys exported in a shell profile, tokens,
/// the session bus and SSH agent addresses, cargo's and meson's variables)
/// stays out.
///
/// - who and where: `HOME`, `USER`, `LOGNAME`, `SHELL`, `TMPDIR` and the XDG
///   base and runtime folders, so servers keep their configuration, caches
///   and sockets where the user's other programs look for them;
/// - language and time: `LANG`, `LANGUAGE`, `LC_*`, `TZ`; `TERM`;
/// - network: the proxies (both spellings, as curl, Node and Python read
///   either) and the CA bundles of a company's TLS-inspecting proxy;
/// - the display: `DISPLAY`, `WAYLAND_DISPLAY` and `XAUTHORITY`, because
///   browser-automation servers (Playwright's and Puppeteer's MCP servers
///   open a visible browser window by default) and screenshot tools need
///   them; they name a socket and a cookie file, not a secret.
pub const UNSANDBOXED: [&str; 31] = [
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TMPDIR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "XDG_STATE_HOME",
    "XDG_CONFIG_DIRS",
    "XDG_DATA_DIRS",
    "XDG_RUNTIME_DIR",
    "LANG",
    "LANGUAGE",
    "LC_*",
    "TZ",
    "TERM",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "XAUTHORITY",
];

/// Whether `name` is on `list` (entries ending in `*` match as prefixes).
#[must_use]
pub fn allowed(list: &[&str], name: &str) -> bool {
    list.iter().any(|entry| match entry.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == *entry,
    })
}

/// The [`PASSED_THROUGH`] variables of `lookup` (e.g. `std::env::var`), and
/// `PATH` = `login_path`, as `(name, value)` pairs in a stable order.
pub fn passed_through(
    lookup: impl Fn(&str) -> Option<String>,
    login_path: &str,
) -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = PASSED_THROUGH
        .iter()
        .filter_map(|name| lookup(name).map(|value| ((*name).to_owned(), value)))
        .collect();
    vars.push(("PATH".to_owned(), login_path.to_owned()));
    vars
}

/// The [`UNSANDBOXED`] variables among `vars` (e.g. `std::env::vars_os`,
/// names and values that are not UTF-8 left out), and `PATH` =
/// `login_path`, as `(name, value)` pairs sorted by name.
pub fn unsandboxed(
    vars: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    login_path: &str,
) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = vars
        .into_iter()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
        .filter(|(name, _)| name != "PATH" && allowed(&UNSANDBOXED, name))
        .collect();
    kept.push(("PATH".to_owned(), login_path.to_owned()));
    kept.sort();
    kept
}

/// The whole environment of a server: `host` (one of the lists above),
/// then the server's configured `env`, which wins.
#[must_use]
pub fn merged(
    host: &[(String, String)],
    server: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut merged: BTreeMap<String, String> = host.iter().cloned().collect();
    merged.extend(server.iter().map(|(k, v)| (k.clone(), v.clone())));
    merged
}

/// `env` in `env -0` format (`NAME=VALUE\0` each), as `flatpak-spawn
/// --env-fd` reads it.
#[must_use]
pub fn nul_separated(env: &BTreeMap<String, String>) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (name, value) in env {
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(b'=');
        bytes.extend_from_slice(value.as_bytes());
        bytes.push(0);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn only_listed_variables_pass_and_path_is_the_login_path() {
        let env = BTreeMap::from([
            ("LANG", "fr_FR.UTF-8"),
            ("HOME", "/home/ada"),
            ("PATH", "/usr/bin"),
            ("OPENAI_API_KEY", "sk-secret"),
            ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/1000/bus"),
        ]);
        let vars = passed_through(
            |n| env.get(n).map(|v| (*v).to_owned()),
            "/opt/node/bin:/usr/bin",
        );
        assert_eq!(
            vars,
            [
                ("HOME".to_owned(), "/home/ada".to_owned()),
                ("LANG".to_owned(), "fr_FR.UTF-8".to_owned()),
                ("PATH".to_owned(), "/opt/node/bin:/usr/bin".to_owned()),
            ]
        );
    }

    #[test]
    fn unsandboxed_servers_keep_the_allow_list_and_prefixes() {
        let os = |(k, v): (&str, &str)| (OsString::from(k), OsString::from(v));
        let host = [
            ("PATH", "/usr/bin"),
            ("LC_PAPER", "de_DE.UTF-8"),
            ("XDG_RUNTIME_DIR", "/run/user/1000"),
            ("TMPDIR", "/var/tmp"),
            ("no_proxy", "localhost"),
            ("GITHUB_TOKEN", "ghp_secret"),
            ("SSH_AUTH_SOCK", "/run/user/1000/ssh"),
            ("LCX", "not a locale"),
        ]
        .map(os);
        let kept = unsandboxed(host, "/home/ada/.local/bin:/usr/bin");
        let names: Vec<&str> = kept.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            ["LC_PAPER", "PATH", "TMPDIR", "XDG_RUNTIME_DIR", "no_proxy"]
        );
        assert!(kept.contains(&("PATH".into(), "/home/ada/.local/bin:/usr/bin".into())));
        assert!(allowed(&UNSANDBOXED, "LC_ALL") && !allowed(&UNSANDBOXED, "LD_PRELOAD"));
    }

    #[test]
    fn the_servers_env_wins_and_goes_nul_separated() {
        let host = vec![
            ("LANG".to_owned(), "C.UTF-8".to_owned()),
            ("PATH".to_owned(), "/usr/bin".to_owned()),
        ];
        let server = BTreeMap::from([
            ("LANG".to_owned(), "de_DE.UTF-8".to_owned()),
            ("API_TOKEN".to_owned(), "t0k3n".to_owned()),
        ]);
        let env = merged(&host, &server);
        assert_eq!(env.get("LANG").map(String::as_str), Some("de_DE.UTF-8"));
        assert_eq!(env.len(), 3);
        assert_eq!(
            nul_separated(&server),
            b"API_TOKEN=t0k3n\0LANG=de_DE.UTF-8\0"
        );
    }
}
