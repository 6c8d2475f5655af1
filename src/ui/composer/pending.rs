//! The strip above the field: pending images as thumbnails with a Remove
//! button each, then pending MCP resources as chips.

use relm4::gtk::prelude::*;
use relm4::prelude::*;
use relm4::{ComponentSender, gtk};

use super::{Composer, ComposerInput, ComposerWidgets};
use crate::i18n::gettext_f;
use crate::ui::thumbnail::Thumbnail;

/// Edge of a pending image's thumbnail, in logical pixels.
const PENDING_THUMBNAIL: i32 = 64;

/// Rebuilds the strip of pending images (a thumbnail and a remove button
/// each) and resources (a chip each).
pub(super) fn render(
    composer: &Composer,
    widgets: &mut ComposerWidgets,
    sender: &ComponentSender<Composer>,
) {
    let images = &composer.attachments;
    while let Some(child) = widgets.pending.first_child() {
        widgets.pending.remove(&child);
    }
    widgets.thumbnails.clear();
    for (index, image) in images.iter().enumerate() {
        let thumbnail = Thumbnail::builder()
            .launch((image.clone(), PENDING_THUMBNAIL))
            .detach();
        let picture = thumbnail.widget().clone();
        widgets.thumbnails.push(thumbnail);
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
    for (index, resource) in composer.resources.iter().enumerate() {
        let input = sender.input_sender().clone();
        let remove = Box::new(move || input.emit(ComposerInput::RemoveResource(index)));
        widgets
            .pending
            .append(&crate::ui::resource_chip::chip(resource, Some(remove)));
    }
    widgets
        .pending_scroller
        .set_visible(!images.is_empty() || !composer.resources.is_empty());
}
