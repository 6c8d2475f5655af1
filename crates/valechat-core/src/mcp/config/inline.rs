//! Secrets written inside a server's command line or URL: `--api-key sk-…`,
//! `--token=…`, a credential-shaped argument, `?api_key=…` in a URL's query,
//! or the password of `https://user:password@host/`.
//!
//! [`extract_args`] and [`extract_url`] take them out and leave a
//! placeholder; [`resolve_args`] and [`resolve_url`] put them back just
//! before the server starts. An argument's secret becomes
//! `@keyring:N` (slot key `arg/N`; the number stays with the argument when
//! others are added, moved or removed), a query value becomes `@keyring`
//! (slot key `query/<name>`), a password `@keyring` as well (slot key
//! `url/password`).
//!
//! A secret in an argument still reaches the server as an argument, where
//! other local users can read it in `/proc/PID/cmdline`: what this removes
//! is the copy in the database and in everything that shows the command
//! line. A server that takes its key from the environment is safer.

use super::SECRET_PLACEHOLDER;

/// Values starting with these are credentials whatever their name (OpenAI
/// and Anthropic `sk-`, GitHub `ghp_`/`gho_`/`ghs_`/`github_pat_`, GitLab
/// `glpat-`, Slack `xox…`, Google `AIza`).
pub const CREDENTIAL_PREFIXES: [&str; 9] = [
    "sk-",
    "ghp_",
    "gho_",
    "ghs_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "AIza",
];

/// Shortest value taken for a credential by its prefix alone: real keys are
/// long, and `sk-learn` is a package.
const CREDENTIAL_MIN_LEN: usize = 20;

/// Whether `value` is shaped like a credential: one of
/// [`CREDENTIAL_PREFIXES`] and at least 20 characters with no space.
#[must_use]
pub fn credential_shaped(value: &str) -> bool {
    value.len() >= CREDENTIAL_MIN_LEN
        && !value.contains(char::is_whitespace)
        && CREDENTIAL_PREFIXES.iter().any(|p| value.starts_with(p))
}

/// Whether an option or query parameter called `name` carries a secret:
/// `--api-key`, `--token`, `access_token`, `key`, `sig`, `--password`…,
/// but not one naming where a secret is (`--token-file`, `--key-id`,
/// `--api-key-env`).
#[must_use]
pub fn names_secret(name: &str) -> bool {
    let name = name
        .trim_start_matches('-')
        .to_ascii_lowercase()
        .replace('_', "-");
    let points_elsewhere = ["file", "path", "dir", "-id", "name", "url", "env", "type"]
        .iter()
        .any(|word| name.contains(word));
    let words = [
        "token",
        "secret",
        "password",
        "passwd",
        "credential",
        "apikey",
        "api-key",
        "access-key",
        "private-key",
    ];
    let whole = ["key", "auth", "authorization", "sig", "signature", "pat"];
    !points_elsewhere
        && (words.iter().any(|w| name.contains(w))
            || whole.contains(&name.as_str())
            || name.ends_with("-key"))
}

/// Whether `value` can be an option's secret value (not a path, not
/// another option, not a `${VAR}` reference left for the user).
fn plausible_value(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with(['-', '/', '~', '.'])
        && !value.contains("${")
        && !value.contains(SECRET_PLACEHOLDER)
}

/// The byte range of `arg` that is a secret, if any; `after_secret_option`
/// says the argument before it was a secret-naming option (`--token`).
fn secret_span(arg: &str, after_secret_option: bool) -> Option<std::ops::Range<usize>> {
    if arg.contains(SECRET_PLACEHOLDER) || arg.contains("${") {
        return None;
    }
    if arg.starts_with('-') {
        let (name, value) = arg.split_once('=')?;
        let secret = (names_secret(name) && plausible_value(value)) || credential_shaped(value);
        return secret.then(|| name.len() + 1..arg.len());
    }
    ((after_secret_option && plausible_value(arg)) || credential_shaped(arg))
        .then_some(0..arg.len())
}

/// `@keyring:N`: the placeholder of argument secret `n`.
#[must_use]
pub fn arg_placeholder(n: u32) -> String {
    format!("{SECRET_PLACEHOLDER}:{n}")
}

