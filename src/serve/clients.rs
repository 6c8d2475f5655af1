//! Who uses the local API server: [`Clients`] notes each app by name as it
//! makes requests (the OpenAI-compatible API, by its `User-Agent`'s
//! product), connects (a WebSocket stream) or opens an MCP session (its
//! `clientInfo.name`), and publishes the list the window shows in
//! Preferences → Server: the apps connected now and those that made a
//! request in the last [`RECENT`].

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use tokio::sync::watch;

/// How long an app that made a request stays listed without a connection
/// open.
pub const RECENT: Duration = Duration::from_secs(10 * 60);

/// How an app talks to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ClientKind {
    /// The OpenAI-compatible `/v1` API.
    Api,
    /// The WebSocket stream `/v1/ws`.
    WebSocket,
    /// MCP over streamable HTTP at `/mcp`.
    Mcp,
}

/// One app, as the window lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// The app's name (`OpenAI`, `claude-code`, `api` when it sent none).
    pub name: String,
    /// How it talks to the server.
    pub kind: ClientKind,
    /// Requests (or connections and sessions) so far.
    pub requests: u64,
    /// Connections open now (WebSocket).
    pub open: u32,
    /// When it was last heard from.
    pub last_seen: SystemTime,
}

/// The apps a server has seen. Cheap to clone; clones share the list.
#[derive(Debug, Clone)]
pub struct Clients {
    seen: Arc<Mutex<BTreeMap<(ClientKind, String), ClientInfo>>>,
    list: Arc<watch::Sender<Vec<ClientInfo>>>,
}

impl Default for Clients {
    fn default() -> Self {
        Self {
            seen: Arc::default(),
            list: Arc::new(watch::channel(Vec::new()).0),
        }
    }
}

/// An open connection; dropping it closes it in the list.
#[derive(Debug)]
pub struct Connection {
    clients: Clients,
    key: (ClientKind, String),
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.clients
            .update(&self.key, |c| c.open = c.open.saturating_sub(1));
    }
}

impl Connection {
    /// The connection now named `name` (a WebSocket client's `hello`):
    /// moved to that app's entry, the old name's entry forgotten when this
    /// connection was all it had seen.
    pub fn rename(&mut self, name: &str) {
        if self.key.1 == name {
            return;
        }
        let new = (self.key.0, name.to_owned());
        {
            let mut seen = self
                .clients
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(old) = seen.get_mut(&self.key) {
                old.open = old.open.saturating_sub(1);
                old.requests = old.requests.saturating_sub(1);
                if old.open == 0 && old.requests == 0 {
                    seen.remove(&self.key);
                }
            }
        }
        self.clients.update(&new, |c| {
            c.requests += 1;
            c.open += 1;
        });
        self.key = new;
    }
}

impl Clients {
    /// The list now and each change: open connections first, then the most
    /// recently seen; apps not heard from in [`RECENT`] are left out.
    #[must_use]
    pub fn subscribe(&self) -> watch::Receiver<Vec<ClientInfo>> {
        self.list.subscribe()
    }

    /// Notes a request from `name` over `kind`.
    pub fn request(&self, kind: ClientKind, name: &str) {
        self.update(&(kind, name.to_owned()), |c| c.requests += 1);
    }

    /// Notes a connection from `name` over `kind`, open until the returned
    /// guard is dropped.
    #[must_use]
    pub fn connect(&self, kind: ClientKind, name: &str) -> Connection {
        let key = (kind, name.to_owned());
        self.update(&key, |c| {
            c.requests += 1;
            c.open += 1;
        });
        Connection {
            clients: self.clone(),
            key,
        }
    }

    fn update(&self, key: &(ClientKind, String), change: impl FnOnce(&mut ClientInfo)) {
        let now = SystemTime::now();
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let client = seen.entry(key.clone()).or_insert_with(|| ClientInfo {
            name: key.1.clone(),
            kind: key.0,
            requests: 0,
            open: 0,
            last_seen: now,
        });
        change(client);
        client.last_seen = now;
        seen.retain(|_, c| c.open > 0 || recent(c, now));
        let mut list: Vec<ClientInfo> = seen.values().cloned().collect();
        list.sort_by(|a, b| {
            (b.open > 0)
                .cmp(&(a.open > 0))
                .then(b.last_seen.cmp(&a.last_seen))
        });
        self.list.send_replace(list);
    }
}

fn recent(client: &ClientInfo, now: SystemTime) -> bool {
    now.duration_since(client.last_seen)
        .is_ok_and(|age| age < RECENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_count_and_connections_open_and_close() {
        let clients = Clients::default();
        let list = clients.subscribe();
        clients.request(ClientKind::Api, "OpenAI");
        clients.request(ClientKind::Api, "OpenAI");
        let ws = clients.connect(ClientKind::WebSocket, "web");
        {
            let now = list.borrow();
            assert_eq!(now.len(), 2);
            assert_eq!(now[0].name, "web", "open connections first");
            assert_eq!(now[0].open, 1);
            assert_eq!(now[1].requests, 2);
        }
        drop(ws);
        let now = list.borrow();
        let web = now.iter().find(|c| c.name == "web").expect("still recent");
        assert_eq!(web.open, 0);
    }

    #[test]
    fn a_renamed_connection_moves_to_its_new_name() {
        let clients = Clients::default();
        let list = clients.subscribe();
        let mut ws = clients.connect(ClientKind::WebSocket, "Python/3.11");
        ws.rename("notebook");
        {
            let now = list.borrow();
            assert_eq!(now.len(), 1, "the User-Agent's entry is gone: {now:?}");
            assert_eq!((now[0].name.as_str(), now[0].open), ("notebook", 1));
        }
        drop(ws);
        assert_eq!(list.borrow()[0].open, 0);
    }
}
