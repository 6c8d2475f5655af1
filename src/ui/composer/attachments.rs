//! Getting images into the composer: the file chooser, drag and drop of
//! image files, pasting an image, and reading files without blocking.
//!
//! Files are read with GIO (`query_info`, then `load_contents`) in a
//! command on a blocking thread, so the main loop never waits on the
//! disk; a pasted image is read with the clipboard's asynchronous call. A
//! file over 20 MiB is refused from its size before it is read. The type is sniffed
//! from the bytes by [`Attachment::new`], whatever the file is called.
//! GTK 4.8 has no `GtkFileDialog` (4.10), so the chooser is a
//! [`gtk::FileChooserNative`] (a portal inside Flatpak).

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;
use relm4::gtk::{gdk, gio, glib};

use super::ComposerInput;
use crate::i18n::gettext_f;
use crate::ui::file_chooser;
use valechat_core::chat::EngineError;
use valechat_core::provider::message::attachment::{MAX_ATTACHMENT_BYTES, SUPPORTED_IMAGE_TYPES};
use valechat_core::provider::{Attachment, AttachmentError};

/// A filter showing PNG, JPEG, WebP and GIF files.
fn image_filter() -> gtk::FileFilter {
    let filter = gtk::FileFilter::new();
    filter.set_name(Some(&gettext("Images")));
    for mime in SUPPORTED_IMAGE_TYPES {
        filter.add_mime_type(mime);
    }
    filter
}

/// Opens a chooser for one or more images over `parent`; the chosen files
/// come back as [`ComposerInput::AddFiles`]. The chooser holds itself until
/// it answers ([`file_chooser::show_until_answered`]).
pub fn choose_images(parent: Option<&gtk::Window>, sender: relm4::Sender<ComposerInput>) {
    let chooser = gtk::FileChooserNative::new(
        Some(&gettext("Attach Images")),
        parent,
        gtk::FileChooserAction::Open,
        Some(&gettext("_Attach")),
        Some(&gettext("_Cancel")),
    );
    chooser.set_modal(true);
    chooser.set_select_multiple(true);
    chooser.add_filter(&image_filter());
    chooser.connect_response(move |chooser, response| {
        if response == gtk::ResponseType::Accept {
            let files = chooser.files();
            let files: Vec<gio::File> = (0..files.n_items())
                .filter_map(|i| files.item(i).and_downcast::<gio::File>())
                .collect();
            sender.emit(ComposerInput::AddFiles(files));
        }
    });
    file_chooser::show_until_answered(&chooser);
}

/// A drop target taking image files (a `GdkFileList`) dropped onto its
/// widget, sent as [`ComposerInput::AddFiles`].
pub fn drop_target(sender: relm4::Sender<ComposerInput>) -> gtk::DropTarget {
    let target = gtk::DropTarget::new(gdk::FileList::static_type(), gdk::DragAction::COPY);
    target.connect_drop(move |_, value, _, _| {
        let Ok(list) = value.get::<gdk::FileList>() else {
            return false;
        };
        let files = list.files();
        if files.is_empty() {
            return false;
        }
        sender.emit(ComposerInput::AddFiles(files));
        true
    });
    target
}

/// If the clipboard holds an image, starts reading it (it arrives as
/// [`ComposerInput::Pasted`], a failure as [`ComposerInput::Refused`]) and
/// returns `true`; `false` lets the text view paste text as usual.
pub fn paste_image(clipboard: &gdk::Clipboard, sender: relm4::Sender<ComposerInput>) -> bool {
    if !clipboard
        .formats()
        .contains_type(gdk::Texture::static_type())
    {
        return false;
    }
    clipboard.read_texture_async(None::<&gio::Cancellable>, move |read| match read {
        Ok(Some(texture)) => sender.emit(ComposerInput::Pasted(texture)),
        Ok(None) => {}
        Err(e) => sender.emit(ComposerInput::Refused(gettext_f(
            "Could not paste the image: {error}",
            &[("error", &e.to_string())],
        ))),
    });
    true
}

/// A pasted image as a PNG named “Pasted Image.png”; the error is a
/// sentence for the user.
pub fn pasted(texture: &gdk::Texture) -> Result<Attachment, String> {
    let png = texture.save_to_png_bytes();
    Attachment::new(gettext("Pasted Image.png"), png.to_vec())
        .map_err(|e| EngineError::from(e).user_message())
}

/// Reads `file` and checks it; the error is a sentence for the user. This
/// blocks: the composer runs it as a command on a blocking thread.
pub fn load(file: &gio::File) -> Result<Attachment, String> {
    let fallback = file
        .basename()
        .map_or_else(String::new, |p| p.display().to_string());
    let info = file
        .query_info(
            "standard::display-name,standard::size",
            gio::FileQueryInfoFlags::NONE,
            None::<&gio::Cancellable>,
        )
        .map_err(|e| unreadable(&fallback, &e))?;
    let name = info.display_name().to_string();
    let size = usize::try_from(info.size()).unwrap_or(usize::MAX);
    if size > MAX_ATTACHMENT_BYTES {
        let error = AttachmentError::TooLarge {
            name,
            size,
            max: MAX_ATTACHMENT_BYTES,
        };
        return Err(EngineError::from(error).user_message());
    }
    let (data, _etag) = file
        .load_contents(None::<&gio::Cancellable>)
        .map_err(|e| unreadable(&name, &e))?;
    Attachment::new(name, data.to_vec()).map_err(|e| EngineError::from(e).user_message())
}

fn unreadable(name: &str, error: &glib::Error) -> String {
    gettext_f(
        "Could not read “{name}”: {error}",
        &[("name", name), ("error", &error.to_string())],
    )
}
