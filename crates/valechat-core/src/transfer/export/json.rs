//! ValeChat JSON export, written one conversation at a time:
//! `{"format": "valechat-export", "version": 2, "exported_at": <UTC unix
//! ms>, "conversations": [<ArchivedConversation>…]}` — the keys in that
//! order, so an importer knows the format before the conversations. The
//! JSON Schema is `data/schema/valechat-export-2.json`. Version 2 added
//! each conversation's sampling parameters (`top_p`, `top_k`, `min_p`,
//! `repeat_penalty`, `seed`) and MCP servers (`mcp_servers`); files of
//! version 1 (`data/schema/valechat-export-1.json`) are still read, their
//! conversations with neither (the servers' defaults, every enabled
//! server).

use std::io::{self, Write};

use crate::model::archive::ArchivedConversation;

/// The `format` field's value.
pub const FORMAT: &str = "valechat-export";

/// The `version` this build writes.
pub const VERSION: u32 = 2;

/// The versions this build reads: 1 (no sampling parameters or MCP
/// servers) to [`VERSION`].
pub const READABLE_VERSIONS: std::ops::RangeInclusive<u32> = 1..=VERSION;

/// The `source` of conversations made in ValeChat, in an export (with
/// `source_id` `<created_at>-<id>`): importing the file twice keeps one.
pub const SOURCE: &str = crate::model::archive::VALECHAT_SOURCE;

/// Writes a ValeChat JSON export to `W`, conversation by conversation.
#[derive(Debug)]
pub struct JsonExportWriter<W: Write> {
    out: W,
    count: usize,
}

impl<W: Write> JsonExportWriter<W> {
    /// Starts the file: the header up to the conversations' `[`.
    /// `exported_at` is UTC unix milliseconds.
    ///
    /// # Errors
    /// The writer's.
    pub fn new(mut out: W, exported_at: i64) -> io::Result<Self> {
        write!(
            out,
            "{{\"format\":\"{FORMAT}\",\"version\":{VERSION},\"exported_at\":{exported_at},\"conversations\":["
        )?;
        Ok(Self { out, count: 0 })
    }

    /// Appends conversation `id` (its row id). One made here gets
    /// `source` [`SOURCE`] and `source_id` `<created_at>-<id>`.
    ///
    /// # Errors
    /// The writer's.
    pub fn write(&mut self, id: i64, mut c: ArchivedConversation) -> io::Result<()> {
        if c.source.is_none() {
            c.source = Some(SOURCE.to_owned());
            c.source_id = Some(format!("{}-{id}", c.created_at));
        }
        if self.count > 0 {
            self.out.write_all(b",")?;
        }
        self.out.write_all(b"\n")?;
        serde_json::to_writer(&mut self.out, &c)?;
        self.count += 1;
        Ok(())
    }

    /// Closes the array and the object, flushes, and gives the writer back.
    ///
    /// # Errors
    /// The writer's.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n]}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}
