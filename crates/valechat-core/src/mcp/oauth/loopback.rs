//! [`LoopbackAuthorizer`]: OAuth consent in the user's browser with the
//! redirect caught on a loopback port (RFC 8252 §7.3, "Loopback Interface
//! Redirection"; MCP 2025-11-25 "Authorization").
//!
//! [`Authorizer::prepare`] binds `127.0.0.1` on the preferred redirect URI's
//! port (for a step-up, the port the client registered), or on a free port
//! when it is `0` or taken, so the redirect URI registered and sent names
//! the port that listens. [`Consent::approve`] reports
//! [`SignInEvent::Started`] (the UI shows its "Continue in your web browser"
//! dialog), opens the authorization URL through the injected `open_url`,
//! and waits for `GET /callback?code=…&state=…`: a wrong `state` and
//! `error=…` (`access_denied` when the user declines) end the flow with a
//! reason; other requests (favicon) get `404` and are ignored. The wait ends
//! after [`DEFAULT_TIMEOUT`] or when the [`CancellationToken`] of the event
//! is cancelled; [`SignInEvent::Finished`] is reported in every case, also
//! when the connection attempt is dropped.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::authorizer::{Authorizer, Consent, OAuthServer};
use super::callback::{self, Callback};

/// Longest the user may take in the browser: 5 minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Opens a URL in the user's browser; `Err(reason)` when it cannot.
pub type OpenUrl = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// Progress of a browser sign-in, for the UI.
#[derive(Debug, Clone)]
pub enum SignInEvent {
    /// The browser was asked to open `url`; waiting for the user.
    Started {
        /// The server signing in.
        server: OAuthServer,
        /// The authorization URL (for "Copy Link").
        url: String,
        /// Cancel it to abandon the sign-in.
        cancel: CancellationToken,
    },
    /// The sign-in ended (approved, refused, cancelled, timed out).
    Finished {
        /// The server.
        server: OAuthServer,
    },
}

/// Receives [`SignInEvent`]s; called on a tokio thread.
pub type SignInObserver = Arc<dyn Fn(SignInEvent) + Send + Sync>;

/// The browser [`Authorizer`] (see the module doc).
#[derive(Clone)]
pub struct LoopbackAuthorizer {
    open_url: OpenUrl,
    observer: Option<SignInObserver>,
    timeout: Duration,
}

