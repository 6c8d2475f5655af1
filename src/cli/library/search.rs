//! `valechat library search NAME QUERY [--top K] [--format text|json]`:
//! the best passages of a library for free text, by BM25.

use clap::{Args, ValueEnum};
use gettextrs::gettext;

use valechat_core::documents::retrieve::{DEFAULT_TOP_K, Hit, RetrieveOptions, retrieve};
use valechat_core::store::{Library, Store};

use crate::i18n::gettext_f;

/// Characters of a passage shown in text output.
const SHOWN_CHARS: usize = 300;

/// Arguments of `library search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The library's name.
    pub name: String,
    /// What to look for, in your own words (quotes, `*`, `-` and `NEAR`
    /// are plain text).
    pub query: String,
    /// How many passages.
    #[arg(long, default_value_t = DEFAULT_TOP_K, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub top: u32,
    /// Most tokens (o200k_base) of the passages together.
    #[arg(long)]
    pub budget: Option<u32>,
    /// `text` for people, `json` for programs (every hit with its rank,
    /// score, path, chunk id, ordinal, page, lines, tokens and text).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Numbered passages.
    Text,
    /// A JSON array of hits.
    Json,
}

/// Searches `library` and prints the hits.
pub async fn run(store: &Store, library: &Library, args: &SearchArgs) -> anyhow::Result<()> {
    let options = RetrieveOptions {
        top_k: args.top,
        token_budget: args.budget,
    };
    let hits = retrieve(store, library.id, &args.query, options).await?;
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
        return Ok(());
    }
    if hits.is_empty() {
        println!("{}", gettext("Nothing found."));
    }
    for hit in &hits {
        println!("{}. {} ({})", hit.rank, place(hit), score(hit));
        let text: String = hit.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let shown: String = text.chars().take(SHOWN_CHARS).collect();
        let more = if shown.len() < text.len() { "…" } else { "" };
        println!("   {shown}{more}");
    }
    Ok(())
}

/// `PATH, page N` or `PATH, lines A–B`.
fn place(hit: &Hit) -> String {
    let path = hit.path.display().to_string();
    match hit.page {
        Some(page) => gettext_f(
            "{path}, page {page}",
            &[("path", &path), ("page", &page.to_string())],
        ),
        None => gettext_f(
            "{path}, lines {first}–{last}",
            &[
                ("path", &path),
                ("first", &hit.first_line.to_string()),
                ("last", &hit.last_line.to_string()),
            ],
        ),
    }
}

fn score(hit: &Hit) -> String {
    gettext_f("score {score}", &[("score", &format!("{:.2}", hit.score))])
}
