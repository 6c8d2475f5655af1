//! Suggestions under an entry, for MCP argument completion
//! (`completion/complete`): 250 ms after the user stops typing, the
//! suggestions for the entry's text are fetched and shown in a popover
//! under it. Down moves into the list, Enter or a click takes a value,
//! Escape closes. The entry keeps its text while suggestions load, and an
//! answer for text that has since changed is dropped.
//!
//! [`CompletionPopover`] is a component whose root is the popover (parented
//! to the entry); the lookup is one of its commands. The dialog that owns
//! the entry keeps the controller.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use relm4::gtk::glib;
use relm4::gtk::prelude::*;
use relm4::{Component, ComponentParts, ComponentSender, gtk};

use valechat_core::mcp::{CompletionTarget, McpServers};

/// Wait after the last keystroke before asking the server.
const DEBOUNCE: Duration = Duration::from_millis(250);
/// Suggestions shown at most.
const MAX_SHOWN: usize = 20;

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

/// Where suggestions come from: server `server_id` completes `argument` of
/// `target`, with the other fields from `context` (the argument itself
/// left out).
pub struct Source {
    /// The running MCP servers.
    pub servers: McpServers,
    /// The server asked.
    pub server_id: String,
    /// The prompt or resource template.
    pub target: Target,
    /// The argument (or template variable) completed.
    pub argument: String,
    /// The other fields' values.
    pub context: Context,
}

/// What the popover is started with: the entry it completes and where its
/// suggestions come from.
pub struct CompletionInit {
    /// The entry completed; the popover is parented to it.
    pub entry: gtk::Entry,
    /// Where suggestions come from.
    pub source: Source,
}

/// Completion under one entry.
pub struct CompletionPopover {
    entry: gtk::Entry,
    list: gtk::ListBox,
    source: Source,
    /// The debounce timer, cleared when it fires.
    pending: Rc<RefCell<Option<glib::SourceId>>>,
}

impl std::fmt::Debug for CompletionPopover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompletionPopover")
            .field("argument", &self.source.argument)
            .finish_non_exhaustive()
    }
}

/// What the popover is told by its entry.
#[derive(Debug)]
pub enum CompletionInput {
    /// The text changed, or the empty entry got focus: (re)start the wait.
    Typed,
    /// The wait is over: look up the entry's text.
    Lookup,
}

/// A lookup's answer.
#[derive(Debug)]
pub struct Suggestions {
    /// The text looked up.
    typed: String,
    /// The server's values (empty when the lookup failed).
    values: Vec<String>,
}

impl Component for CompletionPopover {
    type CommandOutput = Suggestions;
    type Input = CompletionInput;
    type Output = ();
    type Init = CompletionInit;
    type Root = gtk::Popover;
    type Widgets = ();

    fn init_root() -> Self::Root {
        gtk::Popover::builder()
            .autohide(false)
            .has_arrow(false)
            .position(gtk::PositionType::Bottom)
            .css_classes(["completions"])
            .build()
    }

    fn init(
        init: CompletionInit,
        popover: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let CompletionInit { entry, source } = init;
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::Single)
            .build();
        let scroller = gtk::ScrolledWindow::builder()
            .child(&list)
            .hscrollbar_policy(gtk::PolicyType::Never)
            .propagate_natural_height(true)
            .max_content_height(220)
            .build();
        popover.set_child(Some(&scroller));
        popover.set_parent(&entry);
        connect(&entry, &popover, &list, &sender);
        let model = CompletionPopover {
            entry,
            list,
            source,
            pending: Rc::default(),
        };
        ComponentParts { model, widgets: () }
    }

    fn update(
        &mut self,
        message: CompletionInput,
        sender: ComponentSender<Self>,
        _: &gtk::Popover,
    ) {
        match message {
            CompletionInput::Typed => {
                if let Some(id) = self.pending.take() {
                    id.remove();
                }
                let input = sender.input_sender().clone();
                let pending = Rc::downgrade(&self.pending);
                let id = glib::timeout_add_local_once(DEBOUNCE, move || {
                    if let Some(pending) = pending.upgrade() {
                        pending.take();
                    }
                    input.emit(CompletionInput::Lookup);
                });
                self.pending.replace(Some(id));
            }
            CompletionInput::Lookup => self.look_up(&sender),
        }
    }

    fn update_cmd(
        &mut self,
        answer: Suggestions,
        _: ComponentSender<Self>,
        popover: &gtk::Popover,
    ) {
        if self.entry.text() == answer.typed.as_str() {
            self.show(popover, &answer.typed, answer.values);
        }
    }

    fn shutdown(&mut self, _: &mut (), _: relm4::Sender<()>) {
        if let Some(id) = self.pending.take() {
            id.remove();
        }
    }
}

