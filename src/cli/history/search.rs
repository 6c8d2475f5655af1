//! `valechat history search QUERY [--model P/M] [--since D] [--until D]
//! [--folder NAME|--no-folder] [--archived include|exclude|only]
//! [--offset N] [--limit N] [--format text|json]`: messages found by the
//! store's full-text search ([`Store::search`]), grouped by conversation,
//! each with its snippet (the match in bold on a terminal).

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::bail;
use chrono::{Local, NaiveDate};
use clap::{Args, ValueEnum};

use super::format_local;
use valechat_core::ledger::period::day_period;
use valechat_core::store::{
    ArchivedScope, FolderScope, SNIPPET_MATCH_END, SNIPPET_MATCH_START, SearchFilter, SearchPage,
    SearchResults, Store,
};

/// Arguments of `history search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to find (all of them; the last one also as the start of a
    /// word). Quotes, `*`, `-` and `NEAR` are searched as plain text.
    pub query: String,
    /// Only messages of this model, PROVIDER/MODEL (split at the first
    /// `/`), or of any model of PROVIDER. A message of yours counts under
    /// its conversation's model.
    #[arg(long, value_name = "PROVIDER/MODEL")]
    pub model: Option<String>,
    /// First local day, YYYY-MM-DD.
    #[arg(long)]
    pub since: Option<NaiveDate>,
    /// Last local day, included, YYYY-MM-DD.
    #[arg(long)]
    pub until: Option<NaiveDate>,
    /// Only conversations filed in this folder (see `folders list`).
    #[arg(long, value_name = "NAME", conflicts_with = "no_folder")]
    pub folder: Option<String>,
    /// Only conversations in no folder.
    #[arg(long)]
    pub no_folder: bool,
    /// Archived conversations: searched with the others (the default),
    /// left out, or searched alone.
    #[arg(long, value_enum, default_value_t = Archived::Include)]
    pub archived: Archived,
    /// Skip this many messages (the next page).
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
    /// Most messages to print.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `--archived`: whether archived conversations are searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Archived {
    /// Archived conversations and the others.
    Include,
    /// Leave archived conversations out.
    Exclude,
    /// Only archived conversations.
    Only,
}

/// Output format of `history search`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Conversations as headings, one line per message and its snippet.
    Text,
    /// One JSON object (times as RFC 3339 UTC; the snippet as plain text,
    /// the matched words listed).
    Json,
}

/// Runs `history search`.
pub async fn run(store: &Store, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let mut filter = filter(&args)?;
    if let Some(name) = &args.folder {
        let Some(folder) = store.folder_named(name).await? else {
            bail!(
                "no folder is named “{}” (see `valechat folders list`)",
                name.trim()
            );
        };
        filter.folder = FolderScope::In(folder.id);
    }
    let results = store
        .search(
            &args.query,
            &filter,
            SearchPage::at(args.offset),
            args.limit,
        )
        .await?;
    match args.format {
        Format::Json => println!("{}", to_json(&args, &results)),
        Format::Text => print!("{}", to_text(&args, &results, bold_allowed())),
    }
    Ok(ExitCode::SUCCESS)
}

/// The store's filter from the arguments.
fn filter(args: &SearchArgs) -> anyhow::Result<SearchFilter> {
    let (provider_id, model) = match args.model.as_deref() {
        None => (None, None),
        Some(text) => match text.split_once('/') {
            Some((p, m)) if !p.is_empty() && !m.is_empty() => {
                (Some(p.to_owned()), Some(m.to_owned()))
            }
            None if !text.is_empty() => (Some(text.to_owned()), None),
            _ => bail!("--model {text:?} is not PROVIDER/MODEL (or PROVIDER)"),
        },
    };
    if let (Some(since), Some(until)) = (args.since, args.until)
        && since > until
    {
        bail!("--since {since} is after --until {until}");
    }
    Ok(SearchFilter {
        provider_id,
        model,
        since: args
            .since
            .map(|d| day_period(d, &Local).map(|p| p.start_ms))
            .transpose()?,
        until: args
            .until
            .map(|d| day_period(d, &Local).map(|p| p.end_ms))
            .transpose()?,
        // `--folder NAME` is looked up in the store by `run`.
        folder: if args.no_folder {
            FolderScope::None
        } else {
            FolderScope::Any
        },
        archived: match args.archived {
            Archived::Include => ArchivedScope::Include,
            Archived::Exclude => ArchivedScope::Exclude,
            Archived::Only => ArchivedScope::Only,
        },
    })
}

/// Whether to print bold: standard output is a terminal and `NO_COLOR`
/// (<https://no-color.org>) is not set.
fn bold_allowed() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A snippet for the terminal: matches in bold (SGR 1 … 22), or as plain
/// text; line breaks become spaces.
fn terminal_snippet(snippet: &str, bold: bool) -> String {
    let (start, end) = if bold {
        ("\x1b[1m", "\x1b[22m")
    } else {
        ("", "")
    };
    snippet
        .replace(SNIPPET_MATCH_START, start)
        .replace(SNIPPET_MATCH_END, end)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn to_text(args: &SearchArgs, results: &SearchResults, bold: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if results.count == 0 {
        let _ = writeln!(out, "No messages match {:?}.", args.query);
        return out;
    }
    for (i, c) in results.conversations.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "# {} (conversation {})", c.title, c.conversation_id);
        for m in &c.messages {
            let model = match (&m.provider_id, &m.model) {
                (Some(p), Some(model)) => format!("{p}/{model}"),
                (Some(p), None) => p.clone(),
                _ => "-".to_owned(),
            };
            let _ = writeln!(
                out,
                "  message {}\t{}\t{model}\t{}",
                m.message_id,
                m.role.as_str(),
                format_local(m.created_at)
            );
            let _ = writeln!(out, "    {}", terminal_snippet(&m.snippet, bold));
        }
    }
    if results.more {
        let _ = writeln!(
            out,
            "\nMore messages match: add --offset {}.",
            u64::from(args.offset) + results.count as u64
        );
    }
    out
}

/// The words a snippet marks as matches, in order.
fn matched(snippet: &str) -> Vec<&str> {
    snippet
        .split(SNIPPET_MATCH_START)
        .skip(1)
        .filter_map(|part| part.split_once(SNIPPET_MATCH_END).map(|(word, _)| word))
        .collect()
}

fn to_json(args: &SearchArgs, results: &SearchResults) -> serde_json::Value {
    let rfc3339 = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    };
    serde_json::json!({
        "query": args.query,
        "offset": args.offset,
        "count": results.count,
        "more": results.more,
        "conversations": results.conversations.iter().map(|c| serde_json::json!({
            "id": c.conversation_id,
            "title": c.title,
            "messages": c.messages.iter().map(|m| serde_json::json!({
                "id": m.message_id,
                "role": m.role.as_str(),
                "provider": m.provider_id,
                "model": m.model,
                "created_at": rfc3339(m.created_at),
                "snippet": terminal_snippet(&m.snippet, false),
                "matched": matched(&m.snippet),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_show_matches_in_bold_or_plain() {
        let s = format!("…the {SNIPPET_MATCH_START}glacier{SNIPPET_MATCH_END}\nwalks");
        assert_eq!(terminal_snippet(&s, false), "…the glacier walks");
        assert_eq!(
            terminal_snippet(&s, true),
            "…the \x1b[1mglacier\x1b[22m walks"
        );
        assert_eq!(matched(&s), ["glacier"]);
    }
}
