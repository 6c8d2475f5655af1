//! Export and import of conversations (issue 14, part 4).
//!
//! Export writes the store's [`ArchivedConversation`]s as Markdown (one
//! readable file per conversation: its active path, with model and cost
//! per reply) or as ValeChat JSON (lossless: the whole tree, settings with
//! the sampling parameters and MCP servers, tool calls, attachments and
//! usage; `format` `"valechat-export"`, `version` 2, schema in
//! `data/schema/valechat-export-2.json`; version 1 files are still read).
//!
//! Import reads a file whose format it detects — ValeChat JSON, or the
//! `conversations.json` of ChatGPT, Claude.ai or Open WebUI — streaming the
//! top-level array one conversation at a time (memory does not grow with
//! the file), and writes each conversation in its own transaction: one
//! that fails is skipped whole and listed in the [`ImportSummary`]. A
//! conversation already imported (same source and source id) is not
//! written again.
//!
//! Files: `export/markdown`, `export/json`, `import` (the loop and the
//! summary), `import/stream` (the streaming parser), `import/detect`, one
//! file per source format (`import/chatgpt`, `import/claude`,
//! `import/open_webui`, `import/valechat`), `error`.
//!
//! [`ArchivedConversation`]: crate::model::archive::ArchivedConversation

mod error;
pub mod export;
pub mod import;

pub use error::{Position, TransferError};
pub use import::{Format, ImportProgress, ImportSummary, Skipped, import_file};
