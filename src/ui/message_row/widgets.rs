//! The widgets of a message row on screen, recycled by the list view from
//! one row to the next as the conversation scrolls.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gettextrs::gettext;
use relm4::gtk::prelude::*;
use relm4::{Component, ComponentController, Controller, adw, gtk};

use super::MessageRow;
use super::actions::ActionsBar;
use super::status::StatusView;
use crate::ui::markdown::MarkdownView;
use crate::ui::thumbnail::Thumbnail;
use crate::ui::tool_call_view::ToolCallView;
use valechat_core::provider::Role;
use valechat_core::store::MessageStatus;

/// The action a failed reply's Retry button activates; the conversation
/// view installs it (`conversation.retry`).
pub const RETRY_ACTION: &str = "conversation.retry";

/// Widest a message is shown, in logical pixels (as `adw::Clamp` measures).
const MAXIMUM_WIDTH: i32 = 860;

/// A handle on one set of row widgets. Cheap to clone.
#[derive(Clone, Debug)]
pub struct RowWidgets(Rc<RefCell<Inner>>);

/// The widgets themselves, and what of a row they show.
#[derive(Debug)]
struct Inner {
    message: gtk::Box,
    author: gtk::Label,
    reasoning: gtk::Expander,
    reasoning_label: gtk::Label,
    /// The bound row's "reasoning expanded" flag, kept up to date by the
    /// expander.
    reasoning_expanded: Rc<RefCell<Rc<Cell<bool>>>>,
    body: MarkdownView,
    spinner: gtk::Spinner,
    status: StatusView,
    retry: gtk::Button,
    /// Versions, Edit, Regenerate and Delete.
    actions: ActionsBar,
    rendered_revision: u64,
    /// The `found_revision` of the row whose words are marked.
    rendered_found_revision: u64,
    usage: gtk::Label,
    tools: gtk::Box,
    tool_views: Vec<ToolCallView>,
    rendered_tool_revision: u64,
    images: gtk::FlowBox,
    /// The thumbnails of the images shown.
    thumbnails: Vec<Controller<Thumbnail>>,
    rendered_images_revision: u64,
}

impl RowWidgets {
    /// Builds the widgets of a row (empty until bound), in a clamp that
    /// keeps long lines readable.
    pub fn new() -> (adw::Clamp, Self) {
        let message = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(4)
            .css_classes(["message"])
            .build();
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
        let reasoning_expanded: Rc<RefCell<Rc<Cell<bool>>>> = Rc::default();
        let tracked = reasoning_expanded.clone();
        reasoning.connect_expanded_notify(move |expander| {
            tracked.borrow().set(expander.is_expanded());
        });
        let body = MarkdownView::new();
        body.widget().add_css_class("message-body");
        let spinner = gtk::Spinner::builder().halign(gtk::Align::Start).build();
        let status = StatusView::new();
        let retry = gtk::Button::builder()
            .label(gettext("Retry"))
            .halign(gtk::Align::Start)
            .css_classes(["retry"])
            .action_name(RETRY_ACTION)
            .visible(false)
            .build();
        let images = gtk::FlowBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .homogeneous(false)
            .column_spacing(6)
            .row_spacing(6)
            .max_children_per_line(8)
            .css_classes(["message-images"])
            .visible(false)
            .build();
        // The calls of the reply: one card, a separator between calls.
        let tools = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .css_classes(["card", "tool-calls"])
            .visible(false)
            .build();
        let usage = gtk::Label::builder()
            .xalign(0.0)
            .css_classes(["caption", "dim-label", "message-usage"])
            .visible(false)
            .build();
        message.append(&author);
        message.append(&images);
        message.append(&reasoning);
        message.append(body.widget());
        message.append(&tools);
        message.append(&spinner);
        message.append(&usage);
        message.append(&status.sentence);
        message.append(&status.detail);
        message.append(&retry);
        let actions = ActionsBar::new();
        message.append(&actions.root);
        let clamp = adw::Clamp::builder()
            .maximum_size(MAXIMUM_WIDTH)
            .tightening_threshold(600)
            .margin_start(12)
            .margin_end(12)
            .child(&message)
            .build();
        let inner = Inner {
            message,
            author,
            reasoning,
            reasoning_label,
            reasoning_expanded,
            body,
            spinner,
            status,
            retry,
            actions,
            rendered_revision: 0,
            rendered_found_revision: 0,
            usage,
            tools,
            tool_views: Vec::new(),
            rendered_tool_revision: 0,
            images,
            thumbnails: Vec::new(),
            rendered_images_revision: 0,
        };
        (clamp, Self(Rc::new(RefCell::new(inner))))
    }

