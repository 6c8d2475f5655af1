//! The composer: a multi-line text field with Attach Image, Send and Stop,
//! and the images waiting to be sent shown above it as thumbnails.
//!
//! Enter sends, Shift+Enter inserts a new line, Escape stops a running reply
//! (DESIGN.md, Interface); Ctrl+Shift+Enter or the menu's Compare Models…
//! hands the text to the compare view. Images come from the Attach Image button, from
//! files dropped on the composer or the conversation, or from Ctrl+V with an
//! image on the clipboard (see [`attachments`]). Typing `/` offers the MCP
//! servers’ prompts ([`slash`], `mcp`); Attach Resource… adds MCP
//! resources, shown as chips next to the images. The widgets are built and
//! kept up to date in `view`.

pub mod attachments;
pub mod draft;
mod mcp;
mod pending;
pub mod slash;
mod view;

pub use draft::Draft;
pub use view::ComposerWidgets;

use relm4::gtk::prelude::*;
use relm4::gtk::{gdk, gio};
use relm4::{Component, ComponentController, ComponentParts, ComponentSender, Controller, gtk};

use valechat_core::mcp::{McpServers, PromptDraft, PromptEntry};
use valechat_core::provider::{Attachment, ResourceAttachment};

/// State of the composer.
#[derive(Debug)]
pub struct Composer {
    /// A reply is streaming: show Stop instead of Send.
    busy: bool,
    /// Sending is possible (a model is chosen).
    ready: bool,
    /// The model the next message goes to, named by the placeholder.
    model: Option<String>,
    buffer: gtk::TextBuffer,
    /// Images to send with the next message, in the order added.
    attachments: Vec<Attachment>,
    /// MCP resources to send with the next message, in the order added.
    resources: Vec<ResourceAttachment>,
    /// Bumped on every change of `attachments` or `resources`.
    attachments_revision: u64,
    /// The MCP servers, once the engine is open.
    servers: Option<McpServers>,
    /// The `/` menu of prompts.
    slash: std::rc::Rc<slash::SlashMenu>,
    /// Resources watched for changes: `(server id, URI)` → name.
    watched: std::collections::HashMap<(String, String), String>,
    /// The resource browser, kept until the next one opens.
    browser: Option<Controller<crate::ui::resource_browser::ResourceBrowser>>,
    /// The prompt-arguments dialog, kept until the next one opens.
    prompt_dialog: Option<Controller<crate::ui::prompt_dialog::PromptDialog>>,
    /// The composer's root, to find the window a chooser belongs to.
    root: gtk::Box,
    /// Move keyboard focus into the field at the next view update (after a
    /// reply ends, or when asked): never otherwise, so focus is not stolen.
    focus_pending: std::cell::Cell<bool>,
}

/// Messages the composer accepts.
#[derive(Debug)]
pub enum ComposerInput {
    /// Send the text typed so far (Enter or the Send button).
    Submit,
    /// Compare the text typed so far across models (Ctrl+Shift+Enter or
    /// the menu's Compare Models…).
    Compare,
    /// Stop the running reply (Escape or the Stop button).
    Stop,
    /// A reply started (`true`) or ended (`false`).
    SetBusy(bool),
    /// Whether a model is chosen, so that sending can work.
    SetReady(bool),
    /// The model the next message goes to (`None`: none chosen), named in
    /// the empty field's placeholder.
    SetModel(Option<String>),
    /// Put a draft back (after a send that could not start, or a stored
    /// draft read after a switch): each part only where the composer holds
    /// none, so nothing typed meanwhile is lost.
    Restore(Draft),
    /// Another conversation is shown: hold this draft (its own, or an
    /// empty one) instead, and give what was held back as
    /// [`ComposerOutput::Stashed`].
    Switch(Draft),
    /// The MCP servers whose prompts and resources are offered.
    SetServers(McpServers),
    /// The text changed (opens, filters or closes the `/` menu).
    DraftChanged,
    /// A prompt was chosen in the `/` menu.
    PromptChosen(Box<PromptEntry>),
    /// Get the prompt with these arguments.
    PromptArguments(Box<PromptEntry>, Vec<(String, String)>),
    /// Open the resource browser (the Attach Resource… button).
    BrowseResources,
    /// Add resources read from a server.
    AddResources(Vec<ResourceAttachment>),
    /// Remove the pending resource at this position.
    RemoveResource(usize),
    /// A watched resource changed on its server: `(server id, URI)`.
    ResourceChanged(String, String),
    /// The browser started (`Some(name)`) or stopped (`None`) watching
    /// `(server id, URI)`.
    Watching(String, String, Option<String>),
    /// Open the file chooser for images (the Attach Image button).
    ChooseImages,
    /// Read these files (chosen or dropped) and add the images among them.
    AddFiles(Vec<gio::File>),
    /// An image was pasted: add it as a PNG.
    Pasted(gdk::Texture),
    /// Remove the pending image at this position.
    Remove(usize),
    /// Something could not be attached or watched (a file, a pasted
    /// image, a resource): the sentence to show.
    Refused(String),
    /// Move keyboard focus into the text field.
    Focus,
}

