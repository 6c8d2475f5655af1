//! Image thumbnails for attachments: a [`gtk::Picture`] filled once the
//! image is decoded and scaled, off the main loop.
//!
//! Decoding uses gdk-pixbuf's asynchronous stream loader (a GIO worker
//! thread), scaled to fit `max`×`max` logical pixels, so a 20 MiB photo
//! never blocks a frame; if no pixbuf loader knows the format (WebP without
//! its loader), GTK's own decoder is tried, and failing that the picture
//! stays empty with the file name as its tooltip.

use relm4::gtk;
use relm4::gtk::prelude::*;
use relm4::gtk::{gdk, gdk_pixbuf, gio, glib};

use valechat_core::provider::Attachment;

/// A picture of `image` at most `max` pixels wide and high, with the file
/// name as alternative text and tooltip; the pixels arrive asynchronously.
pub fn picture(image: &Attachment, max: i32) -> gtk::Picture {
    let picture = gtk::Picture::builder()
        .can_shrink(true)
        .alternative_text(image.name.as_str())
        .tooltip_text(image.name.as_str())
        .build();
    let bytes = glib::Bytes::from_owned(image.data.clone());
    let weak = picture.downgrade();
    relm4::spawn_local(async move {
        let stream = gio::MemoryInputStream::from_bytes(&bytes);
        let texture =
            match gdk_pixbuf::Pixbuf::from_stream_at_scale_future(&stream, max, max, true).await {
                Ok(pixbuf) => Some(gdk::Texture::for_pixbuf(&pixbuf)),
                Err(_) => gdk::Texture::from_bytes(&bytes).ok(),
            };
        if let (Some(picture), Some(texture)) = (weak.upgrade(), texture) {
            picture.set_paintable(Some(&texture));
        }
    });
    picture
}
