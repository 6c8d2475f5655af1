//! MCP elicitation in the window (spec 2025-11-25, "Client Features →
//! Elicitation"). [`DialogElicitor`] is the GUI's
//! [`Elicitor`](valechat_core::mcp::Elicitor): it parses the request with
//! [`valechat_core::mcp::elicitation`], hands it to the GTK main loop as an
//! [`ElicitationAsk`] and waits for the answer. [`present`] shows it:
//! `form` (a dialog of fields built from the schema) or `url` (a
//! confirmation before opening the page in the browser).
//!
//! ```text
//! adw::MessageDialog  "Request from <server>" / message
//! ├─ form: ScrolledWindow › PreferencesGroup of field rows (`fields`)
//! │        responses Cancel · Decline · Submit
//! └─ url:  host, selectable full URL; Cancel · Decline · Open in Browser
//! ```

mod fields;
mod form;
mod url;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use relm4::gtk;
use relm4::gtk::glib;
use relm4::gtk::prelude::*;
use rmcp::model::{ElicitRequestParams, ElicitResult, ElicitationAction};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use valechat_core::mcp::Elicitor;
use valechat_core::mcp::elicitation::Elicitation;

/// One request waiting for the user, on its way to the main loop.
#[derive(Debug)]
pub struct ElicitationAsk {
    /// The asking server's id (the window shows its name).
    pub server_id: String,
    /// What the server asks for.
    pub request: Elicitation,
    reply: oneshot::Sender<ElicitResult>,
    /// Cancelled when the server no longer waits (the call was cancelled
    /// or the connection closed): the dialog then closes.
    gone: CancellationToken,
}

/// Hands an [`ElicitationAsk`] to the main loop (the window's input).
pub type AskSink = Arc<dyn Fn(ElicitationAsk) + Send + Sync>;

/// The GUI's [`Elicitor`]: every request becomes a dialog.
#[derive(Clone)]
pub struct DialogElicitor {
    sink: AskSink,
}

impl std::fmt::Debug for DialogElicitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DialogElicitor")
    }
}

impl DialogElicitor {
    /// An elicitor that sends each request to `sink` (e.g. a closure
    /// emitting a window input) and awaits the dialog's answer.
    pub fn new(sink: AskSink) -> Self {
        Self { sink }
    }
}

#[async_trait::async_trait]
impl Elicitor for DialogElicitor {
    async fn elicit(&self, server_id: &str, params: ElicitRequestParams) -> ElicitResult {
        let request = match Elicitation::parse(params) {
            Ok(request) => request,
            Err(e) => {
                tracing::warn!(server = %server_id, "declined an elicitation request: {e}");
                return ElicitResult::new(ElicitationAction::Decline);
            }
        };
        let (reply, answer) = oneshot::channel();
        let gone = CancellationToken::new();
        // Dropped with this future, also when rmcp drops it because the
        // server cancelled the request.
        let _guard = gone.clone().drop_guard();
        (self.sink)(ElicitationAsk {
            server_id: server_id.to_owned(),
            request,
            reply,
            gone,
        });
        // A window that went away without answering cancels.
        answer
            .await
            .unwrap_or_else(|_| ElicitResult::new(ElicitationAction::Cancel))
    }
}

/// Shows the dialog for `ask` over `parent`, naming the server
/// `server_name`; the answer goes back to the waiting [`DialogElicitor`].
pub fn present(parent: &impl IsA<gtk::Window>, server_name: &str, ask: ElicitationAsk) {
    let ElicitationAsk {
        request,
        reply,
        gone,
        ..
    } = ask;
    let reply = Reply(Rc::new(RefCell::new(Some(reply))));
    let dialog = match request {
        Elicitation::Form(form) => form::dialog(parent, server_name, form, reply),
        Elicitation::Url(url) => url::dialog(parent, server_name, url, reply),
    };
    let weak = dialog.downgrade();
    glib::spawn_future_local(async move {
        gone.cancelled().await;
        if let Some(dialog) = weak.upgrade().filter(|d| d.is_visible()) {
            dialog.close();
        }
    });
    dialog.present();
}

/// The answer channel of one dialog; the first answer wins.
#[derive(Clone)]
struct Reply(Rc<RefCell<Option<oneshot::Sender<ElicitResult>>>>);

impl Reply {
    /// Sends `result` unless an answer was already sent.
    fn send(&self, result: ElicitResult) {
        if let Some(tx) = self.0.borrow_mut().take() {
            // The server may have stopped waiting: nothing to tell then.
            let _ = tx.send(result);
        }
    }

    /// Sends a bare `decline` or `cancel`.
    fn send_action(&self, action: ElicitationAction) {
        self.send(ElicitResult::new(action));
    }
}
