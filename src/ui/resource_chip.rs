//! A small chip showing an MCP resource attached to a message: an icon, the
//! resource's name and its server, the URI, MIME type and size in the
//! tooltip, and (in the composer) a Remove button.

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use crate::i18n::gettext_f;
use valechat_core::provider::ResourceAttachment;

/// A chip for `resource`; with `on_remove`, a Remove button calls it.
pub fn chip(resource: &ResourceAttachment, on_remove: Option<Box<dyn Fn()>>) -> gtk::Box {
    let chip = gtk::Box::builder()
        .orientation(gtk::Orientation::Horizontal)
        .spacing(6)
        .valign(gtk::Align::Center)
        .css_classes(["card", "resource-chip"])
        .build();
    let icon = gtk::Image::from_icon_name("text-x-generic-symbolic");
    icon.set_margin_start(8);
    chip.append(&icon);
    let label = gtk::Label::builder()
        .label(gettext_f(
            "{name} ({server})",
            &[("name", &resource.name), ("server", &resource.server_id)],
        ))
        .ellipsize(gtk::pango::EllipsizeMode::Middle)
        .max_width_chars(32)
        .margin_top(4)
        .margin_bottom(4)
        .build();
    chip.append(&label);
    let mime = resource
        .mime_type
        .clone()
        .unwrap_or_else(|| gettext("unknown type"));
    chip.set_tooltip_text(Some(&gettext_f(
        "{uri}\n{mime}, {size} bytes",
        &[
            ("uri", &resource.uri),
            ("mime", &mime),
            ("size", &resource.size().to_string()),
        ],
    )));
    match on_remove {
        Some(on_remove) => {
            let text = gettext_f("Remove “{name}”", &[("name", &resource.name)]);
            let remove: gtk::Button =
                crate::ui::a11y::labelled("GtkButton", &text).unwrap_or_default();
            remove.set_icon_name("window-close-symbolic");
            remove.set_tooltip_text(Some(&text));
            remove.add_css_class("flat");
            remove.add_css_class("circular");
            remove.connect_clicked(move |_| on_remove());
            chip.append(&remove);
        }
        None => label.set_margin_end(8),
    }
    chip
}
