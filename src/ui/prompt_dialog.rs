//! Asks for the arguments of an MCP prompt before `prompts/get`: one entry
//! per argument (required ones marked with “*”, the prompt's own
//! description under each), with suggestions from the server's
//! `completion/complete` as the user types (see [`completion_popover`]).
//! “Use Prompt” is enabled once every required argument has a value.
//!
//! [`PromptDialog`] is a component; its owner (the composer) launches it
//! over its window and forwards [`PromptDialogOutput::Use`].
//! libadwaita destroys the dialog once it has answered.
//!
//! [`completion_popover`]: crate::ui::completion_popover

use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw;
use relm4::adw::prelude::*;
use relm4::gtk;
use relm4::prelude::*;

use crate::i18n::gettext_f;
use crate::ui::completion_popover::{CompletionInit, CompletionPopover, Source, Target};
use valechat_core::mcp::{McpServers, PromptEntry};

/// `(argument name, value)` pairs, in the prompt's order; empty optional
/// arguments are left out.
pub type Arguments = Vec<(String, String)>;

/// One argument's entry.
struct Field {
    name: String,
    required: bool,
    entry: gtk::Entry,
}

/// The dialog for one prompt's arguments.
pub struct PromptDialog {
    prompt: PromptEntry,
    fields: Rc<Vec<Field>>,
    /// The suggestions under each entry.
    _completions: Vec<Controller<CompletionPopover>>,
}

impl std::fmt::Debug for PromptDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromptDialog")
            .field("prompt", &self.prompt.prompt.name)
            .finish_non_exhaustive()
    }
}

/// What the dialog is told.
#[derive(Debug)]
pub enum PromptDialogInput {
    /// The user answered with this response id (`use` or `cancel`).
    Respond(String),
}

/// What the dialog tells its owner.
#[derive(Debug)]
pub enum PromptDialogOutput {
    /// “Use Prompt”: get this prompt with these arguments.
    Use(Box<PromptEntry>, Arguments),
}

impl Component for PromptDialog {
    type CommandOutput = ();
    type Input = PromptDialogInput;
    type Output = PromptDialogOutput;
    /// The window it belongs to, the servers and the prompt.
    type Init = (Option<gtk::Window>, McpServers, PromptEntry);
    type Root = adw::MessageDialog;
    type Widgets = ();

    fn init_root() -> Self::Root {
        adw::MessageDialog::new(None::<&gtk::Window>, None, None)
    }

    /// Fills the dialog for `prompt` and shows it over `parent`.
    fn init(
        (parent, servers, prompt): Self::Init,
        dialog: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let title = prompt
            .prompt
            .title
            .clone()
            .unwrap_or_else(|| prompt.prompt.name.clone());
        dialog.set_transient_for(parent.as_ref());
        dialog.set_heading(Some(&title));
        if let Some(body) = prompt.prompt.description.as_deref() {
            dialog.set_body(body);
        }
        let (form, fields) = form(&prompt);
        let fields = Rc::new(fields);
        let completions = fields
            .iter()
            .map(|field| {
                CompletionPopover::builder()
                    .launch(CompletionInit {
                        entry: field.entry.clone(),
                        source: suggestions(&servers, &prompt, &fields, &field.name),
                    })
                    .detach()
            })
            .collect();
        dialog.set_extra_child(Some(&form));
        dialog.add_response("cancel", &gettext("Cancel"));
        dialog.add_response("use", &gettext("Use Prompt"));
        dialog.set_response_appearance("use", adw::ResponseAppearance::Suggested);
        dialog.set_default_response(Some("use"));
        dialog.set_close_response("cancel");
        let update = {
            let (dialog, fields) = (dialog.clone(), fields.clone());
            move || {
                let complete = fields
                    .iter()
                    .all(|f| !f.required || !f.entry.text().trim().is_empty());
                dialog.set_response_enabled("use", complete);
            }
        };
        update();
        for field in fields.iter() {
            let update = update.clone();
            field.entry.connect_changed(move |_| update());
        }
        let input = sender.input_sender().clone();
        dialog.connect_response(None, move |_, response| {
            input.emit(PromptDialogInput::Respond(response.to_owned()));
        });
        dialog.present();
        if let Some(first) = fields.first() {
            first.entry.grab_focus();
        }
        let model = PromptDialog {
            prompt,
            fields,
            _completions: completions,
        };
        ComponentParts { model, widgets: () }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>, _: &Self::Root) {
        let PromptDialogInput::Respond(response) = message;
        if response == "use" {
            let _ = sender.output(PromptDialogOutput::Use(
                Box::new(self.prompt.clone()),
                collect(&self.fields),
            ));
        }
    }
}

/// One entry per argument of `prompt`, under its caption.
fn form(prompt: &PromptEntry) -> (gtk::Box, Vec<Field>) {
    let form = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(6)
        .build();
    let mut fields = Vec::new();
    for argument in prompt.prompt.arguments.iter().flatten() {
        let required = argument.required.unwrap_or(false);
        let shown = argument
            .title
            .clone()
            .unwrap_or_else(|| argument.name.clone());
        let label = if required {
            gettext_f("{name} (required)", &[("name", &shown)])
        } else {
            shown
        };
        let caption = gtk::Label::builder()
            .label(if required {
                format!("{label} *")
            } else {
                label.clone()
            })
            .xalign(0.0)
            .css_classes(["heading"])
            .margin_top(6)
            .build();
        form.append(&caption);
        let entry: gtk::Entry = crate::ui::a11y::labelled("GtkEntry", &label).unwrap_or_default();
        entry.set_activates_default(true);
        if let Some(description) = argument.description.as_deref() {
            entry.set_placeholder_text(Some(description));
            entry.set_tooltip_text(Some(description));
        }
        form.append(&entry);
        fields.push(Field {
            name: argument.name.clone(),
            required,
            entry,
        });
    }
    (form, fields)
}

/// The non-empty values, in order.
fn collect(fields: &[Field]) -> Arguments {
    fields
        .iter()
        .map(|f| (f.name.clone(), f.entry.text().trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// Completion of argument `name`, with the other values as context.
fn suggestions(
    servers: &McpServers,
    prompt: &PromptEntry,
    fields: &Rc<Vec<Field>>,
    name: &str,
) -> Source {
    let fields = Rc::downgrade(fields);
    Source {
        servers: servers.clone(),
        server_id: prompt.server_id.clone(),
        target: Target::Prompt(prompt.prompt.name.clone()),
        argument: name.to_owned(),
        context: Rc::new(move || fields.upgrade().map(|f| collect(&f)).unwrap_or_default()),
    }
}
