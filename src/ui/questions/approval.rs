//! Asking before a tool runs (issue 4, "Approval before every call"): the
//! engine's [`Approver`] for the GUI sends each request to the
//! [`Questions`](super::Questions) component, which shows a dialog with the
//! server, the tool, its hints and the arguments as pretty JSON, and answers
//! Allow Once, Always Allow or Deny. Sampling requests (MCP
//! `sampling/createMessage`) are approved the same way.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::QuestionsInput;
use crate::i18n::gettext_f;
use valechat_core::chat::{Approval, ApprovalRequest, Approver, ToolHints};

/// Where the answer to one approval goes.
#[derive(Debug)]
pub struct ApprovalReply(pub oneshot::Sender<Approval>);

/// The GUI's [`Approver`]: forwards requests to the
/// [`Questions`](super::Questions) component and waits.
#[derive(Debug, Clone)]
pub struct DialogApprover {
    questions: relm4::Sender<QuestionsInput>,
}

impl DialogApprover {
    /// An approver that asks through the `Questions` component's input.
    pub fn new(questions: relm4::Sender<QuestionsInput>) -> Self {
        Self { questions }
    }
}

#[async_trait::async_trait]
impl Approver for DialogApprover {
    async fn approve(&self, request: ApprovalRequest, cancel: CancellationToken) -> Approval {
        let (tx, rx) = oneshot::channel();
        let id = request.tool_call_id;
        self.questions.emit(QuestionsInput::ApproveToolCall(
            Box::new(request),
            ApprovalReply(tx),
        ));
        tokio::select! {
            () = cancel.cancelled() => {
                self.questions.emit(QuestionsInput::DismissApproval(id));
                Approval::Deny
            }
            // A window that went away without answering denies.
            answer = rx => answer.unwrap_or(Approval::Deny),
        }
    }
}

/// Where the answer to a sampling request goes.
#[derive(Debug)]
pub struct SamplingReply(pub oneshot::Sender<bool>);

#[async_trait::async_trait]
impl valechat_core::mcp::SamplingApprover for DialogApprover {
    async fn approve(&self, preview: valechat_core::mcp::SamplingPreview) -> bool {
        let (tx, rx) = oneshot::channel();
        self.questions.emit(QuestionsInput::ApproveSampling(
            Box::new(preview),
            SamplingReply(tx),
        ));
        rx.await.unwrap_or(false)
    }
}

/// The open approval dialogs by tool-call row id (shared with each
/// dialog, which leaves when destroyed).
pub type OpenApprovals = Rc<RefCell<HashMap<i64, adw::MessageDialog>>>;

/// Shows the approval dialog for `request` over `root`; the answer goes
/// to `reply`.
pub fn ask(
    root: &adw::ApplicationWindow,
    approvals: &OpenApprovals,
    request: ApprovalRequest,
    reply: ApprovalReply,
) {
    let tool = &request.tool;
    let title = tool
        .hints
        .title
        .clone()
        .unwrap_or_else(|| tool.tool_name.clone());
    let dialog = adw::MessageDialog::new(
        Some(root),
        Some(&gettext_f(
            "Run “{tool}” from {server}?",
            &[("tool", &title), ("server", &tool.server_name)],
        )),
        Some(&body_text(&tool.definition.description, &tool.hints)),
    );
    dialog.set_extra_child(Some(&arguments_view(&request.arguments)));
    dialog.add_response("deny", &gettext("Deny"));
    dialog.add_response("always", &gettext("Always Allow"));
    dialog.add_response("once", &gettext("Allow Once"));
    dialog.set_response_appearance(
        "once",
        if tool.hints.destructive == Some(true) {
            adw::ResponseAppearance::Destructive
        } else {
            adw::ResponseAppearance::Suggested
        },
    );
    // Enter never runs a destructive tool by accident.
    let default = if tool.hints.destructive == Some(true) {
        "deny"
    } else {
        "once"
    };
    dialog.set_default_response(Some(default));
    dialog.set_close_response("deny");
    let id = request.tool_call_id;
    let reply = std::cell::RefCell::new(Some(reply.0));
    dialog.connect_response(None, move |_, response| {
        let answer = match response {
            "once" => Approval::AllowOnce,
            "always" => Approval::AlwaysAllow,
            _ => Approval::Deny,
        };
        if let Some(tx) = reply.borrow_mut().take() {
            let _ = tx.send(answer);
        }
    });
    let open = approvals.clone();
    dialog.connect_destroy(move |_| {
        open.borrow_mut().remove(&id);
    });
    approvals.borrow_mut().insert(id, dialog.clone());
    dialog.present();
}

