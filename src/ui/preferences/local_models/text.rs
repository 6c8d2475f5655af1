//! How the model library's figures read in the window: sizes with GLib's
//! `format_size` (powers of 1,000, as Hugging Face shows them), parameter
//! counts as `1.5B`, context lengths in the user's locale, and the
//! library's errors as sentences.

use gettextrs::gettext;
use relm4::gtk::glib;

use crate::i18n::gettext_f;
use valechat_core::format::format_count;
use valechat_core::local::library::LibraryError;
use valechat_core::local::library::download::DownloadError;
use valechat_core::store::{LocalModel, ModelOrigin};

/// `bytes` for people, e.g. `1.1 GB`.
pub fn size(bytes: u64) -> String {
    glib::format_size(bytes).to_string()
}

/// A parameter count, e.g. `1.5B parameters`, `494M parameters`.
pub fn parameters(n: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // one decimal shown
    let f = n as f64;
    let count = if n >= 1_000_000_000 {
        format!("{:.1}B", f / 1e9)
    } else if n >= 1_000_000 {
        format!("{:.0}M", f / 1e6)
    } else if n >= 1_000 {
        format!("{:.0}K", f / 1e3)
    } else {
        n.to_string()
    };
    gettext_f("{count} parameters", &[("count", &count)])
}

/// The three lines under a library model's name: what it is, what it
/// takes (size on disk, context length, memory at that context), and its
/// file and how it came.
pub fn model_details(m: &LocalModel) -> String {
    let meta = &m.metadata;
    let memory = valechat_core::local::library::estimate(meta, None);
    let what = [
        meta.architecture.clone(),
        parameters(meta.parameters),
        meta.quantization.clone(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    let context = meta.context_length.map_or_else(
        || gettext("context length unknown"),
        |c| gettext_f("{count} tokens of context", &[("count", &format_count(c))]),
    );
    let takes = [
        gettext_f("{size} on disk", &[("size", &size(meta.size_bytes))]),
        context,
        gettext_f(
            "needs {size} of memory",
            &[("size", &size(memory.total_bytes()))],
        ),
    ]
    .join(" · ");
    format!("{what}\n{takes}\n{}", model_origin(m))
}

/// Why an import failed, for the dialog that says so.
pub fn import_failed(e: &LibraryError) -> String {
    match e {
        LibraryError::Metadata(reason) => gettext_f(
            "It is not a GGUF model ValeChat can read: {reason}",
            &[("reason", &reason.to_string())],
        ),
        LibraryError::AlreadyThere { .. } => gettext("It is already in the library."),
        other => other.to_string(),
    }
}

/// Where a library model's file is and how it came, e.g.
/// `tiny.gguf · copied into ValeChat's models folder`.
pub fn model_origin(m: &LocalModel) -> String {
    let file = m
        .path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let how = match m.origin {
        ModelOrigin::Copied => gettext("copied into ValeChat's models folder"),
        ModelOrigin::Referenced => gettext("used where it is"),
        ModelOrigin::Downloaded => gettext("downloaded"),
    };
    format!("{file} · {how}")
}

/// Why a download stopped, for the download's row.
pub fn download_failed(e: &DownloadError) -> String {
    match e {
        DownloadError::HashMismatch { .. } => gettext(
            "The file downloaded does not match the SHA-256 the repository lists, so it was deleted. Try again later.",
        ),
        DownloadError::NotEnoughSpace {
            needed, available, ..
        } => gettext_f(
            "Not enough free space: the download needs {needed}, and {available} are free.",
            &[("needed", &size(*needed)), ("available", &size(*available))],
        ),
        DownloadError::DiskFull { kept, .. } => gettext_f(
            "The disk is full. The {kept} downloaded are kept: free some space, then Resume.",
            &[("kept", &size(*kept))],
        ),
        DownloadError::Interrupted { kept, total, .. } => gettext_f(
            "The download was cut after {kept} of {total}. Resume continues from there.",
            &[("kept", &size(*kept)), ("total", &size(*total))],
        ),
        DownloadError::Exists(path) => gettext_f(
            "{file} is already in the models folder.",
            &[(
                "file",
                &path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            )],
        ),
        other => other.to_string(),
    }
}

/// A download's progress line: `1.2 GB of 4.4 GB · 12.5 MB/s`.
pub fn progress(done: u64, total: u64, bytes_per_second: u64) -> String {
    let amount = gettext_f(
        "{done} of {total}",
        &[("done", &size(done)), ("total", &size(total))],
    );
    if bytes_per_second == 0 {
        amount
    } else {
        gettext_f(
            "{amount} · {speed}/s",
            &[("amount", &amount), ("speed", &size(bytes_per_second))],
        )
    }
}
