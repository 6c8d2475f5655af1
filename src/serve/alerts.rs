//! Spending alerts of the requests a server answers: the engine announces
//! the thresholds a completion crossed ([`Engine::completion_alerts`]), and
//! [`notify_completion_alerts`] shows each as a desktop notification, with
//! the texts and urgency of the window's and the CLI's
//! ([`crate::cli::notify::notify_alerts_cli`]).

use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use valechat_core::chat::Engine;

/// Shows the alerts of `engine`'s completions as desktop notifications
/// until `stop` fires (a task on the current tokio runtime). Alerts a slow
/// notification server made it skip are logged.
pub fn notify_completion_alerts(engine: &Engine, stop: CancellationToken) {
    let mut alerts = engine.completion_alerts();
    tokio::spawn(async move {
        loop {
            let crossed = tokio::select! {
                () = stop.cancelled() => break,
                crossed = alerts.recv() => crossed,
            };
            match crossed {
                Ok(list) => {
                    crate::cli::notify::notify_alerts_cli(&list).await;
                }
                Err(RecvError::Lagged(skipped)) => {
                    tracing::warn!("{skipped} spending alert lists were not shown");
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
}
