//! Stopping the reply and quitting: the MCP servers are shut down (their
//! whole process groups) before the application ends.

use relm4::ComponentSender;

use super::{Window, WindowCommand};
use crate::ui::conversation_view::ConversationViewInput;

/// Longest the MCP servers get to shut down when quitting.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

impl Window {
    /// Stops the running reply (its text so far is kept, marked incomplete).
    pub(super) fn stop(&self) {
        self.emit_view(ConversationViewInput::Stop);
    }

    /// Stops the reply, shuts every MCP server down (their whole process
    /// groups, at most a few seconds), then quits. A second request while
    /// shutting down is ignored.
    pub(super) fn quit(&mut self, sender: &ComponentSender<Self>) {
        self.stop();
        if self.quitting {
            return;
        }
        self.quitting = true;
        let Some(servers) = self.servers.clone() else {
            relm4::gtk::prelude::ApplicationExt::quit(&relm4::main_application());
            return;
        };
        sender.oneshot_command(async move {
            if tokio::time::timeout(SHUTDOWN_GRACE, servers.shutdown_all())
                .await
                .is_err()
            {
                tracing::warn!("MCP servers did not stop in time");
            }
            WindowCommand::ServersStopped
        });
    }
}
