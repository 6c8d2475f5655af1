//! Reading a secret (an API key, a bearer token) from standard input.

use std::io::{IsTerminal, Read};

/// Reads one secret from standard input. On a terminal: `prompt` on the
/// terminal, then one line read with echo off (`rpassword`), so the secret
/// never shows on screen nor stays in the scrollback. Otherwise (a pipe, a
/// file): the first line of all that stdin holds. White space around it is
/// trimmed; `None` when nothing is left.
///
/// # Errors
/// The terminal or stdin cannot be read (Ctrl+C at the prompt included).
pub fn read_secret(prompt: &str) -> std::io::Result<Option<String>> {
    let stdin = std::io::stdin();
    let text = if stdin.is_terminal() {
        rpassword::prompt_password(prompt)?
    } else {
        let mut text = String::new();
        stdin.lock().read_to_string(&mut text)?;
        text.lines().next().unwrap_or_default().to_owned()
    };
    let secret = text.trim().to_owned();
    Ok(Some(secret).filter(|s| !s.is_empty()))
}
