//! One tool call in the conversation: a collapsible row under the reply
//! that made it (issue 4, "Each tool call is a collapsible row"). The
//! header names the server and tool and shows the status, duration and, while
//! running, a progress bar; expanded, it shows the arguments and the full
//! result — text, images, resource links and structured content.
//!
//! The calls of one reply share one card (`.tool-calls`, built by the
//! message row), one row each with a separator between them; the padding
//! that keeps the disclosure arrow and the text inside the card is in
//! `resources/style.css`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;
use relm4::gtk::{gdk, glib};

use crate::i18n::gettext_f;
use valechat_core::chat::ToolProgress;
use valechat_core::store::{ToolCallRecord, ToolCallStatus};

/// A tool call as its row shows it.
#[derive(Debug, Clone)]
pub struct ToolCallState {
    /// The stored call.
    pub record: ToolCallRecord,
    /// Server display name, when the call named an offered tool.
    pub server: Option<String>,
    /// Last progress reported while it ran.
    pub progress: Option<ToolProgress>,
    /// Whether the user expanded the row; kept while the message is off
    /// screen and its widgets show another one.
    pub expanded: Rc<Cell<bool>>,
}

impl ToolCallState {
    /// The call's title: "server · tool", or the name the model used.
    fn title(&self) -> String {
        match (&self.server, &self.record.tool_name) {
            (Some(server), Some(tool)) => format!("{server} · {tool}"),
            (None, Some(tool)) => tool.clone(),
            _ => self.record.name.clone(),
        }
    }
}

/// The widgets of one tool-call row.
#[derive(Debug)]
pub struct ToolCallView {
    root: gtk::Expander,
    icon: gtk::Image,
    title: gtk::Label,
    status: gtk::Label,
    progress: gtk::ProgressBar,
    arguments: gtk::Label,
    result: gtk::Box,
    /// What the result box shows, to rebuild it only on change.
    shown_result: Option<(ToolCallStatus, Option<String>)>,
    /// The shown call's "expanded" flag, kept up to date by the expander.
    expanded: Rc<RefCell<Rc<Cell<bool>>>>,
}

impl ToolCallView {
    /// Builds an empty row; call [`ToolCallView::update`] to fill it.
    pub fn new() -> Self {
        let icon = gtk::Image::from_icon_name("applications-engineering-symbolic");
        let title = gtk::Label::builder()
            .xalign(0.0)
            .ellipsize(gtk::pango::EllipsizeMode::End)
            .css_classes(["heading"])
            .build();
        let status = gtk::Label::builder()
            .xalign(0.0)
            .css_classes(["caption", "dim-label"])
            .build();
        let header = gtk::Box::new(gtk::Orientation::Horizontal, 8);
        header.append(&icon);
        header.append(&title);
        header.append(&status);
        let progress = gtk::ProgressBar::builder().visible(false).build();
        let arguments = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .wrap_mode(gtk::pango::WrapMode::WordChar)
            .selectable(true)
            .css_classes(["monospace", "tool-arguments"])
            .build();
        let result = gtk::Box::new(gtk::Orientation::Vertical, 6);
        let body = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .css_classes(["tool-call-body"])
            .build();
        body.append(&section_heading(&gettext("Arguments")));
        body.append(&arguments);
        body.append(&result);
        let root = gtk::Expander::builder()
            .label_widget(&header)
            .child(&body)
            .css_classes(["tool-call"])
            .build();
        let outer = Self {
            root,
            icon,
            title,
            status,
            progress,
            arguments,
            result,
            shown_result: None,
            expanded: Rc::default(),
        };
        let tracked = outer.expanded.clone();
        outer.root.connect_expanded_notify(move |expander| {
            tracked.borrow().set(expander.is_expanded());
        });
        body.prepend(&outer.progress);
        outer
    }

    /// The row's top widget.
    pub fn widget(&self) -> &gtk::Expander {
        &self.root
    }

    /// Brings the row up to date with `state`.
    pub fn update(&mut self, state: &ToolCallState) {
        if !Rc::ptr_eq(&self.expanded.borrow(), &state.expanded) {
            // The widgets now show another call: its own expanded state.
            *self.expanded.borrow_mut() = Rc::default();
            self.root.set_expanded(state.expanded.get());
            *self.expanded.borrow_mut() = state.expanded.clone();
        }
        let record = &state.record;
        self.title.set_label(&state.title());
        let (icon, text) = status_text(record);
        self.icon.set_icon_name(Some(icon));
        self.status.set_label(&text);
        self.root
            .set_tooltip_text(Some(&format!("{} — {}", state.title(), text)));
        self.arguments.set_label(&pretty_json(&record.arguments));
        let running = record.status == ToolCallStatus::Running;
        self.progress.set_visible(running);
        if running {
            match state.progress.as_ref().and_then(ToolProgress::fraction) {
                Some(f) => self.progress.set_fraction(f),
                None => self.progress.pulse(),
            }
            let message = state.progress.as_ref().and_then(|p| p.message.clone());
            self.progress.set_show_text(message.is_some());
            self.progress.set_text(message.as_deref());
        }
        let key = (record.status, record.result.clone());
        if self.shown_result.as_ref() != Some(&key) {
            fill_result(&self.result, record);
            self.shown_result = Some(key);
        }
    }
}

