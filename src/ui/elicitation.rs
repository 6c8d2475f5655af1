//! MCP elicitation in the window (spec 2025-11-25, "Client Features →
//! Elicitation"). [`DialogElicitor`] is the GUI's
//! [`Elicitor`](valechat_core::mcp::Elicitor): it parses the request with
//! [`valechat_core::mcp::elicitation`], hands it to the GTK main loop as an
//! [`ElicitationAsk`] and waits for the answer. [`ElicitationDialog`], a
//! component the window launches for each ask, shows it: `form` (a dialog
//! of fields built from the schema) or `url` (a confirmation before opening
//! the page in the browser). It sends the answer back to the waiting
//! elicitor, closes when the server stops waiting (a command), and tells
//! the window when it is done ([`ElicitationOutput::Done`]).
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

use std::sync::Arc;

use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};
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

/// How a dialog's response (`submit`, `open`, `decline`, `cancel`)
/// becomes the answer, read from the dialog's fields.
type Answer = Box<dyn Fn(&adw::MessageDialog, &str) -> ElicitResult>;

/// The dialog of one elicitation request.
pub struct ElicitationDialog {
    /// The waiting [`DialogElicitor`]'s channel; taken by the first answer.
    reply: Option<oneshot::Sender<ElicitResult>>,
    answer: Answer,
}

impl std::fmt::Debug for ElicitationDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ElicitationDialog").finish_non_exhaustive()
    }
}

/// What the dialog is told.
#[derive(Debug)]
pub enum ElicitationInput {
    /// The user answered with this response id.
    Respond(String),
}

/// What the dialog tells the window.
#[derive(Debug)]
pub enum ElicitationOutput {
    /// The request was answered (or is no longer waited for): the dialog
    /// is closed and its controller may go.
    Done,
}

/// Background events of the dialog.
#[derive(Debug)]
pub enum ElicitationCommand {
    /// The server no longer waits for the answer.
    Gone,
}

impl Component for ElicitationDialog {
    type CommandOutput = ElicitationCommand;
    type Input = ElicitationInput;
    type Output = ElicitationOutput;
    /// The window it belongs to, the asking server's name as shown, and
    /// the request.
    type Init = (gtk::Window, String, ElicitationAsk);
    type Root = adw::MessageDialog;
    type Widgets = ();

    fn init_root() -> Self::Root {
        adw::MessageDialog::new(None::<&gtk::Window>, None, None)
    }

    /// Fills the dialog (`form` or `url`) and shows it over `parent`. A
    /// command waits for the server to stop waiting, which closes the
    /// dialog.
    fn init(
        (parent, server_name, ask): Self::Init,
        dialog: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let ElicitationAsk {
            request,
            reply,
            gone,
            ..
        } = ask;
        dialog.set_transient_for(Some(&parent));
        let answer = match request {
            Elicitation::Form(form) => form::fill(&dialog, &server_name, form),
            Elicitation::Url(url) => url::fill(&dialog, &server_name, url),
        };
        let input = sender.input_sender().clone();
        dialog.connect_response(None, move |_, response| {
            input.emit(ElicitationInput::Respond(response.to_owned()));
        });
        sender.oneshot_command(async move {
            gone.cancelled().await;
            ElicitationCommand::Gone
        });
        dialog.present();
        let model = ElicitationDialog {
            reply: Some(reply),
            answer,
        };
        ComponentParts { model, widgets: () }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>, dialog: &Self::Root) {
        let ElicitationInput::Respond(response) = message;
        if let Some(reply) = self.reply.take() {
            // The server may have stopped waiting: nothing to tell then.
            let _ = reply.send((self.answer)(dialog, &response));
        }
        let _ = sender.output(ElicitationOutput::Done);
    }

    fn update_cmd(
        &mut self,
        message: Self::CommandOutput,
        _: ComponentSender<Self>,
        dialog: &Self::Root,
    ) {
        let ElicitationCommand::Gone = message;
        if dialog.is_visible() {
            dialog.close();
        }
    }
}