/// Asks whether server `server` (its name) may use a model: shows the
/// provider, model, system prompt, messages and output cap (issue 4,
/// sampling).
pub fn ask_sampling(
    root: &adw::ApplicationWindow,
    server: &str,
    preview: valechat_core::mcp::SamplingPreview,
    reply: SamplingReply,
) {
    let dialog = adw::MessageDialog::new(
        Some(root),
        Some(&gettext_f(
            "Let {server} Use {model}?",
            &[("server", server), ("model", &preview.model)],
        )),
        Some(&gettext_f(
            "The server asks for a reply of up to {tokens} tokens from {provider}. It is billed like your own messages.",
            &[
                ("tokens", &preview.max_tokens.to_string()),
                ("provider", &preview.provider_id),
            ],
        )),
    );
    let mut text = String::new();
    if let Some(system) = &preview.system_prompt {
        text.push_str(&format!("system: {system}\n"));
    }
    text.push_str(&preview.messages);
    dialog.set_extra_child(Some(&arguments_view(&serde_json::Value::String(text))));
    dialog.add_response("deny", &gettext("Deny"));
    dialog.add_response("allow", &gettext("Allow"));
    dialog.set_response_appearance("allow", adw::ResponseAppearance::Suggested);
    dialog.set_default_response(Some("deny"));
    dialog.set_close_response("deny");
    let reply = std::cell::RefCell::new(Some(reply.0));
    dialog.connect_response(None, move |_, response| {
        if let Some(tx) = reply.borrow_mut().take() {
            let _ = tx.send(response == "allow");
        }
    });
    dialog.present();
}

/// Closes the dialog of a call the engine no longer waits for.
pub fn dismiss(approvals: &OpenApprovals, id: i64) {
    let dialog = approvals.borrow_mut().remove(&id);
    if let Some(dialog) = dialog {
        dialog.close();
    }
}

/// The tool's description and what its hints say, one paragraph each.
fn body_text(description: &str, hints: &ToolHints) -> String {
    let mut parts = Vec::new();
    if !description.trim().is_empty() {
        parts.push(description.trim().to_owned());
    }
    if hints.destructive == Some(true) {
        parts.push(gettext(
            "The server says this tool may delete or overwrite data.",
        ));
    } else if hints.read_only == Some(true) {
        parts.push(gettext("The server says this tool only reads data."));
    }
    if hints.open_world == Some(true) {
        parts.push(gettext("It may reach services outside this computer."));
    }
    parts.join("\n\n")
}

/// The arguments as pretty JSON in a scrollable monospace label. Not
/// selectable (the tool-call row's copy is): a focused label would keep
/// Enter from choosing the dialog's default response.
fn arguments_view(arguments: &serde_json::Value) -> gtk::Widget {
    let text = serde_json::to_string_pretty(arguments).unwrap_or_else(|_| arguments.to_string());
    let label = gtk::Label::builder()
        .label(text)
        .xalign(0.0)
        .yalign(0.0)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        .selectable(false)
        .css_classes(["monospace"])
        .margin_start(8)
        .margin_end(8)
        .margin_top(8)
        .margin_bottom(8)
        .build();
    let scroller = gtk::ScrolledWindow::builder()
        .child(&label)
        .hscrollbar_policy(gtk::PolicyType::Never)
        .propagate_natural_height(true)
        .max_content_height(240)
        .css_classes(["card"])
        .build();
    let heading = gtk::Label::builder()
        .label(gettext("Arguments"))
        .xalign(0.0)
        .css_classes(["caption-heading"])
        .build();
    let column = gtk::Box::new(gtk::Orientation::Vertical, 6);
    column.append(&heading);
    column.append(&scroller);
    column.upcast()
}