impl std::fmt::Debug for LoopbackAuthorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopbackAuthorizer")
            .field("observer", &self.observer.is_some())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl LoopbackAuthorizer {
    /// An authorizer opening authorization URLs with `open_url`, waiting
    /// [`DEFAULT_TIMEOUT`], without observer.
    pub fn new(open_url: OpenUrl) -> Self {
        Self {
            open_url,
            observer: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Reports [`SignInEvent`]s to `observer`; with one, a browser that
    /// cannot be opened is not an error (the user can copy the link).
    #[must_use]
    pub fn with_observer(mut self, observer: SignInObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Waits at most `timeout` for the browser's answer.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// The loopback listener of one authorization.
struct LoopbackConsent {
    authorizer: LoopbackAuthorizer,
    server: OAuthServer,
    listener: TcpListener,
    redirect_uri: String,
}

/// Reports [`SignInEvent::Finished`] when dropped.
struct FinishGuard<'a> {
    observer: Option<&'a SignInObserver>,
    server: &'a OAuthServer,
}

impl Drop for FinishGuard<'_> {
    fn drop(&mut self) {
        if let Some(observer) = self.observer {
            observer(SignInEvent::Finished {
                server: self.server.clone(),
            });
        }
    }
}

#[async_trait::async_trait]
impl Authorizer for LoopbackAuthorizer {
    async fn prepare(
        &self,
        server: &OAuthServer,
        redirect_uri: &str,
    ) -> Result<Box<dyn Consent>, String> {
        let mut url = url::Url::parse(redirect_uri)
            .map_err(|e| format!("the redirect URI {redirect_uri:?} is not a URL: {e}"))?;
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if url.scheme() != "http" || !loopback {
            return Err(format!(
                "the redirect URI {redirect_uri:?} is not an http loopback address"
            ));
        }
        let port = url.port().unwrap_or(0);
        let listener = match TcpListener::bind(("127.0.0.1", port)).await {
            Ok(listener) => listener,
            Err(e) if port != 0 => {
                tracing::info!(port, "redirect port taken ({e}); using a free one");
                TcpListener::bind(("127.0.0.1", 0))
                    .await
                    .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?
            }
            Err(e) => return Err(format!("cannot listen on 127.0.0.1: {e}")),
        };
        let bound = listener
            .local_addr()
            .map_err(|e| format!("cannot read the loopback port: {e}"))?;
        // Setting host and port of an http URL cannot fail.
        let _ = url.set_host(Some("127.0.0.1"));
        let _ = url.set_port(Some(bound.port()));
        Ok(Box::new(LoopbackConsent {
            authorizer: self.clone(),
            server: server.clone(),
            listener,
            redirect_uri: url.to_string(),
        }))
    }
}

/// The `state` parameter of an authorization URL.
fn state_of(auth_url: &str) -> Option<String> {
    url::Url::parse(auth_url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
}

/// Whether the browser may be sent to `auth_url`: an `https` URL, or an
/// `http` one on this machine (a development server). A server that
/// names any other address (`http://` on the network, `file:`,
/// `javascript:`, a custom scheme) is refused, so a hostile server cannot
/// make ValeChat open it (issue 13, point 7).
fn may_open(auth_url: &str) -> bool {
    let Ok(url) = url::Url::parse(auth_url) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => match url.host() {
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

#[async_trait::async_trait]
impl Consent for LoopbackConsent {
    fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    async fn approve(self: Box<Self>, auth_url: &str) -> Result<String, String> {
        if !may_open(auth_url) {
            return Err(format!(
                "the server's authorization address is not an https URL, so it was not opened: {auth_url}"
            ));
        }
        let state = state_of(auth_url)
            .ok_or_else(|| format!("the authorization URL has no state: {auth_url}"))?;
        let observer = self.authorizer.observer.as_ref();
        let cancel = CancellationToken::new();
        if let Some(observer) = observer {
            observer(SignInEvent::Started {
                server: self.server.clone(),
                url: auth_url.to_owned(),
                cancel: cancel.clone(),
            });
        }
        let _finish = FinishGuard {
            observer,
            server: &self.server,
        };
        if let Err(reason) = (self.authorizer.open_url)(auth_url) {
            tracing::warn!(server = %self.server.id, "cannot open the browser: {reason}");
            if observer.is_none() {
                return Err(format!("cannot open the web browser: {reason}"));
            }
        }
        let deadline = tokio::time::sleep(self.authorizer.timeout);
        tokio::pin!(deadline);
        loop {
            let accepted = tokio::select! {
                accepted = self.listener.accept() => accepted,
                () = &mut deadline => {
                    return Err(format!(
                        "no answer from the web browser within {} s",
                        self.authorizer.timeout.as_secs()
                    ));
                }
                () = cancel.cancelled() => return Err("the sign-in was cancelled".into()),
            };
            let Ok((mut stream, _)) = accepted else {
                continue;
            };
            let verdict = match callback::read_get_target(&mut stream).await {
                Some(target) => callback::judge(&target, &self.redirect_uri, &state),
                None => Callback::Stray,
            };
            callback::respond(stream, &verdict).await;
            match verdict {
                Callback::Stray => {}
                Callback::Approved(url) => return Ok(url),
                Callback::Refused(reason) => return Err(reason),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_https_or_loopback_http_authorization_urls_are_opened() {
        use super::may_open;
        for good in [
            "https://auth.example.com/authorize?state=x",
            "http://127.0.0.1:9000/authorize?state=x",
            "http://localhost:9000/authorize",
            "http://[::1]:9000/authorize",
        ] {
            assert!(may_open(good), "{good}");
        }
        for bad in [
            "http://auth.example.com/authorize?state=x",
            "http://192.168.1.5/authorize",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "ms-settings:privacy",
            "not a url",
        ] {
            assert!(!may_open(bad), "{bad}");
        }
    }

    use super::*;
    use std::sync::Mutex;

    fn server() -> OAuthServer {
        OAuthServer {
            id: "s".into(),
            name: "S".into(),
        }
    }

    /// An authorizer whose "browser" records the URL, and its events.
    fn recording() -> (LoopbackAuthorizer, Arc<Mutex<Vec<SignInEvent>>>) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let authorizer = LoopbackAuthorizer::new(Arc::new(|_| Ok(())))
            .with_observer(Arc::new(move |e| sink.lock().unwrap().push(e)));
        (authorizer, events)
    }

    #[tokio::test]
    async fn prepare_binds_the_port_it_announces() {
        let (authorizer, _) = recording();
        let consent = authorizer
            .prepare(&server(), "http://127.0.0.1:0/callback")
            .await
            .unwrap();
        let uri = url::Url::parse(consent.redirect_uri()).unwrap();
        assert_eq!(uri.path(), "/callback");
        let port = uri.port().unwrap();
        assert_ne!(port, 0);
        // The port is taken by the consent's listener.
        assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_err());
        let refused = authorizer
            .prepare(&server(), "https://example.com/cb")
            .await;
        assert!(refused.is_err());
    }

    #[tokio::test]
    async fn a_stray_request_is_ignored_and_the_callback_returns() {
        let (authorizer, events) = recording();
        let consent = authorizer
            .prepare(&server(), "http://127.0.0.1:0/callback")
            .await
            .unwrap();
        let redirect = consent.redirect_uri().to_owned();
        let flow = tokio::spawn(consent.approve("https://as.test/authorize?state=s1"));
        let favicon = reqwest::get(redirect.replace("/callback", "/favicon.ico"))
            .await
            .unwrap();
        assert_eq!(favicon.status(), 404);
        let page = reqwest::get(format!("{redirect}?code=c1&state=s1"))
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("return to ValeChat"));
        assert_eq!(
            flow.await.unwrap().unwrap(),
            format!("{redirect}?code=c1&state=s1")
        );
        let events = events.lock().unwrap();
        assert!(matches!(&events[0], SignInEvent::Started { url, .. } if url.contains("s1")));
        assert!(matches!(&events[1], SignInEvent::Finished { .. }));
    }

    #[tokio::test]
    async fn cancelling_ends_the_wait() {
        let (authorizer, events) = recording();
        let consent = authorizer
            .prepare(&server(), "http://127.0.0.1:0/callback")
            .await
            .unwrap();
        let flow = tokio::spawn(consent.approve("https://as.test/authorize?state=s1"));
        let cancel = loop {
            let started = events.lock().unwrap().iter().find_map(|e| match e {
                SignInEvent::Started { cancel, .. } => Some(cancel.clone()),
                SignInEvent::Finished { .. } => None,
            });
            if let Some(cancel) = started {
                break cancel;
            }
            tokio::task::yield_now().await;
        };
        cancel.cancel();
        let error = flow.await.unwrap().unwrap_err();
        assert!(error.contains("cancelled"), "{error}");
    }

    #[tokio::test]
    async fn without_observer_an_unopenable_browser_fails() {
        let authorizer = LoopbackAuthorizer::new(Arc::new(|_| Err("no browser".into())))
            .with_timeout(Duration::from_secs(60));
        let consent = authorizer
            .prepare(&server(), "http://127.0.0.1:0/callback")
            .await
            .unwrap();
        let error = consent
            .approve("https://as.test/authorize?state=s1")
            .await
            .unwrap_err();
        assert!(error.contains("no browser"), "{error}");
    }
}
