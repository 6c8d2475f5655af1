//! [`TransferError`]: why an export or an import stopped as a whole (a
//! single conversation that cannot be imported is skipped instead and
//! listed in the summary). Messages are translated.

use std::path::PathBuf;

use crate::i18n::gettext_f;
use crate::store::StoreError;

/// Where the JSON parser stopped in a file: 1-based line and column (as
/// `serde_json` counts them) and the byte offset read so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1 (0 at the end of the input).
    pub column: usize,
    /// Bytes read from the file when parsing stopped.
    pub byte: u64,
}

/// Why an export or an import could not go on.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// Reading or writing a file failed.
    #[error("{}", io_message(action, path, error))]
    Io {
        /// `read`, `write` or `create`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The system's error (in the message; not a `source()`, which an
        /// error chain would print a second time).
        error: std::io::Error,
    },
    /// The file is JSON of no format ValeChat imports, or not JSON at all.
    #[error("{}", unknown_format_message(path, detail))]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        detail: String,
    },
    /// The file is of a known format but not valid JSON from some point on
    /// (truncated, damaged). Conversations before that point that were
    /// whole are imported.
    #[error("{}", parse_message(path, expected, *position, detail, *imported_before))]
    Parse {
        /// The file.
        path: PathBuf,
        /// The format expected (`ChatGPT conversations.json`…).
        expected: String,
        /// Where parsing stopped.
        position: Position,
        /// The parser's message.
        detail: String,
        /// Conversations written before that point (each whole).
        imported_before: usize,
    },
    /// A ValeChat JSON export of a version this build does not read.
    #[error("{}", version_message(path, version))]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Its `version` field.
        version: String,
    },
    /// No conversation with that id (export).
    #[error("{}", no_conversation_message(*id))]
    NoConversation {
        /// The id asked for.
        id: i64,
    },
    /// The database failed as a whole (not one conversation's data).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The sentence of [`TransferError::Io`], one whole sentence per action
/// for translators.
fn io_message(action: &str, path: &std::path::Path, source: &std::io::Error) -> String {
    let args = [
        ("path", path.display().to_string()),
        ("error", source.to_string()),
    ];
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    match action {
        "read" => gettext_f("Cannot read {path}: {error}", &args),
        "create" => gettext_f("Cannot create {path}: {error}", &args),
        _ => gettext_f("Cannot write {path}: {error}", &args),
    }
}

// The sentences below are built in functions, not in the `#[error]`
// attributes: xgettext reads Rust as C, where a line starting with `#` is a
// preprocessor directive, so a string inside an attribute would never
// reach the translators.

/// The sentence of [`TransferError::UnknownFormat`].
fn unknown_format_message(path: &std::path::Path, detail: &str) -> String {
    gettext_f(
        "{path} is not a conversation export ValeChat can import: expected ValeChat JSON or the conversations.json of ChatGPT, Claude or Open WebUI ({detail})",
        &[("path", &path.display().to_string()), ("detail", detail)],
    )
}

/// The sentence of [`TransferError::Parse`].
fn parse_message(
    path: &std::path::Path,
    expected: &str,
    position: Position,
    detail: &str,
    imported_before: usize,
) -> String {
    gettext_f(
        "{path} is not a valid {format} file: parsing stopped at line {line}, column {column} (byte {byte}): {detail}. Conversations imported before that point: {imported}.",
        &[
            ("imported", &imported_before.to_string()),
            ("path", &path.display().to_string()),
            ("format", expected),
            ("line", &position.line.to_string()),
            ("column", &position.column.to_string()),
            ("byte", &position.byte.to_string()),
            ("detail", detail),
        ],
    )
}

/// The sentence of [`TransferError::UnsupportedVersion`].
fn version_message(path: &std::path::Path, version: &str) -> String {
    gettext_f(
        "{path} is a ValeChat export of version {version}, which this ValeChat cannot read: update ValeChat",
        &[("path", &path.display().to_string()), ("version", version)],
    )
}

/// The sentence of [`TransferError::NoConversation`].
fn no_conversation_message(id: i64) -> String {
    gettext_f("There is no conversation {id}", &[("id", &id.to_string())])
}
