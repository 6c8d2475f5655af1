//! A file's bytes → its text, as [`Passage`]s that keep where they came
//! from (a PDF's page; the first line of the text otherwise).
//!
//! The format comes from the file's extension ([`Format::from_path`]);
//! a file with an unknown extension is read as plain text when its bytes
//! are text ([`text`] decides), else it is [`DocumentError::Binary`].
//! One module per format: [`text`] (plain text and source code, any
//! encoding), [`html`], [`pdf`], [`office`] (`.docx` and `.odt`).
//! Markdown is kept as Markdown: the chunker splits it at its headings.

pub mod html;
pub mod office;
pub mod pdf;
pub mod text;

use std::path::{Path, PathBuf};

use super::DocumentError;

/// Largest file read as a document, in bytes (50 MiB). A larger one is
/// [`DocumentError::TooLarge`] before a byte of it is read.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// What a document is, which decides how it is read and chunked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text (`.txt`, unknown extensions whose bytes are text).
    Text,
    /// Markdown (`.md`, `.markdown`).
    Markdown,
    /// Source code and configuration (`.rs`, `.py`, `.toml`…).
    Code,
    /// HTML (`.html`, `.htm`, `.xhtml`): its main text.
    Html,
    /// PDF: the text layer, page by page.
    Pdf,
    /// Office Open XML text (`.docx`).
    Docx,
    /// ODF text (`.odt`, `OpenDocument`).
    Odt,
}

/// Extensions read as source code (lower case).
const CODE_EXTENSIONS: &[&str] = &[
    "rs", "py", "js", "mjs", "ts", "tsx", "jsx", "c", "h", "cc", "cpp", "hpp", "cs", "go", "java",
    "kt", "swift", "rb", "php", "pl", "lua", "sh", "bash", "zsh", "fish", "sql", "r", "scala",
    "hs", "ml", "ex", "exs", "erl", "clj", "vala", "css", "scss", "toml", "yaml", "yml", "json",
    "xml", "ini", "cfg", "conf", "build", "cmake", "mk", "gradle", "dart", "zig", "nim", "tex",
];

impl Format {
    /// The format a file's extension names; `None` for an unknown or no
    /// extension (read as text when its bytes are text).
    #[must_use]
    pub fn from_path(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_string_lossy().to_lowercase();
        if matches!(name.as_str(), "makefile" | "dockerfile" | "meson.build") {
            return Some(Self::Code);
        }
        let extension = path.extension()?.to_string_lossy().to_lowercase();
        Some(match extension.as_str() {
            "txt" | "text" | "log" | "rst" | "adoc" | "org" | "csv" | "tsv" => Self::Text,
            "md" | "markdown" | "mdown" | "mkd" => Self::Markdown,
            "html" | "htm" | "xhtml" => Self::Html,
            "pdf" => Self::Pdf,
            "docx" => Self::Docx,
            "odt" => Self::Odt,
            e if CODE_EXTENSIONS.contains(&e) => Self::Code,
            _ => return None,
        })
    }

    /// The stored name: `text`, `markdown`, `code`, `html`, `pdf`,
    /// `docx`, `odt`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Markdown => "markdown",
            Self::Code => "code",
            Self::Html => "html",
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Odt => "odt",
        }
    }
}

/// A run of a document's text with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// The text (UTF-8, lines ending in `\n`).
    pub text: String,
    /// The PDF page it is on, from 1; `None` for other formats.
    pub page: Option<u32>,
    /// The line of the extracted text it starts on, from 1 (for text,
    /// code and Markdown, the file's own line).
    pub first_line: u32,
}

/// A document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// How it was read.
    pub format: Format,
    /// Its passages in order (a PDF's pages with text; one otherwise).
    pub passages: Vec<Passage>,
}

impl Extracted {
    /// A document of one passage starting at line 1.
    fn whole(format: Format, text: String) -> Self {
        Self {
            format,
            passages: vec![Passage {
                text,
                page: None,
                first_line: 1,
            }],
        }
    }
}

/// Reads the file at `path` and extracts its text ([`extract_bytes`]).
///
/// # Errors
/// [`DocumentError::TooLarge`] for a file over [`MAX_FILE_BYTES`] (not
/// read), [`DocumentError::Io`] if it cannot be read, and those of
/// [`extract_bytes`].
pub fn extract_file(path: &Path) -> Result<Extracted, DocumentError> {
    let io = |source| DocumentError::Io {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(DocumentError::TooLarge {
            path: path.to_owned(),
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    extract_bytes(path, &bytes)
}

/// Extracts the text of a file named `path` whose content is `bytes`;
/// the format comes from the name ([`Format::from_path`]).
///
/// # Errors
/// [`DocumentError::TooLarge`], [`DocumentError::Binary`] (not text, and
/// no format ValeChat reads), [`DocumentError::Encoding`] (text in an
/// encoding not recognised), [`DocumentError::Encrypted`] and
/// [`DocumentError::NoTextLayer`] (PDF), [`DocumentError::Malformed`]
/// (a damaged PDF, `.docx` or `.odt`), [`DocumentError::Empty`] (no text).
pub fn extract_bytes(path: &Path, bytes: &[u8]) -> Result<Extracted, DocumentError> {
    let size = bytes.len() as u64;
    if size > MAX_FILE_BYTES {
        return Err(DocumentError::TooLarge {
            path: path.to_owned(),
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    let extracted = match Format::from_path(path) {
        Some(Format::Pdf) => pdf::extract(path, bytes)?,
        Some(Format::Html) => {
            Extracted::whole(Format::Html, html::main_text(&text::decode(path, bytes)?))
        }
        Some(format @ (Format::Docx | Format::Odt)) => {
            Extracted::whole(format, office::extract(path, format, bytes)?)
        }
        Some(format) => Extracted::whole(format, text::decode(path, bytes)?),
        None => Extracted::whole(Format::Text, text::decode(path, bytes)?),
    };
    if extracted.passages.iter().all(|p| p.text.trim().is_empty()) {
        return Err(DocumentError::Empty {
            path: PathBuf::from(path),
        });
    }
    Ok(extracted)
}
