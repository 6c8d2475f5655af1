//! Checking a provider's base URL before it is stored or tried (issue 13,
//! point 12): `ftp://x y` used to be accepted and stored, and failed only
//! at the first request.
//!
//! A base URL is an absolute `http` or `https` URL with a host and no
//! spaces (WHATWG URL, parsed by the `url` crate); a path and a query are
//! kept (`https://example.com/openai/v1`, `…?api-version=…`).

use url::Url;

/// Why a base URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidBaseUrl {
    /// Nothing was entered.
    #[error("the base URL is empty")]
    Empty,
    /// It contains a space or another blank.
    #[error("the base URL {0:?} contains a space")]
    Spaces(String),
    /// It is not an absolute URL (no `scheme://`, or unparsable).
    #[error("{0:?} is not a URL (it needs to start with https:// or http://)")]
    NotAUrl(String),
    /// Its scheme is neither `http` nor `https`.
    #[error("{scheme}:// is not supported: use https:// or http://")]
    Scheme {
        /// The scheme given, e.g. `"ftp"`.
        scheme: String,
    },
    /// It names no host.
    #[error("the base URL {0:?} names no server")]
    NoHost(String),
}

/// Checks `text` as a base URL and returns it trimmed.
///
/// # Errors
/// [`InvalidBaseUrl`] saying what is wrong.
pub fn check_base_url(text: &str) -> Result<String, InvalidBaseUrl> {
    let text = text.trim();
    if text.is_empty() {
        return Err(InvalidBaseUrl::Empty);
    }
    if text.chars().any(char::is_whitespace) {
        return Err(InvalidBaseUrl::Spaces(text.to_owned()));
    }
    let url = Url::parse(text).map_err(|_| InvalidBaseUrl::NotAUrl(text.to_owned()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(InvalidBaseUrl::Scheme {
            scheme: url.scheme().to_owned(),
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(InvalidBaseUrl::NoHost(text.to_owned()));
    }
    if is_remote_http(&url) {
        tracing::warn!(
            base_url = text,
            "the provider is reached over plain http on another machine: its API key and the conversation travel unencrypted"
        );
    }
    Ok(text.to_owned())
}

/// Whether `url` is plain `http` to another machine (not loopback), where
/// the API key and the conversation travel unencrypted.
#[must_use]
pub fn is_remote_http(url: &Url) -> bool {
    url.scheme() == "http"
        && match url.host() {
            Some(url::Host::Domain(name)) => !name.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => !ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
            None => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_and_https_urls_with_a_host_pass_trimmed() {
        for good in [
            "https://api.openai.com/v1",
            "http://localhost:11434",
            "http://127.0.0.1:1234/v1",
            "https://gw.example.com/openai/deployments/x?api-version=2024-06-01",
            "http://[::1]:8080/v1",
        ] {
            assert_eq!(check_base_url(&format!("  {good} ")), Ok(good.to_owned()));
        }
    }

    #[test]
    fn plain_http_is_remote_unless_on_this_machine() {
        let remote = |text: &str| is_remote_http(&Url::parse(text).expect("a URL"));
        assert!(remote("http://192.168.1.20:8000/v1"));
        assert!(remote("http://gateway.example.com/v1"));
        assert!(!remote("http://localhost:11434"));
        assert!(!remote("http://127.0.0.1:1234/v1"));
        assert!(!remote("http://[::1]:8080"));
        assert!(!remote("https://gateway.example.com/v1"));
    }

    #[test]
    fn each_mistake_is_named() {
        assert_eq!(check_base_url(" "), Err(InvalidBaseUrl::Empty));
        assert_eq!(
            check_base_url("ftp://x y"),
            Err(InvalidBaseUrl::Spaces("ftp://x y".into()))
        );
        assert_eq!(
            check_base_url("ftp://example.com"),
            Err(InvalidBaseUrl::Scheme {
                scheme: "ftp".into()
            })
        );
        assert_eq!(
            check_base_url("localhost:11434"),
            Err(InvalidBaseUrl::Scheme {
                scheme: "localhost".into()
            })
        );
        assert_eq!(
            check_base_url("api.openai.com/v1"),
            Err(InvalidBaseUrl::NotAUrl("api.openai.com/v1".into()))
        );
        assert!(matches!(
            check_base_url("https://"),
            Err(InvalidBaseUrl::NotAUrl(_) | InvalidBaseUrl::NoHost(_))
        ));
        assert_eq!(
            check_base_url("file:///etc/passwd"),
            Err(InvalidBaseUrl::Scheme {
                scheme: "file".into()
            })
        );
    }
}
