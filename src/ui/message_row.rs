//! One message in the conversation view: author, markdown body, reasoning,
//! the tool calls it made (collapsible rows), status (streaming, stopped,
//! failed) and a Retry button.

use gettextrs::gettext;
use relm4::factory::{DynamicIndex, FactoryComponent, FactorySender, FactoryView};
use relm4::gtk;
use relm4::gtk::prelude::*;

use crate::i18n::gettext_f;
use crate::ui::markdown::MarkdownView;
use crate::ui::tool_call_view::{ToolCallState, ToolCallView};
use valechat_core::chat::ToolProgress;
use valechat_core::ledger::UsageRecord;
use valechat_core::provider::{Attachment, ResourceAttachment, Role};
use valechat_core::store::{Message, MessageStatus, ToolCallRecord};

/// A message as the view shows it.
#[derive(Debug)]
pub struct MessageRow {
    /// Store id of the message (0 for a row not stored yet).
    pub id: i64,
    role: Role,
    model: Option<String>,
    text: String,
    reasoning: String,
    status: MessageStatus,
    error: Option<String>,
    /// Bumped on every change of `text`/`reasoning`, so the view re-renders
    /// markdown only when something changed.
    revision: u64,
    /// The last message of the conversation: only it offers Retry.
    last: bool,
    /// Tool calls this reply made, in call order.
    tool_calls: Vec<ToolCallState>,
    /// Bumped on every change of `tool_calls`.
    tool_revision: u64,
    /// Images attached to a user message, in order.
    images: Vec<Attachment>,
    /// MCP resources attached to a user message, in order.
    resources: Vec<ResourceAttachment>,
    /// Bumped on every change of `images` or `resources`.
    images_revision: u64,
    /// The billed requests that produced this reply, for the
    /// tokens-and-cost line.
    usage: Vec<UsageRecord>,
}

impl MessageRow {
    /// Shows `images` as the message's attached images (user messages).
    pub fn set_images(&mut self, images: Vec<Attachment>) {
        self.images = images;
        self.images_revision += 1;
    }

    /// Shows `resources` as chips after the images (user messages).
    pub fn set_resources(&mut self, resources: Vec<ResourceAttachment>) {
        self.resources = resources;
        self.images_revision += 1;
    }

    /// Appends streamed answer text (rendered at the next frame flush).
    pub fn push_text(&mut self, delta: &str) {
        self.text.push_str(delta);
        self.revision += 1;
    }

    /// Appends streamed reasoning text.
    pub fn push_reasoning(&mut self, delta: &str) {
        self.reasoning.push_str(delta);
        self.revision += 1;
    }

    /// Replaces the row's state with the stored message (end of a turn).
    pub fn set_message(&mut self, message: &Message) {
        self.id = message.id;
        self.text.clone_from(&message.content);
        self.reasoning.clone_from(&message.reasoning);
        self.status = message.status;
        self.error.clone_from(&message.error);
        self.model.clone_from(&message.model);
        self.revision += 1;
    }

    /// Adds the call or replaces its stored state (matched by row id);
    /// `server` names its server when known.
    pub fn upsert_tool_call(&mut self, record: ToolCallRecord, server: Option<String>) {
        match self
            .tool_calls
            .iter_mut()
            .find(|c| c.record.id == record.id)
        {
            Some(state) => {
                if server.is_some() {
                    state.server = server;
                }
                if record.status.is_final() {
                    state.progress = None;
                }
                state.record = record;
            }
            None => {
                self.tool_calls.push(ToolCallState {
                    record,
                    server,
                    progress: None,
                });
                self.tool_calls.sort_by_key(|c| c.record.position);
            }
        }
        self.tool_revision += 1;
    }

    /// Shows progress on the running call `id`; `false` if it is not in this row.
    pub fn set_tool_progress(&mut self, id: i64, progress: ToolProgress) -> bool {
        let Some(state) = self.tool_calls.iter_mut().find(|c| c.record.id == id) else {
            return false;
        };
        state.progress = Some(progress);
        self.tool_revision += 1;
        true
    }

    /// What this reply's requests cost, USD, and whether any was billed.
    pub fn cost(&self) -> Option<rust_decimal::Decimal> {
        (!self.usage.is_empty()).then(|| self.usage.iter().map(|r| r.cost_usd).sum())
    }

    /// Adds a usage record of this reply (ignored when already shown).
    pub fn add_usage(&mut self, record: UsageRecord) {
        if !self.usage.iter().any(|r| r.request_id == record.request_id) {
            self.usage.push(record);
        }
    }

    /// Whether the call `id` belongs to this row.
    pub fn has_tool_call(&self, id: i64) -> bool {
        self.tool_calls.iter().any(|c| c.record.id == id)
    }

