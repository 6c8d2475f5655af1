//! The composer's widgets: the text field with its keys (Enter, Shift+Enter,
//! Ctrl+V, Escape and the `/` menu's keys, Ctrl+Shift+Enter), the Attach
//! Image, Attach Resource, menu (Compare Models…), Send and Stop buttons, the strip of pending attachments above,
//! and how they follow the composer's state.

use std::rc::Rc;

use gettextrs::gettext;
use relm4::gtk::prelude::*;
use relm4::{ComponentSender, gtk};

use super::slash::SlashMenu;
use super::{Composer, ComposerInput, attachments, mcp, pending, slash};
use crate::i18n::gettext_f;

/// Widgets the composer updates.
#[derive(Debug)]
pub struct ComposerWidgets {
    pub(super) text_view: gtk::TextView,
    /// "Message <model>…" over the empty field.
    pub(super) placeholder: gtk::Label,
    pub(super) attach: gtk::Button,
    pub(super) attach_resource: gtk::Button,
    pub(super) pending: gtk::Box,
    pub(super) pending_scroller: gtk::ScrolledWindow,
    pub(super) rendered_attachments: u64,
    /// The pending images' thumbnails, as shown.
    pub(super) thumbnails: Vec<relm4::Controller<crate::ui::thumbnail::Thumbnail>>,
    /// The menu of Compare Models….
    pub(super) more: gtk::MenuButton,
    pub(super) send: gtk::Button,
    pub(super) stop: gtk::Button,
}

/// Builds the composer's widgets into `root`; returns them with the text
/// buffer and the `/` menu the composer keeps.
pub(super) fn build(
    root: &gtk::Box,
    sender: &ComponentSender<Composer>,
) -> (ComposerWidgets, gtk::TextBuffer, Rc<SlashMenu>) {
    let buffer = gtk::TextBuffer::new(None);
    // GTK 4.8's text view has no placeholder: a label over the empty field,
    // whose text is also the field's accessible description.
    let placeholder = gtk::Label::builder()
        .xalign(0.0)
        .halign(gtk::Align::Start)
        .valign(gtk::Align::Start)
        .ellipsize(gtk::pango::EllipsizeMode::End)
        .margin_top(8)
        .margin_start(10)
        .margin_end(10)
        .can_focus(false)
        .can_target(false)
        .css_classes(["dim-label", "composer-placeholder"])
        .build();
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
        .build();
    let field = gtk::Overlay::builder()
        .child(&scroller)
        .hexpand(true)
        .css_classes(["card"])
        .build();
    field.add_overlay(&placeholder);

    let slash = slash::SlashMenu::new(&scroller, sender.input_sender().clone());
    {
        let sender = sender.clone();
        buffer.connect_changed(move |_| sender.input(ComposerInput::DraftChanged));
    }
    let keys = gtk::EventControllerKey::new();
    keys.set_propagation_phase(gtk::PropagationPhase::Capture);
    {
        let sender = sender.clone();
        let text_view_for_paste = text_view.clone();
        let slash = slash.clone();
        keys.connect_key_pressed(move |_, key, _, modifiers| {
            if slash.is_open() && mcp::menu_key(&slash, key, sender.input_sender()) {
                return gtk::glib::Propagation::Stop;
            }
            let enter = matches!(key, gtk::gdk::Key::Return | gtk::gdk::Key::KP_Enter);
            let compare = gtk::gdk::ModifierType::SHIFT_MASK | gtk::gdk::ModifierType::CONTROL_MASK;
            if enter && modifiers.contains(compare) {
                sender.input(ComposerInput::Compare);
                return gtk::glib::Propagation::Stop;
            }
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
    let attach_resource = mcp::attach_resource_button(sender.input_sender().clone());
    let more = more_menu(root, sender);
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
    row.append(&attach_resource);
    row.append(&field);
    row.append(&more);
    row.append(&send);
    row.append(&stop);
    root.append(&pending_scroller);
    root.append(&row);
    root.add_controller(attachments::drop_target(sender.input_sender().clone()));

    let widgets = ComposerWidgets {
        text_view,
        placeholder,
        attach,
        attach_resource,
        pending,
        pending_scroller,
        rendered_attachments: 0,
        thumbnails: Vec::new(),
        more,
        send,
        stop,
    };
    (widgets, buffer, slash)
}

/// The composer's menu: Compare Models… (also Ctrl+Shift+Enter), as the
/// action `composer.compare` on the composer.
fn more_menu(root: &gtk::Box, sender: &ComponentSender<Composer>) -> gtk::MenuButton {
    let actions = gtk::gio::SimpleActionGroup::new();
    let compare = gtk::gio::SimpleAction::new("compare", None);
    {
        let sender = sender.clone();
        compare.connect_activate(move |_, _| sender.input(ComposerInput::Compare));
    }
    actions.add_action(&compare);
    root.insert_action_group("composer", Some(&actions));
    let menu = gtk::gio::Menu::new();
    menu.append(Some(&gettext("Compare Models…")), Some("composer.compare"));
    let button: gtk::MenuButton =
        crate::ui::a11y::labelled("GtkMenuButton", &gettext("More Message Options"))
            .unwrap_or_default();
    button.set_icon_name("view-more-symbolic");
    button.set_tooltip_text(Some(&gettext("More message options")));
    button.set_menu_model(Some(&menu));
    button.set_valign(gtk::Align::End);
    button.add_css_class("circular");
    button.add_css_class("flat");
    button
}

/// Brings the widgets in line with `composer`: the pending strip when the
/// attachments changed, the buttons, and the focus when it is due.
pub(super) fn update(
    composer: &Composer,
    widgets: &mut ComposerWidgets,
    sender: &ComponentSender<Composer>,
) {
    if widgets.rendered_attachments != composer.attachments_revision {
        pending::render(composer, widgets, sender);
        widgets.rendered_attachments = composer.attachments_revision;
    }
    let placeholder = match &composer.model {
        Some(model) => gettext_f("Message {model}…", &[("model", model)]),
        None => gettext("Choose a model to send a message"),
    };
    if widgets.placeholder.label() != placeholder {
        widgets.placeholder.set_label(&placeholder);
        crate::ui::a11y::describe(widgets.text_view.upcast_ref(), &placeholder);
    }
    widgets
        .placeholder
        .set_visible(composer.buffer.char_count() == 0);
    widgets.attach.set_sensitive(!composer.busy);
    widgets
        .attach_resource
        .set_sensitive(!composer.busy && composer.servers.is_some());
    widgets.more.set_sensitive(!composer.busy && composer.ready);
    widgets.send.set_visible(!composer.busy);
    widgets.send.set_sensitive(composer.ready);
    widgets.stop.set_visible(composer.busy);
    if composer.focus_pending.get() && widgets.text_view.is_mapped() {
        composer.focus_pending.set(false);
        widgets.text_view.grab_focus();
    }
}
