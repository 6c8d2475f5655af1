//! The composer: a multi-line text field with Attach Image, Send and Stop,
//! and the images waiting to be sent shown above it as thumbnails.
//!
//! Enter sends, Shift+Enter inserts a new line, Escape stops a running reply
//! (DESIGN.md, Interface). Images come from the Attach Image button, from
//! files dropped on the composer or the conversation, or from Ctrl+V with an
//! image on the clipboard (see [`attachments`]).

pub mod attachments;

use gettextrs::gettext;
use relm4::gtk::gio;
use relm4::gtk::prelude::*;
use relm4::{ComponentController, ComponentParts, ComponentSender, SimpleComponent, gtk};

use crate::core::provider::Attachment;
use crate::i18n::gettext_f;

/// Edge of a pending image's thumbnail, in logical pixels.
const PENDING_THUMBNAIL: i32 = 64;

/// State of the composer.
#[derive(Debug)]
pub struct Composer {
    /// A reply is streaming: show Stop instead of Send.
    busy: bool,
    /// Sending is possible (a model is chosen).
    ready: bool,
    buffer: gtk::TextBuffer,
    /// Images to send with the next message, in the order added.
    attachments: Vec<Attachment>,
    /// Bumped on every change of `attachments`.
    attachments_revision: u64,
    /// The open file chooser, kept alive until it answers.
    chooser: Option<gtk::FileChooserNative>,
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
    /// Stop the running reply (Escape or the Stop button).
    Stop,
    /// A reply started (`true`) or ended (`false`).
    SetBusy(bool),
    /// Whether a model is chosen, so that sending can work.
    SetReady(bool),
    /// Put text and images back (after a send that could not start).
    Restore(String, Vec<Attachment>),
    /// Open the file chooser for images (the Attach Image button).
    ChooseImages,
    /// Read these files (chosen or dropped) and add the images among them.
    AddFiles(Vec<gio::File>),
    /// Add a checked image to the pending ones.
    Add(Attachment),
    /// Remove the pending image at this position.
    Remove(usize),
    /// A file could not be attached: the sentence to show.
    Refused(String),
    /// Move keyboard focus into the text field.
    Focus,
}

/// What the composer asks of its parent.
#[derive(Debug)]
pub enum ComposerOutput {
    /// Send this text and these images as the user's next message.
    Send(String, Vec<Attachment>),
    /// Tell the user something went wrong (a file could not be attached).
    Notice(String),
    /// Stop the reply that is streaming.
    Stop,
}

/// Widgets the composer updates.
#[derive(Debug)]
pub struct ComposerWidgets {
    text_view: gtk::TextView,
    attach: gtk::Button,
    pending: gtk::Box,
    pending_scroller: gtk::ScrolledWindow,
    rendered_attachments: u64,
    send: gtk::Button,
    stop: gtk::Button,
}

impl SimpleComponent for Composer {
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
        let buffer = gtk::TextBuffer::new(None);
        let text_view: gtk::TextView =
            crate::ui::a11y::labelled("GtkTextView", &gettext("Message")).unwrap_or_default();
        text_view.set_buffer(Some(&buffer));
        text_view.set_wrap_mode(gtk::WrapMode::WordChar);
        text_view.set_accepts_tab(false);
        text_view.set_top_margin(8);
        text_view.set_bottom_margin(8);
        text_view.set_left_margin(10);
        text_view.set_right_margin(10);
        text_view.add_css_class("composer-text");
        let scroller = gtk::ScrolledWindow::builder()
            .child(&text_view)
            .hexpand(true)
            .hscrollbar_policy(gtk::PolicyType::Never)
            .propagate_natural_height(true)
            .max_content_height(200)
            .css_classes(["card"])
            .build();

