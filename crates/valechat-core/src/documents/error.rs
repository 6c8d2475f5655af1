//! [`DocumentError`]: why one file could not be read as a document, with
//! the sentence the user reads ([`DocumentError::user_message`]).

use std::path::PathBuf;

use gettextrs::gettext;

use crate::i18n::gettext_f;

/// Why a file could not be turned into text. Each is about one file: the
/// rest of a library goes on indexing.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The file is larger than [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES).
    #[error("{} is {size} bytes, over the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file is neither text nor a format ValeChat reads (an image, an
    /// executable, an archive…).
    #[error("{} is a binary file, not a document", path.display())]
    Binary {
        /// The file.
        path: PathBuf,
    },
    /// The text's encoding could not be recognised: decoding it gave
    /// replacement characters.
    #[error("the text encoding of {} is not recognised (guessed {guessed})", path.display())]
    Encoding {
        /// The file.
        path: PathBuf,
        /// The encoding `chardetng` guessed (WHATWG name).
        guessed: &'static str,
    },
    /// The PDF is encrypted with a password.
    #[error("{} is an encrypted PDF", path.display())]
    Encrypted {
        /// The file.
        path: PathBuf,
    },
    /// The PDF has pages but no text on them: a scan without a text layer
    /// (text recognition is not done).
    #[error("{} has no text layer ({pages} pages of images)", path.display())]
    NoTextLayer {
        /// The file.
        path: PathBuf,
        /// Its number of pages.
        pages: usize,
    },
    /// The file is damaged or not what its name says (a PDF, `.docx` or
    /// `.odt` that cannot be parsed).
    #[error("{} cannot be read as {format}: {detail}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The format it was read as, e.g. `"PDF"`.
        format: &'static str,
        /// What the parser said.
        detail: String,
    },
    /// The file holds no text at all (empty, or only white space).
    #[error("{} holds no text", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
}

impl DocumentError {
    /// The file the error is about.
    #[must_use]
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::TooLarge { path, .. }
            | Self::Binary { path }
            | Self::Encoding { path, .. }
            | Self::Encrypted { path }
            | Self::NoTextLayer { path, .. }
            | Self::Malformed { path, .. }
            | Self::Empty { path }
            | Self::Io { path, .. } => path,
        }
    }

    /// Whether the file is skipped rather than failed: not a document at
    /// all (binary) or over the size limit, which a user does not fix.
    #[must_use]
    pub fn is_skip(&self) -> bool {
        matches!(self, Self::TooLarge { .. } | Self::Binary { .. })
    }

    /// The reason for the user, translated, without the file's name (it
    /// is shown beside it): "It is an encrypted PDF: remove its password
    /// to index it."
    #[must_use]
    pub fn user_message(&self) -> String {
        match self {
            Self::TooLarge { size, limit, .. } => gettext_f(
                "It is too large ({size} MiB; the limit is {limit} MiB).",
                &[("size", &mebibytes(*size)), ("limit", &mebibytes(*limit))],
            ),
            Self::Binary { .. } => {
                gettext("It is not a document ValeChat can read (a binary file).")
            }
            Self::Encoding { guessed, .. } => gettext_f(
                "Its text encoding is not recognised (it looks like {encoding}); save it as UTF-8.",
                &[("encoding", guessed)],
            ),
            Self::Encrypted { .. } => {
                gettext("It is an encrypted PDF: remove its password to index it.")
            }
            Self::NoTextLayer { .. } => gettext(
                "It is a scanned PDF without a text layer: run text recognition (OCR) on it first.",
            ),
            Self::Malformed { format, detail, .. } => gettext_f(
                "It cannot be read as {format}; it may be damaged ({detail}).",
                &[("format", format), ("detail", detail)],
            ),
            Self::Empty { .. } => gettext("It holds no text."),
            Self::Io { source, .. } => gettext_f(
                "It cannot be read ({error}).",
                &[("error", &source.to_string())],
            ),
        }
    }
}

/// `bytes` in MiB with one decimal.
#[allow(
    clippy::cast_precision_loss,
    reason = "a file size shown to one decimal"
)]
fn mebibytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1_048_576.0)
}