/// The numbers of the `@keyring:N` placeholders in `arg`, with their byte
/// ranges.
fn placeholders(arg: &str) -> Vec<(u32, std::ops::Range<usize>)> {
    let marker = format!("{SECRET_PLACEHOLDER}:");
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = arg[from..].find(&marker) {
        let start = from + at;
        let digits_at = start + marker.len();
        let digits = arg[digits_at..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        if let Ok(n) = arg[digits_at..digits_at + digits].parse() {
            found.push((n, start..digits_at + digits));
        }
        from = digits_at + digits;
    }
    found
}

/// Replaces the secrets in `args` with `@keyring:N` placeholders and
/// returns `(slot key, secret)` pairs (`arg/N`), numbered after those
/// already there.
pub fn extract_args(args: &mut [String]) -> Vec<(String, String)> {
    let mut next = args
        .iter()
        .flat_map(|a| placeholders(a))
        .map(|(n, _)| n)
        .max()
        .map_or(1, |n| n + 1);
    let mut secrets = Vec::new();
    let mut after_secret_option = false;
    for arg in args.iter_mut() {
        let here = std::mem::replace(
            &mut after_secret_option,
            arg.starts_with('-') && !arg.contains('=') && names_secret(arg),
        );
        if let Some(span) = secret_span(arg, here) {
            secrets.push((format!("arg/{next}"), arg[span.clone()].to_owned()));
            arg.replace_range(span, &arg_placeholder(next));
            next += 1;
        }
    }
    secrets
}

/// The slot keys (`arg/N`) of the placeholders in `args`.
#[must_use]
pub fn arg_keys(args: &[String]) -> Vec<String> {
    args.iter()
        .flat_map(|a| placeholders(a))
        .map(|(n, _)| format!("arg/{n}"))
        .collect()
}

/// Puts the secrets back into `args`: `lookup` gives the value of a slot
/// key, or `None` when it is missing (then the error names that key).
///
/// # Errors
/// The first slot key `lookup` cannot give.
pub fn resolve_args(
    args: &mut [String],
    lookup: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<(), String> {
    for arg in args.iter_mut() {
        for (n, span) in placeholders(arg).into_iter().rev() {
            let key = format!("arg/{n}");
            let value = lookup(&key).ok_or(key)?;
            arg.replace_range(span, &value);
        }
    }
    Ok(())
}

/// The raw `name=value` pairs of a URL's query, split on `&`.
fn query_pairs(query: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    query.split('&').map(|pair| match pair.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (pair, None),
    })
}

/// [`SECRET_PLACEHOLDER`] as a URL's password reads once encoded.
const PASSWORD_PLACEHOLDER: &str = "%40keyring";

/// A query name or value as text (`+` and `%XX` decoded).
fn decoded(raw: &str) -> String {
    url::form_urlencoded::parse(format!("x={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Replaces the secrets in `url` (secret-named or credential-shaped query
/// values, a password) with `@keyring` and returns `(slot key, secret)`
/// pairs (`query/<name>`, `url/password`); the secrets are kept as written
/// (percent-encoded). A URL that does not parse is left alone.
pub fn extract_url(url: &mut String) -> Vec<(String, String)> {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return Vec::new();
    };
    let mut secrets = Vec::new();
    if let Some(password) = parsed.password().map(str::to_owned)
        && password != PASSWORD_PLACEHOLDER
        && parsed.set_password(Some(SECRET_PLACEHOLDER)).is_ok()
    {
        secrets.push(("url/password".to_owned(), password));
    }
    if let Some(query) = parsed.query().map(str::to_owned) {
        let mut pieces = Vec::new();
        for (name, value) in query_pairs(&query) {
            match value {
                Some(value)
                    if value != SECRET_PLACEHOLDER
                        && !value.contains("${")
                        && !value.is_empty()
                        && (names_secret(&decoded(name)) || credential_shaped(&decoded(value))) =>
                {
                    secrets.push((format!("query/{name}"), value.to_owned()));
                    pieces.push(format!("{name}={SECRET_PLACEHOLDER}"));
                }
                Some(value) => pieces.push(format!("{name}={value}")),
                None => pieces.push(name.to_owned()),
            }
        }
        parsed.set_query(Some(&pieces.join("&")));
    }
    if !secrets.is_empty() {
        *url = parsed.to_string();
    }
    secrets
}

/// The slot keys of the placeholders in `url`.
#[must_use]
pub fn url_keys(url: &str) -> Vec<String> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    if parsed.password() == Some(PASSWORD_PLACEHOLDER) {
        keys.push("url/password".to_owned());
    }
    if let Some(query) = parsed.query() {
        keys.extend(
            query_pairs(query)
                .filter(|(_, value)| *value == Some(SECRET_PLACEHOLDER))
                .map(|(name, _)| format!("query/{name}")),
        );
    }
    keys
}

/// Puts the secrets back into `url` (see [`resolve_args`] for `lookup`).
///
/// # Errors
/// The first slot key `lookup` cannot give, or `url/password` when the
/// stored password cannot be set.
pub fn resolve_url(
    url: &mut String,
    lookup: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<(), String> {
    let keys = url_keys(url);
    if keys.is_empty() {
        return Ok(());
    }
    let Ok(mut parsed) = url::Url::parse(url) else {
        return Ok(());
    };
    if keys.iter().any(|k| k == "url/password") {
        let key = "url/password".to_owned();
        let password = lookup(&key).ok_or_else(|| key.clone())?;
        // Stored as written (percent-encoded), which the setter keeps.
        parsed.set_password(Some(&password)).map_err(|()| key)?;
    }
    if let Some(query) = parsed.query().map(str::to_owned) {
        let mut pieces = Vec::new();
        for (name, value) in query_pairs(&query) {
            match value {
                Some(SECRET_PLACEHOLDER) => {
                    let key = format!("query/{name}");
                    let secret = lookup(&key).ok_or(key)?;
                    pieces.push(format!("{name}={secret}"));
                }
                Some(value) => pieces.push(format!("{name}={value}")),
                None => pieces.push(name.to_owned()),
            }
        }
        parsed.set_query(Some(&pieces.join("&")));
    }
    *url = parsed.to_string();
    Ok(())
}

#[cfg(test)]
#[path = "inline_tests.rs"]
mod tests;
