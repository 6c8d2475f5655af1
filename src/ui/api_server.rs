//! The local API server inside the window (issue 15, part 2: "the window
//! runs it in-process while it is open when enabled"): [`ApiServerHost`]
//! starts, restarts and stops [`crate::serve::http`]'s server as
//! Preferences → Server says ([`ServerSettings`]), and publishes its
//! [`ServerStatus`] for the page and the header's indicator.
//!
//! The server runs on relm4's tokio runtime, over the window's engine:
//! every request is reserved, billed and recorded like the window's own.
//! It stops when the window's process ends (its socket with it).

pub mod settings;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, watch};
use tokio_util::sync::CancellationToken;
use valechat_core::chat::Engine;

use crate::i18n::gettext_f;
use crate::serve::clients::{ClientInfo, Clients};
use crate::serve::http::{RunningServer, ServeError, start_with};
pub use settings::ServerSettings;

/// How long a restart waits for the requests in flight of the server it
/// stops (streams end with their connection after it; the port is free
/// at once, as the old server stops accepting first).
const STOP_WAIT: Duration = Duration::from_secs(5);

/// What the server is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStatus {
    /// Not serving (the setting is off).
    Off,
    /// Binding its port.
    Starting,
    /// Listening at `address`.
    Running {
        /// The address and port it listens on.
        address: SocketAddr,
        /// Whether it listens on every network (`0.0.0.0`).
        remote: bool,
    },
    /// It could not start: why, in a sentence (the port is in use, the
    /// keyring is locked…).
    Failed(String),
}

/// Starts and stops the window's API server. Cheap to clone; clones share
/// the server.
#[derive(Clone)]
pub struct ApiServerHost {
    engine: Engine,
    status: Arc<watch::Sender<ServerStatus>>,
    /// The apps that used it, kept across restarts.
    clients: Clients,
    /// The running server and its stop token; the lock also puts one
    /// change after another.
    current: Arc<Mutex<Option<(CancellationToken, RunningServer)>>>,
}

impl std::fmt::Debug for ApiServerHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiServerHost")
            .field("status", &*self.status.borrow())
            .finish_non_exhaustive()
    }
}

impl ApiServerHost {
    /// A host serving `engine`; nothing runs until [`ApiServerHost::apply`].
    #[must_use]
    pub fn new(engine: Engine) -> Self {
        Self {
            engine,
            status: Arc::new(watch::channel(ServerStatus::Off).0),
            clients: Clients::default(),
            current: Arc::new(Mutex::new(None)),
        }
    }

    /// The status now and each change.
    #[must_use]
    pub fn status(&self) -> watch::Receiver<ServerStatus> {
        self.status.subscribe()
    }

    /// The apps using the server (now, or in the last ten minutes) and
    /// each change.
    #[must_use]
    pub fn clients(&self) -> watch::Receiver<Vec<ClientInfo>> {
        self.clients.subscribe()
    }

    /// Makes the server match `settings`: stops the running one, then
    /// starts a new one when enabled (so a new port, network choice or
    /// token takes effect). Returns at once; the change runs on relm4's
    /// runtime, one after another, and shows in [`ApiServerHost::status`].
    pub fn apply(&self, settings: ServerSettings) {
        let host = self.clone();
        relm4::spawn(async move { host.apply_now(settings).await });
    }

    async fn apply_now(&self, settings: ServerSettings) {
        let mut current = self.current.lock().await;
        if let Some((stop, server)) = current.take() {
            stop.cancel();
            match tokio::time::timeout(STOP_WAIT, server.wait()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!("the API server ended with an error: {e}"),
                Err(_) => tracing::info!("requests of the stopped API server still run"),
            }
        }
        if !settings.enabled {
            self.status.send_replace(ServerStatus::Off);
            return;
        }
        self.status.send_replace(ServerStatus::Starting);
        let stop = CancellationToken::new();
        let config = settings.serve_config();
        let clients = self.clients.clone();
        match start_with(self.engine.clone(), config, clients, stop.clone()).await {
            Ok(server) => {
                self.status.send_replace(ServerStatus::Running {
                    address: server.address(),
                    remote: settings.allow_remote,
                });
                *current = Some((stop, server));
            }
            Err(e) => {
                tracing::warn!("the API server did not start: {e}");
                self.status
                    .send_replace(ServerStatus::Failed(failure_sentence(&e)));
            }
        }
    }
}

/// Why the server did not start, in the person's language.
fn failure_sentence(error: &ServeError) -> String {
    match error {
        ServeError::Bind { address, source } => gettext_f(
            "Could not listen on port {port}: {reason}",
            &[
                ("port", &address.port().to_string()),
                ("reason", &source.to_string()),
            ],
        ),
        ServeError::Token(e) => gettext_f(
            "Could not read the access token from the keyring: {reason}",
            &[("reason", &e.to_string())],
        ),
        ServeError::RemoteNotAllowed(_) => error.to_string(),
    }
}
