//! The environment of a sandboxed server.
//!
//! Outside the sandbox a server inherits ValeChat's whole environment. A
//! sandboxed one starts from an empty environment (`bwrap --clearenv`): a
//! terminal launch can carry API keys, tokens and socket addresses in
//! variables, and the sandbox hides the home folder for the same reason.
//! What it gets back, in order (later wins):
//! 1. the variables of [`PASSED_THROUGH`] that are set here (locale,
//!    time zone, user and terminal names, proxies, CA bundles), with `PATH`
//!    the login-shell PATH and `HOME` the (empty, private) home folder;
//! 2. the server's own `env` from its configuration.

use std::collections::BTreeMap;

/// Host variables a sandboxed server keeps. Proxies and CA bundles let
/// `npx`/`uvx` reach a registry behind a corporate proxy; they name files
/// under `/etc` or the proxy's address, nothing secret by design (a proxy
/// URL with a password in it is the user's choice to export).
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

/// The Bubblewrap options that set the environment: `--clearenv`, then
/// `--setenv NAME VALUE` for each of `host` and then of `server` (the
/// server's configured `env`, which wins). They must come before the
/// command (Bubblewrap applies them as it reads them).
#[must_use]
pub fn bwrap_env_args(host: &[(String, String)], server: &BTreeMap<String, String>) -> Vec<String> {
    let mut merged: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, value) in host {
        merged.insert(name, value);
    }
    for (name, value) in server {
        merged.insert(name, value);
    }
    let mut args = vec!["--clearenv".to_owned()];
    for (name, value) in merged {
        args.extend(["--setenv".to_owned(), name.to_owned(), value.to_owned()]);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_environment_is_cleared_first_and_the_server_env_wins() {
        let host = vec![
            ("LANG".to_owned(), "C.UTF-8".to_owned()),
            ("PATH".to_owned(), "/usr/bin".to_owned()),
        ];
        let server = BTreeMap::from([
            ("LANG".to_owned(), "de_DE.UTF-8".to_owned()),
            ("API_TOKEN".to_owned(), "t0k3n".to_owned()),
        ]);
        let args = bwrap_env_args(&host, &server);
        assert_eq!(
            args,
            [
                "--clearenv",
                "--setenv",
                "API_TOKEN",
                "t0k3n",
                "--setenv",
                "LANG",
                "de_DE.UTF-8",
                "--setenv",
                "PATH",
                "/usr/bin",
            ]
        );
    }
}