/// Results of the composer's background work (MCP calls, reading files).
#[derive(Debug)]
pub enum ComposerCommand {
    /// The prompts of the ready servers, for the `/` menu.
    PromptsListed(Vec<PromptEntry>),
    /// A prompt's messages, to become the draft, or why they could not be had.
    PromptFetched(Result<PromptDraft, String>),
    /// A pending resource was read again after a change.
    Reread(Vec<ResourceAttachment>),
    /// An image file was read and checked, or why it could not be (a
    /// sentence for the user).
    Loaded(Result<Attachment, String>),
    /// Something could not be done: the sentence to show.
    Refused(String),
}

/// What the composer asks of its parent.
#[derive(Debug)]
pub enum ComposerOutput {
    /// Send this draft as the user's next message.
    Send(Draft),
    /// Send this draft to several models side by side (the parent lets
    /// the user choose them).
    Compare(Draft),
    /// Tell the user something went wrong (a file could not be attached).
    Notice(String),
    /// Stop the reply that is streaming.
    Stop,
    /// Escape while no reply streams: cancel what the text is for (an
    /// edit of a sent message).
    Cancel,
    /// The text changed (typed, pasted, sent, restored): the whole text,
    /// to keep as the conversation's draft.
    Edited(String),
    /// What the composer held when told to [`ComposerInput::Switch`].
    Stashed(Draft),
}

impl Component for Composer {
    type CommandOutput = ComposerCommand;
    type Input = ComposerInput;
    type Output = ComposerOutput;
    type Init = ();
    type Root = gtk::Box;
    type Widgets = ComposerWidgets;

    fn init_root() -> Self::Root {
        gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .margin_start(12)
            .margin_end(12)
            .margin_top(6)
            .margin_bottom(12)
            .css_classes(["composer"])
            .build()
    }