        let keys = gtk::EventControllerKey::new();
        keys.set_propagation_phase(gtk::PropagationPhase::Capture);
        {
            let sender = sender.clone();
            let text_view_for_paste = text_view.clone();
            keys.connect_key_pressed(move |_, key, _, modifiers| {
                let enter = matches!(key, gtk::gdk::Key::Return | gtk::gdk::Key::KP_Enter);
                if enter && !modifiers.contains(gtk::gdk::ModifierType::SHIFT_MASK) {
                    sender.input(ComposerInput::Submit);
                    return gtk::glib::Propagation::Stop;
                }
                let paste = matches!(key, gtk::gdk::Key::v | gtk::gdk::Key::V)
                    && modifiers.contains(gtk::gdk::ModifierType::CONTROL_MASK);
                if paste {
                    let clipboard = gtk::prelude::WidgetExt::clipboard(&text_view_for_paste);
                    if attachments::paste_image(&clipboard, sender.input_sender().clone()) {
                        return gtk::glib::Propagation::Stop;
                    }
                }
                if key == gtk::gdk::Key::Escape {
                    sender.input(ComposerInput::Stop);
                    return gtk::glib::Propagation::Stop;
                }
                gtk::glib::Propagation::Proceed
            });
        }
        text_view.add_controller(keys);

        let send = gtk::Button::builder()
            .label(gettext("Send"))
            .tooltip_text(gettext("Send message (Enter)"))
            .css_classes(["suggested-action", "pill"])
            .valign(gtk::Align::End)
            .build();
        let stop = gtk::Button::builder()
            .label(gettext("Stop"))
            .tooltip_text(gettext("Stop the reply (Escape)"))
            .css_classes(["destructive-action", "pill"])
            .valign(gtk::Align::End)
            .visible(false)
            .build();
        {
            let sender = sender.clone();
            send.connect_clicked(move |_| sender.input(ComposerInput::Submit));
        }
        {
            let sender = sender.clone();
            stop.connect_clicked(move |_| sender.input(ComposerInput::Stop));
        }
        let attach: gtk::Button =
            crate::ui::a11y::labelled("GtkButton", &gettext("Attach Image")).unwrap_or_default();
        attach.set_icon_name("mail-attachment-symbolic");
        attach.set_tooltip_text(Some(&gettext("Attach an image (or drop or paste one)")));
        attach.set_valign(gtk::Align::End);
        attach.add_css_class("circular");
        attach.add_css_class("flat");
        {
            let sender = sender.clone();
            attach.connect_clicked(move |_| sender.input(ComposerInput::ChooseImages));
        }
        let pending = gtk::Box::builder()
            .orientation(gtk::Orientation::Horizontal)
            .spacing(6)
            .css_classes(["pending-attachments"])
            .build();
        let pending_scroller = gtk::ScrolledWindow::builder()
            .child(&pending)
            .vscrollbar_policy(gtk::PolicyType::Never)
            .propagate_natural_height(true)
            .visible(false)
            .build();
        let row = gtk::Box::builder()
            .orientation(gtk::Orientation::Horizontal)
            .spacing(6)
            .build();
        row.append(&attach);
        row.append(&scroller);
        row.append(&send);
        row.append(&stop);
        root.append(&pending_scroller);
        root.append(&row);
        root.add_controller(attachments::drop_target(sender.input_sender().clone()));