    /// Marks the row failed with `error` (when no stored message exists).
    pub fn set_failed(&mut self, error: String) {
        self.status = MessageStatus::Failed;
        self.error = Some(error);
        self.revision += 1;
    }

    /// Whether this row is a failed or interrupted assistant reply.
    pub fn needs_retry(&self) -> bool {
        self.role == Role::Assistant
            && matches!(
                self.status,
                MessageStatus::Failed | MessageStatus::Incomplete
            )
    }

    /// Marks whether this is the conversation's last message (Retry answers
    /// the last user message, so only the last reply offers it).
    pub fn set_last(&mut self, last: bool) {
        self.last = last;
    }

    /// Whether the stored message failed without any text.
    pub fn is_empty_failure(&self) -> bool {
        self.status == MessageStatus::Failed && self.text.is_empty()
    }
}

/// Messages a row accepts (none: the parent mutates rows directly).
#[derive(Debug)]
pub enum MessageRowInput {}

/// What a row asks of the conversation.
#[derive(Debug)]
pub enum MessageRowOutput {
    /// The user pressed Retry on this failed reply.
    Retry,
}

/// Widgets of one row.
#[derive(Debug)]
pub struct MessageRowWidgets {
    author: gtk::Label,
    reasoning: gtk::Expander,
    reasoning_label: gtk::Label,
    body: MarkdownView,
    spinner: gtk::Spinner,
    status: gtk::Label,
    retry: gtk::Button,
    rendered_revision: u64,
    usage: gtk::Label,
    tools: gtk::Box,
    tool_views: Vec<ToolCallView>,
    rendered_tool_revision: u64,
    images: gtk::FlowBox,
    rendered_images_revision: u64,
}

impl FactoryComponent for MessageRow {
    type ParentWidget = gtk::Box;
    type CommandOutput = ();
    type Input = MessageRowInput;
    type Output = MessageRowOutput;
    type Init = Message;
    type Root = gtk::Box;
    type Widgets = MessageRowWidgets;
    type Index = DynamicIndex;

    fn init_model(message: Message, _index: &DynamicIndex, _sender: FactorySender<Self>) -> Self {
        Self {
            id: message.id,
            role: message.role,
            model: message.model,
            text: message.content,
            reasoning: message.reasoning,
            status: message.status,
            error: message.error,
            revision: 1,
            last: false,
            tool_calls: Vec::new(),
            tool_revision: 0,
            images: Vec::new(),
            resources: Vec::new(),
            images_revision: 0,
            usage: Vec::new(),
        }
    }

    fn init_root(&self) -> Self::Root {
        let class = match self.role {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::System => "system",
            Role::Tool => "tool",
        };
        gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(4)
            .css_classes(["message", class])
            .build()
    }

    fn init_widgets(
        &mut self,
        _index: &DynamicIndex,
        root: Self::Root,
        _returned: &<Self::ParentWidget as FactoryView>::ReturnedWidget,
        sender: FactorySender<Self>,
    ) -> Self::Widgets {
        let author = gtk::Label::builder()
            .xalign(0.0)
            .css_classes(["caption-heading", "dim-label"])
            .build();
        let reasoning_label = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .wrap_mode(gtk::pango::WrapMode::WordChar)
            .selectable(true)
            .css_classes(["dim-label"])
            .build();
        let reasoning = gtk::Expander::builder()
            .label(gettext("Reasoning"))
            .child(&reasoning_label)
            .visible(false)
            .build();
        let body = MarkdownView::new();
        body.widget().add_css_class("message-body");
        let spinner = gtk::Spinner::builder().halign(gtk::Align::Start).build();
        let status = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .selectable(true)
            .css_classes(["caption"])
            .visible(false)
            .build();
        let retry = gtk::Button::builder()
            .label(gettext("Retry"))
            .halign(gtk::Align::Start)
            .css_classes(["retry"])
            .visible(false)
            .build();
        retry.connect_clicked(move |_| {
            let _ = sender.output(MessageRowOutput::Retry);
        });
        let images = gtk::FlowBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .homogeneous(false)
            .column_spacing(6)
            .row_spacing(6)
            .max_children_per_line(8)
            .css_classes(["message-images"])
            .visible(false)
            .build();
        root.append(&author);
        root.append(&images);
        root.append(&reasoning);
        root.append(body.widget());
        let tools = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .visible(false)
            .build();
        root.append(&tools);
        root.append(&spinner);
        let usage = gtk::Label::builder()
            .xalign(0.0)
            .css_classes(["caption", "dim-label", "message-usage"])
            .visible(false)
            .build();
        root.append(&usage);
        root.append(&status);
        root.append(&retry);
        let mut widgets = MessageRowWidgets {
            author,
            reasoning,
            reasoning_label,
            body,
            spinner,
            status,
            retry,
            rendered_revision: 0,
            usage,
            tools,
            tool_views: Vec::new(),
            rendered_tool_revision: 0,
            images,
            rendered_images_revision: 0,
        };
        render(self, &mut widgets);
        widgets
    }

