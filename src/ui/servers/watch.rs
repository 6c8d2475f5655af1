//! The MCP servers' watcher: the Relm4 worker that follows the registry's
//! states and one server's log for the MCP Servers window (DESIGN.md:
//! "long-lived engine streams in Relm4 Workers").
//!
//! It runs on its own thread (`detach_worker`); the window owns it, so the
//! streams end with the window. States are followed from the start; a log
//! is followed while the window shows that server's details
//! ([`WatchInput::FollowLog`]). What it sees comes back as its Output
//! ([`WatchOutput`]), which the window forwards into its own input.

use std::collections::BTreeMap;

use relm4::{Component, ComponentParts, ComponentSender};
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use valechat_core::mcp::{LogLine, McpServers, ServerState};

/// The watcher's state.
#[derive(Debug)]
pub struct ServerWatch {
    servers: McpServers,
    /// Stops following the log followed now.
    log_follow: Option<CancellationToken>,
}

/// What the watcher is asked to follow.
#[derive(Debug)]
pub enum WatchInput {
    /// Follow the log of server `id` (`None`: no log), instead of the one
    /// followed until now.
    FollowLog(Option<String>),
}

/// What the watcher sees, in order.
#[derive(Debug)]
pub enum WatchOutput {
    /// Every server's state (at the start, then at each change).
    States(BTreeMap<String, ServerState>),
    /// The log of server `id` is followed from now: its lines so far.
    LogReset(String, Vec<LogLine>),
    /// A new line of the log of server `id`.
    LogLine(String, LogLine),
}

impl Component for ServerWatch {
    type Init = McpServers;
    type Input = WatchInput;
    type Output = WatchOutput;
    type CommandOutput = ();
    type Root = ();
    type Widgets = ();

    fn init_root() -> Self::Root {}

    fn init(
        servers: McpServers,
        (): Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        follow_states(&servers, &sender);
        ComponentParts {
            model: Self {
                servers,
                log_follow: None,
            },
            widgets: (),
        }
    }

    fn update(&mut self, message: WatchInput, sender: ComponentSender<Self>, (): &()) {
        let WatchInput::FollowLog(id) = message;
        if let Some(token) = self.log_follow.take() {
            token.cancel();
        }
        let Some(id) = id else {
            return;
        };
        let token = CancellationToken::new();
        self.log_follow = Some(token.clone());
        let servers = self.servers.clone();
        let output = sender.output_sender().clone();
        sender.command(move |_, shutdown| {
            shutdown
                .register(follow_log(servers, id, token, output))
                .drop_on_shutdown()
        });
    }
}

/// Sends every state change of the registry for as long as the worker
/// lives.
fn follow_states(servers: &McpServers, sender: &ComponentSender<ServerWatch>) {
    let mut rx = servers.subscribe();
    let output = sender.output_sender().clone();
    sender.command(move |_, shutdown| {
        shutdown
            .register(async move {
                loop {
                    let states = rx.borrow_and_update().clone();
                    if output.send(WatchOutput::States(states)).is_err() {
                        break;
                    }
                    if rx.changed().await.is_err() {
                        break;
                    }
                }
            })
            .drop_on_shutdown()
    });
}

/// Sends the log of server `id` so far, then each new line until `token`
/// is cancelled or the log closes.
async fn follow_log(
    servers: McpServers,
    id: String,
    token: CancellationToken,
    output: relm4::Sender<WatchOutput>,
) {
    let Some(log) = servers.log(&id) else {
        let _ = output.send(WatchOutput::LogReset(id, Vec::new()));
        return;
    };
    let mut rx = log.subscribe();
    if output
        .send(WatchOutput::LogReset(id.clone(), log.lines()))
        .is_err()
    {
        return;
    }
    loop {
        let line = tokio::select! {
            () = token.cancelled() => break,
            line = rx.recv() => line,
        };
        match line {
            Ok(line) => {
                if output.send(WatchOutput::LogLine(id.clone(), line)).is_err() {
                    break;
                }
            }
            Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => break,
        }
    }
}
