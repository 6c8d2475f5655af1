//! Asks for the arguments of an MCP prompt before `prompts/get`: one entry
//! per argument (required ones marked with “*”, the prompt's own
//! description under each), with suggestions from the server's
//! `completion/complete` as the user types (see [`completion_popover`]).
//! “Use Prompt” is enabled once every required argument has a value.
//!
//! [`completion_popover`]: crate::ui::completion_popover

use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw;
use relm4::adw::prelude::*;
use relm4::gtk;

use crate::i18n::gettext_f;
use crate::ui::completion_popover;
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

/// Shows the dialog over `parent` for `prompt`; `on_done` gets the values
/// when the user chooses “Use Prompt” (nothing happens on Cancel).
pub fn ask(
    parent: Option<&gtk::Window>,
    servers: &McpServers,
    prompt: &PromptEntry,
    on_done: impl Fn(Arguments) + 'static,
) {
    let title = prompt
        .prompt
        .title
        .clone()
        .unwrap_or_else(|| prompt.prompt.name.clone());
    let dialog =
        adw::MessageDialog::new(parent, Some(&title), prompt.prompt.description.as_deref());
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
    let fields = Rc::new(fields);
    for field in fields.iter() {
        let fetch = suggestions(servers, prompt, &fields, &field.name);
        completion_popover::attach(&field.entry, fetch);
    }
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
    let values = fields.clone();
    dialog.connect_response(None, move |_, response| {
        if response == "use" {
            on_done(collect(&values));
        }
    });
    dialog.present();
    if let Some(first) = fields.first() {
        first.entry.grab_focus();
    }
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
) -> completion_popover::Fetch {
    let fields = Rc::downgrade(fields);
    completion_popover::server_fetch(
        servers.clone(),
        prompt.server_id.clone(),
        completion_popover::Target::Prompt(prompt.prompt.name.clone()),
        name.to_owned(),
        Rc::new(move || fields.upgrade().map(|f| collect(&f)).unwrap_or_default()),
    )
}