        let model = Composer {
            busy: false,
            ready: false,
            buffer,
            attachments: Vec::new(),
            attachments_revision: 0,
            chooser: None,
            root: root.clone(),
            focus_pending: std::cell::Cell::new(true),
        };
        ComponentParts {
            model,
            widgets: ComposerWidgets {
                text_view,
                attach,
                pending,
                pending_scroller,
                rendered_attachments: 0,
                send,
                stop,
            },
        }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>) {
        match message {
            ComposerInput::Submit => {
                if self.busy || !self.ready {
                    return;
                }
                let (start, end) = self.buffer.bounds();
                let text = self.buffer.text(&start, &end, false).to_string();
                if text.trim().is_empty() && self.attachments.is_empty() {
                    return;
                }
                self.buffer.set_text("");
                let images = std::mem::take(&mut self.attachments);
                self.attachments_revision += 1;
                let _ = sender.output(ComposerOutput::Send(text, images));
            }
            ComposerInput::Stop => {
                if self.busy {
                    let _ = sender.output(ComposerOutput::Stop);
                }
            }
            ComposerInput::SetBusy(busy) => {
                if self.busy && !busy {
                    self.focus_pending.set(true);
                }
                self.busy = busy;
            }
            ComposerInput::SetReady(ready) => self.ready = ready,
            ComposerInput::Restore(text, images) => {
                if self.buffer.char_count() == 0 {
                    self.buffer.set_text(&text);
                }
                if self.attachments.is_empty() && !images.is_empty() {
                    self.attachments = images;
                    self.attachments_revision += 1;
                }
            }
            ComposerInput::ChooseImages => {
                let parent = self.root.root().and_downcast::<gtk::Window>();
                self.chooser = Some(attachments::choose_images(
                    parent.as_ref(),
                    sender.input_sender().clone(),
                ));
            }
            ComposerInput::AddFiles(files) => {
                self.chooser = None;
                for file in files {
                    let sender = sender.clone();
                    relm4::spawn_local(async move {
                        sender.input(match attachments::load(file).await {
                            Ok(image) => ComposerInput::Add(image),
                            Err(message) => ComposerInput::Refused(message),
                        });
                    });
                }
            }
            ComposerInput::Add(image) => {
                self.attachments.push(image);
                self.attachments_revision += 1;
                self.focus_pending.set(true);
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

    fn update_view(&self, widgets: &mut Self::Widgets, sender: ComponentSender<Self>) {
        if widgets.rendered_attachments != self.attachments_revision {
            render_pending(&self.attachments, widgets, &sender);
            widgets.rendered_attachments = self.attachments_revision;
        }
        widgets.attach.set_sensitive(!self.busy);
        widgets.send.set_visible(!self.busy);
        widgets.send.set_sensitive(self.ready);
        widgets.stop.set_visible(self.busy);
        if self.focus_pending.get() && widgets.text_view.is_mapped() {
            self.focus_pending.set(false);
            widgets.text_view.grab_focus();
        }
    }
}

/// Rebuilds the strip of pending images: a thumbnail and a remove button each.
fn render_pending(
    images: &[Attachment],
    widgets: &ComposerWidgets,
    sender: &ComponentSender<Composer>,
) {
    while let Some(child) = widgets.pending.first_child() {
        widgets.pending.remove(&child);
    }
    for (index, image) in images.iter().enumerate() {
        let picture = crate::ui::thumbnail::picture(image, PENDING_THUMBNAIL);
        picture.set_size_request(PENDING_THUMBNAIL, PENDING_THUMBNAIL);
        picture.set_content_fit(gtk::ContentFit::Cover);
        let frame = gtk::Frame::builder()
            .child(&picture)
            .css_classes(["pending-attachment"])
            .build();
        let label = gettext_f("Remove “{name}”", &[("name", &image.name)]);
        let remove: gtk::Button =
            crate::ui::a11y::labelled("GtkButton", &label).unwrap_or_default();
        remove.set_icon_name("window-close-symbolic");
        remove.set_tooltip_text(Some(&label));
        remove.set_halign(gtk::Align::End);
        remove.set_valign(gtk::Align::Start);
        remove.set_margin_top(2);
        remove.set_margin_end(2);
        for class in ["circular", "osd", "remove-attachment"] {
            remove.add_css_class(class);
        }
        let input = sender.input_sender().clone();
        remove.connect_clicked(move |_| input.emit(ComposerInput::Remove(index)));
        let overlay = gtk::Overlay::builder().child(&frame).build();
        overlay.add_overlay(&remove);
        widgets.pending.append(&overlay);
    }
    widgets.pending_scroller.set_visible(!images.is_empty());
}

/// Lets the conversation area take dropped image files for the composer.
pub fn add_drop_target(widget: &impl IsA<gtk::Widget>, composer: &relm4::Controller<Composer>) {
    widget.add_controller(attachments::drop_target(composer.sender().clone()));
}