impl Default for ToolCallView {
    fn default() -> Self {
        Self::new()
    }
}

/// Icon name and one-line status of a call.
fn status_text(record: &ToolCallRecord) -> (&'static str, String) {
    let duration = record
        .duration_ms
        .map(|ms| valechat_core::format::format_seconds(u64::try_from(ms).unwrap_or_default()));
    match record.status {
        ToolCallStatus::Pending => ("dialog-question-symbolic", gettext("Waiting for approval")),
        ToolCallStatus::Running => ("content-loading-symbolic", gettext("Running…")),
        ToolCallStatus::Succeeded if record.is_error => (
            "dialog-warning-symbolic",
            match duration {
                Some(s) => gettext_f("Tool reported an error · {seconds} s", &[("seconds", &s)]),
                None => gettext("Tool reported an error"),
            },
        ),
        ToolCallStatus::Succeeded => (
            "object-select-symbolic",
            match duration {
                Some(s) => gettext_f("Done · {seconds} s", &[("seconds", &s)]),
                None => gettext("Done"),
            },
        ),
        ToolCallStatus::Denied => ("action-unavailable-symbolic", gettext("Denied")),
        // The model named a tool that is not offered: the result says which are.
        ToolCallStatus::Failed if record.server_id.is_none() => {
            ("dialog-error-symbolic", gettext("No such tool"))
        }
        ToolCallStatus::Failed => ("dialog-error-symbolic", gettext("Failed")),
        ToolCallStatus::Cancelled => ("process-stop-symbolic", gettext("Stopped")),
    }
}

/// A small heading inside the expanded row.
fn section_heading(text: &str) -> gtk::Label {
    gtk::Label::builder()
        .label(text)
        .xalign(0.0)
        .css_classes(["caption-heading"])
        .build()
}

/// `text` pretty-printed when it is JSON, else as it is.
fn pretty_json(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_owned())
}

/// Rebuilds the result part of the expanded row.
fn fill_result(target: &gtk::Box, record: &ToolCallRecord) {
    while let Some(child) = target.first_child() {
        target.remove(&child);
    }
    let Some(full) = record
        .result
        .as_deref()
        .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok())
    else {
        // No result from the tool: show what the model was told, if anything.
        if let Some(text) = record
            .result_for_model
            .as_deref()
            .filter(|_| record.status.is_final())
        {
            if record.status == ToolCallStatus::Failed && record.server_id.is_none() {
                target.append(&text_label(&gettext_f(
                    "No server offers a tool named “{name}”. The model was told which tools it can call:",
                    &[("name", &record.name)],
                )));
            }
            target.append(&section_heading(&gettext("Result")));
            target.append(&text_label(text));
        }
        return;
    };
    target.append(&section_heading(&gettext("Result")));
    for block in full["content"].as_array().into_iter().flatten() {
        if let Some(widget) = content_block(block) {
            target.append(&widget);
        }
    }
    if let Some(structured) = full.get("structuredContent").filter(|v| !v.is_null()) {
        target.append(&section_heading(&gettext("Structured content")));
        let text = serde_json::to_string_pretty(structured).unwrap_or_default();
        let label = text_label(&text);
        label.add_css_class("monospace");
        target.append(&label);
    }
}

/// A widget for one MCP content block (specification, "Tool Result":
/// text, image, audio, resource_link, resource).
fn content_block(block: &serde_json::Value) -> Option<gtk::Widget> {
    match block["type"].as_str()? {
        "text" => Some(text_label(block["text"].as_str()?).upcast()),
        "image" => image(block).or_else(|| Some(text_label(&gettext("[image]")).upcast())),
        "resource_link" => {
            let uri = block["uri"].as_str()?;
            let name = block["name"].as_str().unwrap_or(uri);
            Some(gtk::LinkButton::with_label(uri, name).upcast())
        }
        "resource" => {
            let resource = &block["resource"];
            let uri = resource["uri"].as_str().unwrap_or_default();
            let text = resource["text"].as_str().map_or_else(
                || gettext_f("[binary resource {uri}]", &[("uri", uri)]),
                str::to_owned,
            );
            Some(text_label(&text).upcast())
        }
        other => Some(text_label(&gettext_f("[{kind} content]", &[("kind", other)])).upcast()),
    }
}

/// A decoded base64 image block as a picture, at most 320 px tall.
fn image(block: &serde_json::Value) -> Option<gtk::Widget> {
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD
        .decode(block["data"].as_str()?)
        .ok()?;
    let texture = gdk::Texture::from_bytes(&glib::Bytes::from_owned(data)).ok()?;
    let picture = gtk::Picture::for_paintable(&texture);
    picture.set_can_shrink(true);
    picture.set_halign(gtk::Align::Start);
    picture.set_height_request(texture.height().min(320));
    if let Some(mime) = block["mimeType"].as_str() {
        picture.set_alternative_text(Some(mime));
    }
    Some(picture.upcast())
}

fn text_label(text: &str) -> gtk::Label {
    gtk::Label::builder()
        .label(text)
        .xalign(0.0)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        .selectable(true)
        .build()
}
