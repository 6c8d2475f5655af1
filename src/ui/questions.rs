//! Questions the engine and the MCP servers ask the user, each as a dialog
//! over the main window: may this tool call run (issue 4, "Approval before
//! every call"), may a server sample a model (MCP `sampling/createMessage`),
//! what a server asks for (MCP elicitation, a form or a URL), and a
//! server's browser sign-in (MCP authorization, OAuth 2.1).
//!
//! The askers live on other threads ([`DialogApprover`] for tool calls and
//! sampling, [`DialogElicitor`](crate::ui::elicitation::DialogElicitor),
//! the OAuth sign-in observer); each sends a [`QuestionsInput`] here and
//! waits for the answer on its own channel. This component has no widget
//! of its own: it opens, tracks and closes the dialogs, so the window does
//! not.

mod approval;
mod sign_in;

pub use approval::{ApprovalReply, DialogApprover, SamplingReply};

use relm4::gtk::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use crate::ui::elicitation::{ElicitationAsk, ElicitationDialog, ElicitationOutput};
use valechat_core::chat::ApprovalRequest;
use valechat_core::mcp::oauth::SignInEvent;
use valechat_core::mcp::{McpServers, SamplingPreview};

/// Questions to show, and the state of the dialogs that show them.
#[derive(Debug)]
pub enum QuestionsInput {
    /// The MCP servers, once started: dialogs name a server by its
    /// configured name rather than its id.
    SetServers(McpServers),
    /// May this tool call run? The answer goes to the reply channel.
    ApproveToolCall(Box<ApprovalRequest>, ApprovalReply),
    /// The engine no longer waits for the approval of tool call `id`
    /// (the reply was stopped): close its dialog.
    DismissApproval(i64),
    /// May a server use a model through ValeChat?
    ApproveSampling(Box<SamplingPreview>, SamplingReply),
    /// A server asks the user for information (a form or a URL).
    Elicit(Box<ElicitationAsk>),
    /// An elicitation dialog was answered or dismissed.
    ElicitationDone,
    /// A server's browser sign-in started or ended.
    SignIn(SignInEvent),
}

/// The open question dialogs.
pub struct Questions {
    /// The window the dialogs stand over.
    parent: adw::ApplicationWindow,
    servers: Option<McpServers>,
    /// Open tool-call approval dialogs, by tool-call row id.
    approvals: approval::OpenApprovals,
    /// Open elicitation dialogs.
    elicitations: Vec<Controller<ElicitationDialog>>,
    /// Open sign-in dialogs, by server id.
    sign_ins: sign_in::OpenSignIns,
}

impl std::fmt::Debug for Questions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Questions")
            .field("approvals", &self.approvals.borrow().len())
            .field("elicitations", &self.elicitations.len())
            .finish_non_exhaustive()
    }
}

impl Component for Questions {
    type CommandOutput = ();
    type Input = QuestionsInput;
    type Output = ();
    type Init = adw::ApplicationWindow;
    type Root = ();
    type Widgets = ();

    fn init_root() -> Self::Root {}

    fn init(
        parent: Self::Init,
        (): Self::Root,
        _sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let model = Questions {
            parent,
            servers: None,
            approvals: std::rc::Rc::default(),
            elicitations: Vec::new(),
            sign_ins: std::rc::Rc::default(),
        };
        ComponentParts { model, widgets: () }
    }

    fn update(&mut self, message: QuestionsInput, sender: ComponentSender<Self>, (): &()) {
        match message {
            QuestionsInput::SetServers(servers) => self.servers = Some(servers),
            QuestionsInput::ApproveToolCall(request, reply) => {
                approval::ask(&self.parent, &self.approvals, *request, reply);
            }
            QuestionsInput::DismissApproval(id) => approval::dismiss(&self.approvals, id),
            QuestionsInput::ApproveSampling(preview, reply) => {
                let server = self.server_name(&preview.server_id);
                approval::ask_sampling(&self.parent, &server, *preview, reply);
            }
            QuestionsInput::Elicit(ask) => self.elicit(*ask, &sender),
            QuestionsInput::ElicitationDone => {
                // Answering destroys a dialog: forget the closed ones.
                self.elicitations.retain(|d| d.widget().is_visible());
            }
            QuestionsInput::SignIn(event) => sign_in::handle(&self.parent, &self.sign_ins, event),
        }
    }
}

impl Questions {
    /// A server's configured name, or its id when it has none (or is
    /// gone).
    fn server_name(&self, id: &str) -> String {
        self.servers
            .as_ref()
            .and_then(|servers| servers.config(id))
            .map_or_else(|| id.to_owned(), |config| config.name)
    }

    /// Shows what a server asks for in a dialog naming the server; the
    /// dialog answers the server itself.
    fn elicit(&mut self, ask: ElicitationAsk, sender: &ComponentSender<Self>) {
        let name = self.server_name(&ask.server_id);
        let parent = self.parent.clone().upcast::<gtk::Window>();
        let dialog = ElicitationDialog::builder()
            .launch((parent, name, ask))
            .forward(sender.input_sender(), |output| match output {
                ElicitationOutput::Done => QuestionsInput::ElicitationDone,
            });
        self.elicitations.push(dialog);
    }
}