    /// Shows `row`, whatever these widgets showed before.
    pub fn bind(&self, row: &MessageRow) {
        let mut inner = self.0.borrow_mut();
        for class in ["user", "assistant", "system", "tool"] {
            inner.message.remove_css_class(class);
        }
        inner.message.add_css_class(match row.role {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::System => "system",
            Role::Tool => "tool",
        });
        // Everything is drawn again: revisions of another row mean nothing.
        inner.rendered_revision = u64::MAX;
        inner.rendered_found_revision = u64::MAX;
        inner.rendered_tool_revision = u64::MAX;
        inner.rendered_images_revision = u64::MAX;
        *inner.reasoning_expanded.borrow_mut() = Rc::new(Cell::new(false));
        inner.reasoning.set_expanded(row.reasoning_expanded.get());
        *inner.reasoning_expanded.borrow_mut() = row.reasoning_expanded.clone();
        render(row, &mut inner);
    }

    /// Draws what changed in `row` since the last render.
    pub fn render(&self, row: &MessageRow) {
        render(row, &mut self.0.borrow_mut());
    }
}

/// Brings the widgets up to date with the row; markdown is re-rendered only
/// when the text changed since the last render.
fn render(row: &MessageRow, widgets: &mut Inner) {
    let author = match row.role {
        Role::User => gettext("You"),
        Role::System => gettext("System"),
        Role::Tool => gettext("Tool"),
        Role::Assistant => row.model.clone().unwrap_or_else(|| gettext("Assistant")),
    };
    widgets.author.set_label(&author);
    widgets.author.set_visible(!row.continues);
    for (class, on) in [
        ("continues", row.continues),
        ("editing", row.editing),
        ("search-match", row.flash),
    ] {
        if on {
            widgets.message.add_css_class(class);
        } else {
            widgets.message.remove_css_class(class);
        }
    }
    if widgets.rendered_revision != row.revision {
        widgets.body.set_markdown(&row.text);
        widgets.reasoning_label.set_label(&row.reasoning);
        widgets.reasoning.set_visible(!row.reasoning.is_empty());
        widgets.rendered_revision = row.revision;
        // Labels are rebuilt or reused with new text: mark them again.
        widgets.rendered_found_revision = u64::MAX;
    }
    if widgets.rendered_found_revision != row.found_revision {
        super::found::mark(widgets.body.widget().upcast_ref(), &row.found);
        widgets.rendered_found_revision = row.found_revision;
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
    widgets.status.render(row.status, row.error.as_deref());
    widgets.retry.set_visible(row.last && row.needs_retry());
    widgets.actions.render(row);
}

/// Largest edge of an image shown in a message, in logical pixels.
const IMAGE_THUMBNAIL: i32 = 240;

/// Shows the row's images as thumbnails (at most 240 px a side), then its
/// resources as chips.
fn render_images(row: &MessageRow, widgets: &mut Inner) {
    while let Some(child) = widgets.images.first_child() {
        widgets.images.remove(&child);
    }
    widgets.thumbnails.clear();
    for image in &row.images {
        let thumbnail = Thumbnail::builder()
            .launch((image.clone(), IMAGE_THUMBNAIL))
            .detach();
        let picture = thumbnail.widget().clone();
        widgets.thumbnails.push(thumbnail);
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

/// Keeps one [`ToolCallView`] per call, in order, in the reply's card
/// with a separator between two calls.
fn render_tool_calls(row: &MessageRow, widgets: &mut Inner) {
    let count = row.tool_calls.len();
    if widgets.tool_views.len() != count {
        // Recycled widgets may have shown a row with more or fewer calls.
        widgets.tool_views.truncate(count);
        while widgets.tool_views.len() < count {
            widgets.tool_views.push(ToolCallView::new());
        }
        while let Some(child) = widgets.tools.first_child() {
            widgets.tools.remove(&child);
        }
        for (i, view) in widgets.tool_views.iter().enumerate() {
            if i > 0 {
                widgets
                    .tools
                    .append(&gtk::Separator::new(gtk::Orientation::Horizontal));
            }
            widgets.tools.append(view.widget());
        }
    }
    for (view, state) in widgets.tool_views.iter_mut().zip(&row.tool_calls) {
        view.update(state);
    }
    widgets.tools.set_visible(count > 0);
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
