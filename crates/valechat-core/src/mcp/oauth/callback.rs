//! The loopback redirect endpoint's HTTP side: reading one request head from
//! the browser, judging it against the authorization in progress, and the
//! small translated HTML page sent back.
//!
//! Only what a browser sends to `GET /callback?…` is understood (HTTP/1.1
//! request line, RFC 9112 §3); anything else gets `404` and is otherwise
//! ignored (favicon requests, probes).

use std::time::Duration;

use gettextrs::gettext;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest request head read, bytes.
const MAX_HEAD: usize = 8 * 1024;
/// Longest one browser connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// What a request to the loopback listener means for the authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// Not the callback (other path or method, no parameters): ignored.
    Stray,
    /// The authorization server redirected with a code and the right
    /// `state`; the callback URL to hand to rmcp.
    Approved(String),
    /// Refused by the user (`access_denied`), the server, or a `state`
    /// mismatch; the English reason.
    Refused(String),
}

/// Reads the request head (up to [`MAX_HEAD`] bytes, [`READ_TIMEOUT`]).
/// Returns the request target of a `GET`, `None` for anything else.
pub async fn read_get_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(READ_TIMEOUT, async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        Some(())
    })
    .await;
    read.ok()??;
    let text = String::from_utf8_lossy(&head);
    let mut parts = text.lines().next()?.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Some(target.to_owned()),
        _ => None,
    }
}

/// Judges request `target` (e.g. `/callback?code=…&state=…`) for the
/// redirect URI `redirect_uri` and the expected `state`.
#[must_use]
pub fn judge(target: &str, redirect_uri: &str, state: &str) -> Callback {
    let Ok(base) = url::Url::parse(redirect_uri) else {
        return Callback::Stray;
    };
    let Ok(url) = base.join(target) else {
        return Callback::Stray;
    };
    if url.path() != base.path() {
        return Callback::Stray;
    }
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let (code, error, got_state) = (param("code"), param("error"), param("state"));
    if code.is_none() && error.is_none() {
        return Callback::Stray;
    }
    if got_state.as_deref() != Some(state) {
        return Callback::Refused(
            "the browser returned a state that does not match this sign-in \
             (the answer may come from another sign-in or another site)"
                .into(),
        );
    }
    match (error.as_deref(), code) {
        (Some("access_denied"), _) => {
            Callback::Refused("access was denied on the sign-in page".into())
        }
        (Some(error), _) => {
            let detail = param("error_description").map_or(String::new(), |d| format!(" ({d})"));
            Callback::Refused(format!("the authorization server refused: {error}{detail}"))
        }
        (None, Some(_)) => Callback::Approved(url.to_string()),
        (None, None) => Callback::Stray,
    }
}

/// Minimal HTML escaping for text in an element.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The page shown in the browser: translated title and sentence.
#[must_use]
pub fn page(result: &Callback) -> String {
    let (title, body) = match result {
        Callback::Approved(_) => (
            gettext("Signed In"),
            gettext("You can close this tab and return to ValeChat."),
        ),
        Callback::Refused(reason) => (
            gettext("Sign-In Failed"),
            format!(
                "{} {}",
                gettext("ValeChat was not signed in. You can close this tab."),
                reason
            ),
        ),
        Callback::Stray => (gettext("Not Found"), String::new()),
    };
    let (title, body) = (escape(&title), escape(&body));
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;text-align:center;margin-top:20vh}}</style>\
         </head><body><h1>{title}</h1><p>{body}</p></body></html>"
    )
}

/// Sends `result`'s page with its status and closes the connection; errors
/// (the browser went away) are ignored.
pub async fn respond(mut stream: TcpStream, result: &Callback) {
    let status = match result {
        Callback::Approved(_) => "200 OK",
        Callback::Refused(_) => "400 Bad Request",
        Callback::Stray => "404 Not Found",
    };
    let body = page(result);
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    const REDIRECT: &str = "http://127.0.0.1:4000/callback";

    #[test]
    fn the_callback_with_the_right_state_is_approved() {
        assert_eq!(
            judge("/callback?code=c1&state=s1", REDIRECT, "s1"),
            Callback::Approved("http://127.0.0.1:4000/callback?code=c1&state=s1".into())
        );
    }

    #[test]
    fn stray_requests_are_ignored() {
        assert_eq!(judge("/favicon.ico", REDIRECT, "s1"), Callback::Stray);
        assert_eq!(judge("/callback", REDIRECT, "s1"), Callback::Stray);
        assert_eq!(
            judge("/other?code=c&state=s1", REDIRECT, "s1"),
            Callback::Stray
        );
    }

    #[test]
    fn denial_errors_and_a_wrong_state_are_refused() {
        let denied = judge("/callback?error=access_denied&state=s1", REDIRECT, "s1");
        assert!(
            matches!(&denied, Callback::Refused(r) if r.contains("denied")),
            "{denied:?}"
        );
        let other = judge(
            "/callback?error=server_error&error_description=down&state=s1",
            REDIRECT,
            "s1",
        );
        assert!(
            matches!(&other, Callback::Refused(r) if r.contains("server_error (down)")),
            "{other:?}"
        );
        let forged = judge("/callback?code=c1&state=evil", REDIRECT, "s1");
        assert!(
            matches!(&forged, Callback::Refused(r) if r.contains("state")),
            "{forged:?}"
        );
    }

    #[test]
    fn the_page_escapes_the_reason() {
        let page = page(&Callback::Refused("<script>".into()));
        assert!(
            page.contains("&lt;script&gt;") && !page.contains("<script>"),
            "{page}"
        );
    }
}
