//! Desktop notifications of spending alerts in the GUI: one
//! `gio::Notification` per [`LimitAlert`], sent through the application
//! (portal-friendly, as Fractal does). Clicking it runs `app.show-billing`,
//! which opens the Billing window.
//!
//! The notification id is `spend-<limit id>-<threshold>-<period key>`: the
//! same alert sent twice replaces the first instead of stacking, and
//! different thresholds or periods stay separate. The ledger already raises
//! each alert once per limit, threshold and period (`limit_alerts`).

use relm4::adw;
use relm4::gtk::gio;
use relm4::gtk::prelude::*;

use crate::reports::format::alert_text;
use valechat_core::ledger::LimitAlert;

/// The `gio::Notification` id of `alert`.
pub fn notification_id(alert: &LimitAlert) -> String {
    format!(
        "spend-{}-{}-{}",
        alert.limit.id, alert.threshold, alert.period_key
    )
}

/// Sends one notification per alert through `app`; clicking one opens the
/// Billing window. Alerts at 100 % are sent with high priority.
pub fn notify_alerts(app: &adw::Application, alerts: &[LimitAlert]) {
    for alert in alerts {
        let (title, body) = alert_text(alert);
        let notification = gio::Notification::new(&title);
        notification.set_body(Some(&body));
        notification.set_default_action("app.show-billing");
        notification.set_priority(if alert.threshold >= 100 {
            gio::NotificationPriority::High
        } else {
            gio::NotificationPriority::Normal
        });
        app.send_notification(Some(&notification_id(alert)), &notification);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use valechat_core::ledger::{LimitScope, SpendingLimit};

    #[test]
    fn id_is_per_limit_threshold_and_period() {
        let alert = |threshold, period: &str| LimitAlert {
            limit: SpendingLimit {
                id: 7,
                scope: LimitScope::GlobalDay,
                target: None,
                amount_usd: Decimal::ONE,
                hard: true,
                thresholds: vec![50, 80],
                enabled: true,
                created_at: 0,
                updated_at: 0,
                provider_name: None,
            },
            threshold,
            period_key: period.into(),
            spent: Decimal::ONE,
        };
        assert_eq!(
            notification_id(&alert(80, "2026-11-22")),
            "spend-7-80-2026-11-22"
        );
        assert_ne!(
            notification_id(&alert(80, "2026-11-22")),
            notification_id(&alert(50, "2026-11-22"))
        );
        assert_ne!(
            notification_id(&alert(80, "2026-11-22")),
            notification_id(&alert(80, "2026-11-23"))
        );
    }
}
