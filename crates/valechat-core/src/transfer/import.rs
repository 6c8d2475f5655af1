//! Importing a file: detects its format, streams its conversations
//! (the `stream` module), converts each with its format's module and writes it in
//! its own transaction, and sums up what happened ([`ImportSummary`]).

mod chatgpt;
mod claude;
mod detect;
mod open_webui;
mod stream;
mod summary;
mod text;
mod valechat;

use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tokio::sync::mpsc;

pub use detect::Format;
pub use summary::{ImportSummary, Skipped};

use super::TransferError;
use super::error::Position;
use crate::model::archive::ArchivedConversation;
use crate::store::{ImportOutcome, Store, StoreError};
use stream::Item;

/// Conversations parsed ahead of the database: the channel's bound, which
/// keeps memory to a few conversations whatever the file's size.
const AHEAD: usize = 4;

/// How far an import is, reported after each conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    /// Conversations handled (imported, already there or skipped).
    pub conversations: usize,
    /// Bytes of the file read.
    pub bytes_read: u64,
    /// The file's size in bytes.
    pub total_bytes: u64,
}

/// Imports the conversations in the file at `path`, calling `progress`
/// after each one.
///
/// Conversations written before a parse error stay written (each is
/// whole); importing the file again skips them.
///
/// # Errors
/// [`TransferError::Io`] when the file cannot be opened,
/// [`TransferError::UnknownFormat`] for a file of no known format,
/// [`TransferError::Parse`] for a truncated or damaged one,
/// [`TransferError::UnsupportedVersion`], [`TransferError::Store`] when the
/// database fails as a whole (a full disk, no connection).
pub async fn import_file(
    store: &Store,
    path: &Path,
    mut progress: impl FnMut(ImportProgress),
) -> Result<ImportSummary, TransferError> {
    let file = std::fs::File::open(path).map_err(|error| TransferError::Io {
        action: "read",
        path: path.to_owned(),
        error,
    })?;
    let total_bytes = file.metadata().map_or(0, |m| m.len());
    let (sender, mut items) = mpsc::channel(AHEAD);
    let parser = tokio::task::spawn_blocking(move || {
        stream::parse(BufReader::with_capacity(1 << 16, file), &sender)
    });
    let mut run = Run {
        store,
        path,
        array: None,
        format: None,
        summary: ImportSummary::default(),
    };
    let mut stopped = None;
    while let Some(item) = items.recv().await {
        if let Err(error) = run.handle(item, total_bytes, &mut progress).await {
            stopped = Some(error);
            break;
        }
    }
    drop(items);
    let parsed = parser.await.map_err(StoreError::from)?;
    if let Some(error) = stopped {
        return Err(error);
    }
    match parsed {
        Ok(()) if run.array == Some(false) && run.format.is_none() => {
            Err(run.unknown("the object has no \"format\" field".to_owned()))
        }
        Ok(()) => Ok(run.summary),
        Err(failure) => {
            let detail = failure.error.to_string();
            let position = Position {
                line: failure.error.line(),
                column: failure.error.column(),
                byte: failure.byte,
            };
            match run.format {
                Some(format) => Err(TransferError::Parse {
                    path: path.to_owned(),
                    expected: format.name(),
                    position,
                    detail,
                    imported_before: run.summary.conversations,
                }),
                None if run.array.is_some() && failure.error.is_eof() => {
                    Err(TransferError::Parse {
                        path: path.to_owned(),
                        expected: sniff(path).map_or_else(gettext_expected, Format::name),
                        position,
                        detail,
                        imported_before: 0,
                    })
                }
                None => Err(run.unknown(detail)),
            }
        }
    }
}

/// The format of a file cut inside its first conversation, guessed from
/// the field names in its first 64 KiB.
fn sniff(path: &Path) -> Option<Format> {
    use std::io::Read as _;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(1 << 16).read_to_end(&mut head))
        .ok()?;
    let head = String::from_utf8_lossy(&head);
    [
        ("\"mapping\"", Format::ChatGpt),
        ("\"chat_messages\"", Format::Claude),
        ("\"history\"", Format::OpenWebUi),
    ]
    .into_iter()
    .find(|(field, _)| head.contains(field))
    .map(|(_, format)| format)
}

/// The formats named together, for a file cut before its first conversation.
fn gettext_expected() -> String {
    crate::i18n::gettext_f("JSON conversation export", &[])
}