    fn init((): (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let (widgets, buffer, slash) = view::build(&root, &sender);
        let model = Composer {
            busy: false,
            ready: false,
            model: None,
            buffer,
            attachments: Vec::new(),
            resources: Vec::new(),
            attachments_revision: 0,
            servers: None,
            slash,
            watched: std::collections::HashMap::new(),
            browser: None,
            prompt_dialog: None,
            root: root.clone(),
            focus_pending: std::cell::Cell::new(true),
        };
        ComponentParts { model, widgets }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>, _: &Self::Root) {
        match message {
            message @ (ComposerInput::Submit | ComposerInput::Compare) => {
                if self.busy || !self.ready {
                    return;
                }
                let compare = matches!(message, ComposerInput::Compare);
                let text = self.text();
                if text.trim().is_empty()
                    && self.attachments.is_empty()
                    && self.resources.is_empty()
                {
                    if compare {
                        let notice = gettextrs::gettext("Type a message to compare first.");
                        let _ = sender.output(ComposerOutput::Notice(notice));
                    }
                    return;
                }
                self.buffer.set_text("");
                let draft = Draft {
                    text,
                    images: std::mem::take(&mut self.attachments),
                    resources: std::mem::take(&mut self.resources),
                };
                self.attachments_revision += 1;
                let _ = sender.output(if compare {
                    ComposerOutput::Compare(draft)
                } else {
                    ComposerOutput::Send(draft)
                });
            }
            ComposerInput::Stop => {
                let _ = sender.output(if self.busy {
                    ComposerOutput::Stop
                } else {
                    ComposerOutput::Cancel
                });
            }
            ComposerInput::SetBusy(busy) => {
                if self.busy && !busy {
                    self.focus_pending.set(true);
                }
                self.busy = busy;
            }
            ComposerInput::SetReady(ready) => self.ready = ready,
            ComposerInput::SetModel(model) => self.model = model,
            ComposerInput::Restore(draft) => {
                if self.buffer.char_count() == 0 {
                    self.buffer.set_text(&draft.text);
                }
                if self.attachments.is_empty() && !draft.images.is_empty() {
                    self.attachments = draft.images;
                    self.attachments_revision += 1;
                }
                if self.resources.is_empty() && !draft.resources.is_empty() {
                    self.resources = draft.resources;
                    self.attachments_revision += 1;
                }
            }
            ComposerInput::Switch(draft) => {
                let held = Draft {
                    text: self.text(),
                    images: std::mem::replace(&mut self.attachments, draft.images),
                    resources: std::mem::replace(&mut self.resources, draft.resources),
                };
                self.attachments_revision += 1;
                self.buffer.set_text(&draft.text);
                let _ = sender.output(ComposerOutput::Stashed(held));
            }
            ComposerInput::DraftChanged => {
                let _ = sender.output(ComposerOutput::Edited(self.text()));
                self.update_mcp(ComposerInput::DraftChanged, &sender);
            }
            message @ (ComposerInput::SetServers(_)
            | ComposerInput::PromptChosen(_)
            | ComposerInput::PromptArguments(..)
            | ComposerInput::BrowseResources
            | ComposerInput::AddResources(_)
            | ComposerInput::RemoveResource(_)
            | ComposerInput::ResourceChanged(..)
            | ComposerInput::Watching(..)) => self.update_mcp(message, &sender),
            ComposerInput::ChooseImages => {
                let parent = self.root.root().and_downcast::<gtk::Window>();
                attachments::choose_images(parent.as_ref(), sender.input_sender().clone());
            }
            ComposerInput::AddFiles(files) => {
                for file in files {
                    sender.spawn_oneshot_command(move || {
                        ComposerCommand::Loaded(attachments::load(&file))
                    });
                }
            }
            ComposerInput::Pasted(texture) => {
                self.add_image(attachments::pasted(&texture), &sender)
            }
            ComposerInput::Remove(index) => {
                if index < self.attachments.len() {
                    self.attachments.remove(index);
                    self.attachments_revision += 1;
                }
            }
            ComposerInput::Refused(message) => {
                let _ = sender.output(ComposerOutput::Notice(message));
            }
            ComposerInput::Focus => self.focus_pending.set(true),
        }
    }

    fn update_cmd(
        &mut self,
        message: ComposerCommand,
        sender: ComponentSender<Self>,
        _: &Self::Root,
    ) {
        match message {
            ComposerCommand::Loaded(image) => self.add_image(image, &sender),
            ComposerCommand::Refused(message) => {
                let _ = sender.output(ComposerOutput::Notice(message));
            }
            message => self.update_mcp_command(message, &sender),
        }
    }

    fn update_view(&self, widgets: &mut Self::Widgets, sender: ComponentSender<Self>) {
        view::update(self, widgets, &sender);
    }
}

impl Composer {
    /// The whole text of the field.
    fn text(&self) -> String {
        let (start, end) = self.buffer.bounds();
        self.buffer.text(&start, &end, false).to_string()
    }

    /// Adds a checked image to the pending ones, or tells why it was refused.
    fn add_image(&mut self, image: Result<Attachment, String>, sender: &ComponentSender<Self>) {
        match image {
            Ok(image) => {
                self.attachments.push(image);
                self.attachments_revision += 1;
                self.focus_pending.set(true);
            }
            Err(message) => {
                let _ = sender.output(ComposerOutput::Notice(message));
            }
        }
    }
}

/// Lets the conversation area take dropped image files for the composer.
pub fn add_drop_target(widget: &impl IsA<gtk::Widget>, composer: &relm4::Controller<Composer>) {
    widget.add_controller(attachments::drop_target(composer.sender().clone()));
}
