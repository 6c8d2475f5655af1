//! Which HTTP redirects a request to a provider or an MCP server may
//! follow (issue 13, point 7): only to the same origin over https.
//!
//! reqwest follows up to ten redirects by default and drops only
//! `Authorization` and `Cookie` on a cross-host hop, so a provider's
//! `x-api-key` or `x-goog-api-key`, or an MCP server's custom headers,
//! would reach whatever host a server redirected to. Both HTTP clients
//! therefore follow a redirect only when [`may_follow`] allows it and
//! otherwise hand the redirect response back, which the caller reports
//! as an error naming the target.

use url::Url;

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 5;

/// Whether a request sent to `from` may follow a redirect to `to`: the
/// same scheme, host and port (so `https` never drops to `http`; a server
/// on this machine reached over `http` may redirect within itself).
#[must_use]
pub fn may_follow(from: &Url, to: &Url) -> bool {
    from.origin() == to.origin() && matches!(to.scheme(), "https" | "http")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a URL")
    }

    #[test]
    fn only_the_same_origin_is_followed() {
        let from = url("https://api.example.com/v1/chat");
        assert!(may_follow(&from, &url("https://api.example.com/v2/chat")));
        assert!(!may_follow(&from, &url("https://evil.example.net/v1/chat")));
        assert!(!may_follow(&from, &url("http://api.example.com/v1/chat")));
        assert!(!may_follow(&from, &url("https://api.example.com:8443/v1")));
        let local = url("http://127.0.0.1:11434/api/chat");
        assert!(may_follow(&local, &url("http://127.0.0.1:11434/api/chat/")));
        assert!(!may_follow(&local, &url("http://127.0.0.1:9999/api/chat")));
    }
}
