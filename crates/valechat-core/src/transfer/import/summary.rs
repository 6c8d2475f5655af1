//! [`ImportSummary`]: what an import did, and the sentences that say it.

use crate::format::format_count;
use crate::i18n::{gettext_f, ngettext_f};

use super::Format;

/// A conversation that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Its title, or its id in the source when it has none.
    pub name: String,
    /// Why (the parser's or the database's message).
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// The format detected (`None` for an empty array).
    pub format: Option<Format>,
    /// Conversations written.
    pub conversations: usize,
    /// Messages written, every branch counted.
    pub messages: usize,
    /// Usage records written (ValeChat JSON only).
    pub usage_records: usize,
    /// Conversations left alone because an earlier import wrote them.
    pub already_imported: usize,
    /// Conversations left alone because they were exported from this
    /// database and are still in it (a ValeChat JSON export imported back).
    pub already_here: usize,
    /// Titles of conversations the source had archived; they are imported
    /// archived.
    pub archived: Vec<String>,
    /// Conversations not imported, in file order.
    pub skipped: Vec<Skipped>,
}

/// Converts a count for the plural rules (saturating).
fn n32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A count with the locale's grouping.
fn count(n: usize) -> String {
    format_count(u64::try_from(n).unwrap_or(u64::MAX))
}

impl ImportSummary {
    /// The first line: `412 conversations, 9,133 messages imported; 2
    /// skipped:` (the colon only when some were skipped).
    #[must_use]
    pub fn headline(&self) -> String {
        let conversations = ngettext_f(
            "{count} conversation",
            "{count} conversations",
            n32(self.conversations),
            &[("count", &count(self.conversations))],
        );
        let messages = ngettext_f(
            "{count} message",
            "{count} messages",
            n32(self.messages),
            &[("count", &count(self.messages))],
        );
        let imported = gettext_f(
            "{conversations}, {messages} imported",
            &[("conversations", &conversations), ("messages", &messages)],
        );
        if self.skipped.is_empty() {
            return imported;
        }
        ngettext_f(
            "{imported}; {count} skipped:",
            "{imported}; {count} skipped:",
            n32(self.skipped.len()),
            &[
                ("imported", &imported),
                ("count", &count(self.skipped.len())),
            ],
        )
    }

    /// The lines after the headline: one per skipped conversation, then
    /// the conversations imported before and those archived at the source.
    #[must_use]
    pub fn details(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .skipped
            .iter()
            .map(|s| {
                gettext_f(
                    "“{name}”: {reason}",
                    &[("name", &s.name), ("reason", &s.reason)],
                )
            })
            .collect();
        if self.already_imported > 0 {
            lines.push(ngettext_f(
                "{count} conversation was imported before and left as it is.",
                "{count} conversations were imported before and left as they are.",
                n32(self.already_imported),
                &[("count", &count(self.already_imported))],
            ));
        }
        if self.already_here > 0 {
            lines.push(ngettext_f(
                "{count} conversation is already in this database and was left as it is.",
                "{count} conversations are already in this database and were left as they are.",
                n32(self.already_here),
                &[("count", &count(self.already_here))],
            ));
        }
        if self.usage_records > 0 {
            lines.push(ngettext_f(
                "{count} usage record restored.",
                "{count} usage records restored.",
                n32(self.usage_records),
                &[("count", &count(self.usage_records))],
            ));
        }
        if !self.archived.is_empty() {
            lines.push(ngettext_f(
                "{count} conversation was archived in the source and is archived here too.",
                "{count} conversations were archived in the source and are archived here too.",
                n32(self.archived.len()),
                &[("count", &count(self.archived.len()))],
            ));
        }
        lines
    }
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.headline())?;
        for line in self.details() {
            write!(f, "\n  {line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{ImportSummary, Skipped};

    #[test]
    fn the_headline_counts_and_lists_the_skipped() {
        let mut summary = ImportSummary {
            conversations: 412,
            messages: 9133,
            ..ImportSummary::default()
        };
        assert_eq!(
            summary.headline(),
            "412 conversations, 9,133 messages imported"
        );
        summary.skipped.push(Skipped {
            name: "Broken".into(),
            reason: "no mapping".into(),
        });
        summary.skipped.push(Skipped {
            name: "Other".into(),
            reason: "bad".into(),
        });
        assert_eq!(
            summary.to_string(),
            "412 conversations, 9,133 messages imported; 2 skipped:\n  “Broken”: no mapping\n  “Other”: bad"
        );
    }
}
