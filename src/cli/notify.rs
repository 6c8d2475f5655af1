//! Desktop notifications of spending alerts from the command line, through
//! `notify-rust`: the freedesktop Notifications D-Bus interface on Linux
//! (zbus on the tokio runtime oo7 already uses), the user notification
//! centre on macOS.
//!
//! Same texts as the GUI ([`crate::reports::format::alert_text`]). Each
//! alert is its own notification; when no notification server answers the
//! failure is logged and the command carries on.

use crate::reports::format::alert_text;
use valechat_core::ledger::LimitAlert;

/// Application name given to the notification server.
pub const APP_NAME: &str = "ValeChat";

/// Shows one desktop notification per alert (critical urgency at 100 % and
/// more) and returns how many the server accepted. Runs on the tokio
/// runtime (zbus's tokio back end on Linux).
pub async fn notify_alerts_cli(alerts: &[LimitAlert]) -> usize {
    let mut shown = 0;
    for alert in alerts {
        let (title, body) = alert_text(alert);
        let mut notification = notify_rust::Notification::new();
        notification
            .appname(APP_NAME)
            .summary(&title)
            .body(&body)
            .icon(crate::config::APP_ID);
        #[cfg(all(unix, not(target_os = "macos")))]
        let result = notification
            .urgency(if alert.threshold >= 100 {
                notify_rust::Urgency::Critical
            } else {
                notify_rust::Urgency::Normal
            })
            .show_async()
            .await
            .map(drop);
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        let result = notification.show().map(drop);
        match result {
            Ok(()) => shown += 1,
            Err(e) => tracing::warn!(
                "could not show the spending notification for limit {}: {e}",
                alert.limit.id
            ),
        }
    }
    shown
}
