//! The composer: a multi-line text field with Send and Stop.
//!
//! Enter sends, Shift+Enter inserts a new line, Escape stops a running reply
//! (DESIGN.md, Interface).

use gettextrs::gettext;
use relm4::gtk::prelude::*;
use relm4::{ComponentParts, ComponentSender, SimpleComponent, gtk};

/// State of the composer.
#[derive(Debug)]
pub struct Composer {
    /// A reply is streaming: show Stop instead of Send.
    busy: bool,
    /// Sending is possible (a model is chosen).
    ready: bool,
    buffer: gtk::TextBuffer,
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
    /// Put text back (after a send that could not start) and focus the field.
    Restore(String),
    /// Move keyboard focus into the text field.
    Focus,
}

/// What the composer asks of its parent.
#[derive(Debug)]
pub enum ComposerOutput {
    /// Send this text as the user's next message.
    Send(String),
    /// Stop the reply that is streaming.
    Stop,
}

/// Widgets the composer updates.
#[derive(Debug)]
pub struct ComposerWidgets {
    text_view: gtk::TextView,
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
            .orientation(gtk::Orientation::Horizontal)
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
            keys.connect_key_pressed(move |_, key, _, modifiers| {
                let enter = matches!(key, gtk::gdk::Key::Return | gtk::gdk::Key::KP_Enter);
                if enter && !modifiers.contains(gtk::gdk::ModifierType::SHIFT_MASK) {
                    sender.input(ComposerInput::Submit);
                    return gtk::glib::Propagation::Stop;
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
        root.append(&scroller);
        root.append(&send);
        root.append(&stop);

        let model = Composer {
            busy: false,
            ready: false,
            buffer,
            focus_pending: std::cell::Cell::new(true),
        };
        ComponentParts {
            model,
            widgets: ComposerWidgets {
                text_view,
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
                if text.trim().is_empty() {
                    return;
                }
                self.buffer.set_text("");
                let _ = sender.output(ComposerOutput::Send(text));
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
            ComposerInput::Restore(text) => {
                if self.buffer.char_count() == 0 {
                    self.buffer.set_text(&text);
                }
            }
            ComposerInput::Focus => self.focus_pending.set(true),
        }
    }

    fn update_view(&self, widgets: &mut Self::Widgets, _sender: ComponentSender<Self>) {
        widgets.send.set_visible(!self.busy);
        widgets.send.set_sensitive(self.ready);
        widgets.stop.set_visible(self.busy);
        if self.focus_pending.get() && widgets.text_view.is_mapped() {
            self.focus_pending.set(false);
            widgets.text_view.grab_focus();
        }
    }
}
