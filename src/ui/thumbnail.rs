//! Image thumbnails for attachments: [`Thumbnail`] is a small component
//! whose root is a [`gtk::Picture`], filled once the image is decoded and
//! scaled in a command on a blocking thread, off the main loop.
//!
//! Decoding uses gdk-pixbuf's stream loader, scaled to fit `max`×`max`
//! logical pixels, so a 20 MiB photo never blocks a frame; if no pixbuf
//! loader knows the format (WebP without its loader), GTK's own decoder is
//! tried, and failing that the picture stays empty with the file name as
//! its tooltip. The owner keeps the controller as long as it shows the
//! picture; dropping it stops a decoding that has not finished.

use relm4::gtk;
use relm4::gtk::prelude::*;
use relm4::gtk::{gdk, gdk_pixbuf, gio, glib};
use relm4::{Component, ComponentParts, ComponentSender};

use valechat_core::provider::Attachment;

/// A picture of an image attachment.
#[derive(Debug)]
pub struct Thumbnail;

/// The decoded texture, or `None` when no decoder knew the image.
#[derive(Debug)]
pub struct Decoded(Option<gdk::Texture>);

impl Component for Thumbnail {
    type CommandOutput = Decoded;
    type Input = ();
    type Output = ();
    /// The image, and the largest edge in logical pixels.
    type Init = (Attachment, i32);
    type Root = gtk::Picture;
    type Widgets = ();

    fn init_root() -> Self::Root {
        gtk::Picture::builder().can_shrink(true).build()
    }

    /// Names the picture after the image and starts decoding it.
    fn init(
        (image, max): Self::Init,
        picture: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        picture.set_alternative_text(Some(&image.name));
        picture.set_tooltip_text(Some(&image.name));
        let data = image.data;
        sender.spawn_oneshot_command(move || Decoded(decode(data, max)));
        ComponentParts {
            model: Thumbnail,
            widgets: (),
        }
    }

    fn update_cmd(&mut self, decoded: Decoded, _: ComponentSender<Self>, picture: &gtk::Picture) {
        if let Decoded(Some(texture)) = decoded {
            picture.set_paintable(Some(&texture));
        }
    }
}

/// Decodes `data` scaled to fit `max`×`max` pixels (blocking).
fn decode(data: impl AsRef<[u8]> + Send + 'static, max: i32) -> Option<gdk::Texture> {
    let bytes = glib::Bytes::from_owned(data);
    let stream = gio::MemoryInputStream::from_bytes(&bytes);
    match gdk_pixbuf::Pixbuf::from_stream_at_scale(
        &stream,
        max,
        max,
        true,
        None::<&gio::Cancellable>,
    ) {
        Ok(pixbuf) => Some(gdk::Texture::for_pixbuf(&pixbuf)),
        Err(_) => gdk::Texture::from_bytes(&bytes).ok(),
    }
}
