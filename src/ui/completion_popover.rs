//! Suggestions under an entry, for MCP argument completion
//! (`completion/complete`): 250 ms after the user stops typing, the
//! suggestions for the entry's text are fetched and shown in a popover
//! under it. Down moves into the list, Enter or a click takes a value,
//! Escape closes. The entry keeps its text while suggestions load, and an
//! answer for text that has since changed is dropped.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use relm4::gtk;
use relm4::gtk::glib;
use relm4::gtk::prelude::*;

use valechat_core::mcp::{CompletionTarget, McpServers};

/// Wait after the last keystroke before asking the server.
const DEBOUNCE: Duration = Duration::from_millis(250);
/// Suggestions shown at most.
const MAX_SHOWN: usize = 20;

/// Fetches suggestions for what is typed; an empty list shows nothing.
pub type Fetch = Rc<dyn Fn(String) -> Pin<Box<dyn Future<Output = Vec<String>>>>>;

/// What is being completed (the owned form of [`CompletionTarget`]).
#[derive(Debug, Clone)]
pub enum Target {
    /// An argument of the prompt with this name.
    Prompt(String),
    /// A variable of the resource template with this URI template.
    ResourceTemplate(String),
}

/// The other fields' `(name, value)` pairs, read when a lookup starts.
pub type Context = Rc<dyn Fn() -> Vec<(String, String)>>;

/// A [`Fetch`] asking server `server_id` for completions of `argument` of
/// `target` (`completion/complete`), with the other fields from `context`
/// (the argument itself left out). A failed lookup shows nothing and is
/// logged at debug level.
pub fn server_fetch(
    servers: McpServers,
    server_id: String,
    target: Target,
    argument: String,
    context: Context,
) -> Fetch {
    Rc::new(move |typed: String| {
        let others: Vec<(String, String)> = context()
            .into_iter()
            .filter(|(name, _)| *name != argument)
            .collect();
        let (servers, server_id, target, argument) = (
            servers.clone(),
            server_id.clone(),
            target.clone(),
            argument.clone(),
        );
        Box::pin(async move {
            let asked = relm4::spawn(async move {
                let others: Vec<(&str, &str)> = others
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let target = match &target {
                    Target::Prompt(name) => CompletionTarget::Prompt(name),
                    Target::ResourceTemplate(uri) => CompletionTarget::ResourceTemplate(uri),
                };
                servers
                    .complete(&server_id, target, &argument, &typed, &others)
                    .await
            })
            .await;
            match asked {
                Ok(Ok(completions)) => completions.values,
                Ok(Err(e)) => {
                    tracing::debug!("no completions: {e}");
                    Vec::new()
                }
                Err(_) => Vec::new(),
            }
        })
    })
}

struct State {
    entry: gtk::Entry,
    popover: gtk::Popover,
    list: gtk::ListBox,
    fetch: Fetch,
    pending: RefCell<Option<glib::SourceId>>,
    /// The next `changed` comes from taking a suggestion: do not look up.
    quiet: Cell<bool>,
}

/// Adds completion to `entry`, with suggestions from `fetch`.
pub fn attach(entry: &gtk::Entry, fetch: Fetch) {
    let list = gtk::ListBox::builder()
        .selection_mode(gtk::SelectionMode::Single)
        .build();
    let scroller = gtk::ScrolledWindow::builder()
        .child(&list)
        .hscrollbar_policy(gtk::PolicyType::Never)
        .propagate_natural_height(true)
        .max_content_height(220)
        .build();
    let popover = gtk::Popover::builder()
        .child(&scroller)
        .autohide(false)
        .has_arrow(false)
        .position(gtk::PositionType::Bottom)
        .css_classes(["completions"])
        .build();
    popover.set_parent(entry);
    let state = Rc::new(State {
        entry: entry.clone(),
        popover: popover.clone(),
        list: list.clone(),
        fetch,
        pending: RefCell::new(None),
        quiet: Cell::new(false),
    });
    {
        let state = state.clone();
        list.connect_row_activated(move |_, row| {
            let value = row
                .child()
                .and_downcast::<gtk::Label>()
                .map(|l| l.label().to_string());
            if let Some(value) = value {
                state.quiet.set(true);
                state.entry.set_text(&value);
                state.entry.set_position(-1);
                state.popover.popdown();
                state.entry.grab_focus();
            }
        });
    }
    {
        let state = state.clone();
        entry.connect_changed(move |_| {
            if state.quiet.replace(false) {
                return;
            }
            schedule(&state);
        });
    }
    {
        let state = state.clone();
        entry.connect_has_focus_notify(move |entry| {
            if entry.has_focus() && entry.text().is_empty() {
                schedule(&state);
            }
        });
    }
    let keys = gtk::EventControllerKey::new();
    {
        let state = state.clone();
        keys.connect_key_pressed(move |_, key, _, _| {
            if !state.popover.is_visible() {
                return glib::Propagation::Proceed;
            }
            match key {
                gtk::gdk::Key::Escape => {
                    state.popover.popdown();
                    glib::Propagation::Stop
                }
                gtk::gdk::Key::Down => {
                    if let Some(row) = state.list.row_at_index(0) {
                        state.list.select_row(Some(&row));
                        row.grab_focus();
                    }
                    glib::Propagation::Stop
                }
                _ => glib::Propagation::Proceed,
            }
        });
    }
    entry.add_controller(keys);
    entry.connect_destroy(move |_| popover.unparent());
}

/// (Re)starts the debounce timer.
fn schedule(state: &Rc<State>) {
    if let Some(id) = state.pending.borrow_mut().take() {
        id.remove();
    }
    let weak = Rc::downgrade(state);
    let id = glib::timeout_add_local_once(DEBOUNCE, move || {
        let Some(state) = weak.upgrade() else {
            return;
        };
        state.pending.borrow_mut().take();
        let typed = state.entry.text().to_string();
        let future = (state.fetch)(typed.clone());
        relm4::spawn_local(async move {
            let values = future.await;
            if state.entry.text() != typed.as_str() {
                return;
            }
            show(&state, &typed, values);
        });
    });
    *state.pending.borrow_mut() = Some(id);
}

fn show(state: &State, typed: &str, values: Vec<String>) {
    while let Some(child) = state.list.first_child() {
        state.list.remove(&child);
    }
    let values: Vec<String> = values
        .into_iter()
        .filter(|v| v != typed)
        .take(MAX_SHOWN)
        .collect();
    if values.is_empty() || !state.entry.is_mapped() {
        state.popover.popdown();
        return;
    }
    for value in values {
        let label = gtk::Label::builder()
            .label(value)
            .xalign(0.0)
            .margin_start(6)
            .margin_end(6)
            .margin_top(4)
            .margin_bottom(4)
            .build();
        state.list.append(&label);
    }
    state.popover.set_size_request(state.entry.width(), -1);
    state.popover.popup();
}