impl CompletionPopover {
    /// Asks the server for completions of the entry's text (a command).
    fn look_up(&self, sender: &ComponentSender<Self>) {
        let typed = self.entry.text().to_string();
        let source = &self.source;
        let others: Vec<(String, String)> = (source.context)()
            .into_iter()
            .filter(|(name, _)| *name != source.argument)
            .collect();
        let (servers, server_id, target, argument) = (
            source.servers.clone(),
            source.server_id.clone(),
            source.target.clone(),
            source.argument.clone(),
        );
        sender.oneshot_command(async move {
            let pairs: Vec<(&str, &str)> = others
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let target = match &target {
                Target::Prompt(name) => CompletionTarget::Prompt(name),
                Target::ResourceTemplate(uri) => CompletionTarget::ResourceTemplate(uri),
            };
            let values = match servers
                .complete(&server_id, target, &argument, &typed, &pairs)
                .await
            {
                Ok(completions) => completions.values,
                Err(e) => {
                    tracing::debug!("no completions: {e}");
                    Vec::new()
                }
            };
            Suggestions { typed, values }
        });
    }

    fn show(&self, popover: &gtk::Popover, typed: &str, values: Vec<String>) {
        while let Some(child) = self.list.first_child() {
            self.list.remove(&child);
        }
        let values: Vec<String> = values
            .into_iter()
            .filter(|v| v != typed)
            .take(MAX_SHOWN)
            .collect();
        if values.is_empty() || !self.entry.is_mapped() {
            popover.popdown();
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
            self.list.append(&label);
        }
        popover.set_size_request(self.entry.width(), -1);
        popover.popup();
    }
}

/// The entry's and the list's signals: typing asks the component for a
/// lookup; taking a value, Down and Escape act on the widgets at once.
fn connect(
    entry: &gtk::Entry,
    popover: &gtk::Popover,
    list: &gtk::ListBox,
    sender: &ComponentSender<CompletionPopover>,
) {
    // The next `changed` comes from taking a suggestion: do not look up.
    let quiet = Rc::new(Cell::new(false));
    {
        let (entry, popover, quiet) = (entry.clone(), popover.clone(), quiet.clone());
        list.connect_row_activated(move |_, row| {
            let value = row
                .child()
                .and_downcast::<gtk::Label>()
                .map(|l| l.label().to_string());
            if let Some(value) = value {
                quiet.set(true);
                entry.set_text(&value);
                entry.set_position(-1);
                popover.popdown();
                entry.grab_focus();
            }
        });
    }
    {
        let input = sender.input_sender().clone();
        entry.connect_changed(move |_| {
            if quiet.replace(false) {
                return;
            }
            input.emit(CompletionInput::Typed);
        });
    }
    {
        let input = sender.input_sender().clone();
        entry.connect_has_focus_notify(move |entry| {
            if entry.has_focus() && entry.text().is_empty() {
                input.emit(CompletionInput::Typed);
            }
        });
    }
    let keys = gtk::EventControllerKey::new();
    {
        let (popover, list) = (popover.clone(), list.clone());
        keys.connect_key_pressed(move |_, key, _, _| {
            if !popover.is_visible() {
                return glib::Propagation::Proceed;
            }
            match key {
                gtk::gdk::Key::Escape => {
                    popover.popdown();
                    glib::Propagation::Stop
                }
                gtk::gdk::Key::Down => {
                    if let Some(row) = list.row_at_index(0) {
                        list.select_row(Some(&row));
                        row.grab_focus();
                    }
                    glib::Propagation::Stop
                }
                _ => glib::Propagation::Proceed,
            }
        });
    }
    entry.add_controller(keys);
    let popover = popover.clone();
    entry.connect_destroy(move |_| popover.unparent());
}