/// One import's state.
struct Run<'a> {
    store: &'a Store,
    path: &'a Path,
    /// The top level: `Some(true)` an array, `Some(false)` an object.
    array: Option<bool>,
    /// The format, once known.
    format: Option<Format>,
    summary: ImportSummary,
}

impl Run<'_> {
    fn unknown(&self, detail: String) -> TransferError {
        TransferError::UnknownFormat {
            path: PathBuf::from(self.path),
            detail,
        }
    }

    /// Handles one parsed item; an error ends the import.
    async fn handle(
        &mut self,
        item: Item,
        total_bytes: u64,
        progress: &mut impl FnMut(ImportProgress),
    ) -> Result<(), TransferError> {
        match item {
            Item::Start { array } => self.array = Some(array),
            Item::Field { name, value } => self.field(&name, &value)?,
            Item::Conversation { value, bytes } => {
                let format = match self.format {
                    Some(format) => format,
                    None if self.array == Some(false) => {
                        return Err(self.unknown(
                            "\"conversations\" comes before a \"format\" field".to_owned(),
                        ));
                    }
                    None => {
                        let format = Format::of_element(&value).ok_or_else(|| {
                            self.unknown(
                                "its first element has no \"mapping\", \"chat_messages\" or \"chat.history\""
                                    .to_owned(),
                            )
                        })?;
                        self.summary.format = Some(format);
                        *self.format.insert(format)
                    }
                };
                self.conversation(format, value).await?;
                let s = &self.summary;
                progress(ImportProgress {
                    conversations: s.conversations
                        + s.already_imported
                        + s.already_here
                        + s.skipped.len(),
                    bytes_read: bytes,
                    total_bytes,
                });
            }
        }
        Ok(())
    }

    /// Checks the object form's `format` and `version`.
    fn field(&mut self, name: &str, value: &Value) -> Result<(), TransferError> {
        match name {
            "format" if value.as_str() == Some(super::export::json::FORMAT) => {
                self.format = Some(Format::ValeChat);
                self.summary.format = Some(Format::ValeChat);
                Ok(())
            }
            "format" => Err(self.unknown(format!("\"format\" is {value}"))),
            _ if value
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .is_some_and(|v| super::export::json::READABLE_VERSIONS.contains(&v)) =>
            {
                Ok(())
            }
            _ => Err(TransferError::UnsupportedVersion {
                path: self.path.to_owned(),
                version: value.to_string(),
            }),
        }
    }

    /// Converts and writes one conversation, or lists it as skipped.
    async fn conversation(&mut self, format: Format, value: Value) -> Result<(), TransferError> {
        let name = name_of(&value);
        let converted = match format {
            Format::ValeChat => valechat::convert(value),
            Format::ChatGpt => chatgpt::convert(value),
            Format::Claude => claude::convert(value),
            Format::OpenWebUi => open_webui::convert(value),
        };
        let conversation: ArchivedConversation = match converted {
            Ok(c) => c,
            Err(reason) => {
                self.summary.skipped.push(Skipped { name, reason });
                return Ok(());
            }
        };
        let archived = conversation.archived.then(|| conversation.title.clone());
        match self.store.import_conversation(conversation).await {
            Ok(ImportOutcome::Imported {
                messages,
                usage_records,
                ..
            }) => {
                self.summary.conversations += 1;
                self.summary.messages += messages;
                self.summary.usage_records += usage_records;
                self.summary.archived.extend(archived);
            }
            Ok(ImportOutcome::AlreadyImported { .. }) => self.summary.already_imported += 1,
            Ok(ImportOutcome::AlreadyHere { .. }) => self.summary.already_here += 1,
            Err(
                error @ (StoreError::Pool(_)
                | StoreError::DiskFull { .. }
                | StoreError::Join(_)
                | StoreError::Open { .. }
                | StoreError::Io { .. }),
            ) => return Err(error.into()),
            Err(error) => self.summary.skipped.push(Skipped {
                name,
                reason: error.to_string(),
            }),
        }
        Ok(())
    }
}

/// A conversation's title, or its id, for the list of skipped ones.
fn name_of(value: &Value) -> String {
    ["title", "name"]
        .iter()
        .find_map(|k| value.get(k).and_then(Value::as_str))
        .filter(|t| !t.trim().is_empty())
        .or_else(|| {
            ["conversation_id", "id", "uuid", "source_id"]
                .iter()
                .find_map(|k| value.get(k).and_then(Value::as_str))
        })
        .unwrap_or("?")
        .to_owned()
}
