//! The banner over the composer while a sent message is edited in it
//! (`branches`): what is going on, what sending will do, and Cancel
//! (Escape in the composer cancels too).

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use super::ConversationViewInput;

/// The banner, hidden; the view shows it while it edits a message.
pub(super) fn new(input: &relm4::Sender<ConversationViewInput>) -> gtk::Box {
    let banner = gtk::Box::builder()
        .orientation(gtk::Orientation::Horizontal)
        .spacing(12)
        .margin_start(18)
        .margin_end(12)
        .margin_top(6)
        .css_classes(["edit-banner"])
        .visible(false)
        .build();
    let text = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .hexpand(true)
        .valign(gtk::Align::Center)
        .build();
    text.append(
        &gtk::Label::builder()
            .label(gettext("Editing message"))
            .xalign(0.0)
            .css_classes(["heading"])
            .build(),
    );
    text.append(
        &gtk::Label::builder()
            .label(gettext("Sending makes a new version; the original stays."))
            .xalign(0.0)
            .wrap(true)
            .css_classes(["caption", "dim-label"])
            .build(),
    );
    let cancel = gtk::Button::builder()
        .label(gettext("Cancel"))
        .valign(gtk::Align::Center)
        .tooltip_text(gettext("Stop editing (Escape)"))
        .build();
    let input = input.clone();
    cancel.connect_clicked(move |_| input.emit(ConversationViewInput::CancelEdit));
    banner.append(&gtk::Image::from_icon_name("document-edit-symbolic"));
    banner.append(&text);
    banner.append(&cancel);
    banner
}