    fn update_view(&self, widgets: &mut Self::Widgets, _sender: FactorySender<Self>) {
        render(self, widgets);
    }
}

/// Brings the widgets up to date with the row; markdown is re-rendered only
/// when the text changed since the last render.
fn render(row: &MessageRow, widgets: &mut MessageRowWidgets) {
    let author = match row.role {
        Role::User => gettext("You"),
        Role::System => gettext("System"),
        Role::Tool => gettext("Tool"),
        Role::Assistant => row.model.clone().unwrap_or_else(|| gettext("Assistant")),
    };
    widgets.author.set_label(&author);
    if widgets.rendered_revision != row.revision {
        widgets.body.set_markdown(&row.text);
        widgets.reasoning_label.set_label(&row.reasoning);
        widgets.reasoning.set_visible(!row.reasoning.is_empty());
        widgets.rendered_revision = row.revision;
    }
    if widgets.rendered_images_revision != row.images_revision {
        render_images(row, widgets);
        widgets.rendered_images_revision = row.images_revision;
    }
    if widgets.rendered_tool_revision != row.tool_revision {
        render_tool_calls(row, widgets);
        widgets.rendered_tool_revision = row.tool_revision;
    }
    render_usage(row, &widgets.usage);
    let streaming = row.status == MessageStatus::Streaming;
    widgets
        .spinner
        .set_visible(streaming && row.text.is_empty());
    widgets
        .spinner
        .set_spinning(streaming && row.text.is_empty());
    let status = match (row.status, &row.error) {
        (MessageStatus::Failed, Some(e)) => {
            Some(gettext_f("The reply failed: {error}", &[("error", e)]))
        }
        (MessageStatus::Failed, None) => Some(gettext("The reply failed.")),
        (MessageStatus::Incomplete, Some(e)) => Some(gettext_f(
            "The reply was interrupted: {error}",
            &[("error", e)],
        )),
        (MessageStatus::Incomplete, None) => {
            Some(gettext("The reply was stopped before it ended."))
        }
        _ => None,
    };
    widgets.status.set_visible(status.is_some());
    if let Some(status) = status {
        widgets.status.set_label(&status);
    }
    let failed = row.status == MessageStatus::Failed;
    if failed {
        widgets.status.add_css_class("error");
    } else {
        widgets.status.remove_css_class("error");
    }
    widgets.retry.set_visible(row.last && row.needs_retry());
}

/// Largest edge of an image shown in a message, in logical pixels.
const IMAGE_THUMBNAIL: i32 = 240;

/// Shows the row's images as thumbnails (at most 240 px a side), then its
/// resources as chips.
fn render_images(row: &MessageRow, widgets: &MessageRowWidgets) {
    while let Some(child) = widgets.images.first_child() {
        widgets.images.remove(&child);
    }
    for image in &row.images {
        let picture = crate::ui::thumbnail::picture(image, IMAGE_THUMBNAIL);
        // The texture is already scaled to fit; a shrinkable picture would
        // get no width in the flow box.
        picture.set_can_shrink(false);
        picture.set_halign(gtk::Align::Start);
        picture.set_valign(gtk::Align::Start);
        picture.add_css_class("message-image");
        widgets.images.insert(&picture, -1);
    }
    for resource in &row.resources {
        widgets
            .images
            .insert(&crate::ui::resource_chip::chip(resource, None), -1);
    }
    widgets
        .images
        .set_visible(!row.images.is_empty() || !row.resources.is_empty());
}

/// Keeps one [`ToolCallView`] per call, in order.
fn render_tool_calls(row: &MessageRow, widgets: &mut MessageRowWidgets) {
    while widgets.tool_views.len() < row.tool_calls.len() {
        let view = ToolCallView::new();
        widgets.tools.append(view.widget());
        widgets.tool_views.push(view);
    }
    for (view, state) in widgets.tool_views.iter_mut().zip(&row.tool_calls) {
        view.update(state);
    }
    widgets.tools.set_visible(!row.tool_calls.is_empty());
}

/// The tokens-and-cost line under a reply, with the details in its tooltip.
fn render_usage(row: &MessageRow, label: &gtk::Label) {
    label.set_visible(!row.usage.is_empty());
    if row.usage.is_empty() {
        return;
    }
    let (line, details) = crate::usage_text::describe(&row.usage);
    label.set_label(&line);
    label.set_tooltip_text(Some(&details));
}
