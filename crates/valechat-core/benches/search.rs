//! `cargo bench -p valechat-core --bench search [-- MESSAGES]`: full-text
//! search over 1,000,000 generated messages (issue 14's benchmark; goal:
//! p95 ≤ 30 ms in a release build). Prints figures; asserts nothing.
//!
//! Setup (timed and printed, not part of the figures): a database file in a
//! temporary directory, migrated by [`Store::open`], then 1,000
//! conversations and MESSAGES messages (default 1,000,000) written in one
//! transaction with prepared multi-row inserts (the FTS5 triggers index
//! them as they go). Texts are 8–60 words drawn from a Zipf distribution
//! (s = 1) over a vocabulary of 50,000 made-up words, from a fixed seed, so
//! every run searches the same data: a few words occur in a large share of
//! messages, most in a handful.
//!
//! Timed: [`Store::search`] as the window and the CLI call it (first page
//! of 50 messages, no filter), end to end (connection pool, blocking task,
//! snippets, grouping), for 200 queries of each kind: one word, two words,
//! a prefix (the first three letters of a word). The words are drawn by the
//! same Zipf distribution, so common words, the expensive case, are asked
//! about as often as people type them. Prints p50, p95 and the maximum for
//! each kind, the same for a filtered search (one provider's model), and
//! for pages past the ranked matches: the page at offset
//! [`RANKED_MATCHES`] and the one after it (read from its `next`, by
//! keyset). The load average (`/proc/loadavg`) is printed before and after
//! the timings: the machine may be shared.
//!
//! `VALECHAT_BENCH_DB=PATH` keeps the generated database at PATH and
//! reuses it when it exists (opened, so migrated, by [`Store::open`]).

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use valechat_core::store::{RANKED_MATCHES, SearchFilter, SearchPage, Store};

/// Vocabulary size.
const WORDS: usize = 50_000;
/// Conversations the messages are spread over.
const CONVERSATIONS: i64 = 1_000;
/// Rows per multi-row insert.
const BATCH: usize = 100;
/// Queries timed per kind.
const QUERIES: usize = 200;
/// The page the window and the CLI ask for.
const PAGE: u32 = 50;

/// xorshift64*: small, seeded, good enough for made-up text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }

    /// Uniform in `[0, 1)`.
    #[allow(clippy::cast_precision_loss)]
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Made-up words from syllables: `"tavo"`, `"kelimu"`…
fn vocabulary() -> Vec<String> {
    const SYLLABLES: [&str; 24] = [
        "ta", "vo", "ke", "li", "mu", "ra", "so", "ne", "pi", "du", "ga", "lo", "ve", "ri", "sa",
        "to", "mi", "ku", "be", "na", "fe", "zo", "chi", "wa",
    ];
    let mut rng = Rng(0x5eed_0001);
    let mut seen = std::collections::HashSet::new();
    let mut words = Vec::with_capacity(WORDS);
    while words.len() < WORDS {
        let n = 2 + rng.below(3);
        let word: String = (0..n)
            .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
            .collect();
        if seen.insert(word.clone()) {
            words.push(word);
        }
    }
    words
}

/// Zipf (s = 1) sampler over ranks `0..WORDS`.
struct Zipf(Vec<f64>);

impl Zipf {
    #[allow(clippy::cast_precision_loss)]
    fn new() -> Self {
        let mut total = 0.0;
        let mut cumulative = Vec::with_capacity(WORDS);
        for rank in 1..=WORDS {
            total += 1.0 / rank as f64;
            cumulative.push(total);
        }
        Self(cumulative.into_iter().map(|c| c / total).collect())
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.0.partition_point(|&c| c < u).min(WORDS - 1)
    }
}

fn fill(path: &std::path::Path, messages: usize, words: &[String], zipf: &Zipf) {
    let mut conn = SqliteConnection::establish(&path.to_string_lossy()).expect("open database");
    diesel::sql_query("PRAGMA synchronous = OFF")
        .execute(&mut conn)
        .expect("pragma");
    let mut rng = Rng(0x5eed_0002);
    conn.immediate_transaction::<_, diesel::result::Error, _>(|conn| {
        diesel::sql_query(
            "INSERT INTO providers (id, name, kind, base_url, created_at, updated_at) \
             VALUES ('local', 'Local', 'openai_compatible', 'http://localhost:1/v1', 0, 0), \
                    ('cloud', 'Cloud', 'openai_compatible', 'http://localhost:2/v1', 0, 0)",
        )
        .execute(conn)?;
        for c in 1..=CONVERSATIONS {
            let provider = if c % 2 == 0 { "local" } else { "cloud" };
            diesel::sql_query(
                "INSERT INTO conversations (id, title, provider_id, model, created_at, updated_at) \
                 VALUES (?, ?, ?, 'm', 0, 0)",
            )
            .bind::<BigInt, _>(c)
            .bind::<Text, _>(format!("Conversation {c}"))
            .bind::<Text, _>(provider)
            .execute(conn)?;
        }
        let row = "(?, ?, ?, 'complete', ?, ?)";
        let sql = format!(
            "INSERT INTO messages (conversation_id, role, content, status, created_at, updated_at) VALUES {}",
            vec![row; BATCH].join(", ")
        );
        let mut written = 0;
        while written < messages {
            let mut query = diesel::sql_query(&sql).into_boxed::<diesel::sqlite::Sqlite>();
            for i in 0..BATCH {
                let n = written + i;
                let length = 8 + rng.below(53);
                let text: Vec<&str> = (0..length).map(|_| words[zipf.sample(&mut rng)].as_str()).collect();
                let at = 1_700_000_000_000_i64 + i64::try_from(n).unwrap_or(0) * 1_000;
                query = query
                    .bind::<BigInt, _>(1 + i64::try_from(n).unwrap_or(0) % CONVERSATIONS)
                    .bind::<Text, _>(if n % 2 == 0 { "user" } else { "assistant" })
                    .bind::<Text, _>(text.join(" "))
                    .bind::<BigInt, _>(at)
                    .bind::<BigInt, _>(at);
            }
            query.execute(conn)?;
            written += BATCH;
        }
        Ok(())
    })
    .expect("generate messages");
    diesel::sql_query("INSERT INTO messages_fts (messages_fts) VALUES ('optimize')")
        .execute(&mut conn)
        .expect("optimize the index");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

/// The database to search: generated (in `dir`, or at `VALECHAT_BENCH_DB`
/// when that file does not exist yet) or reused, then opened.
fn open_database(
    runtime: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    words: &[String],
    zipf: &Zipf,
) -> Store {
    let messages: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let kept = std::env::var_os("VALECHAT_BENCH_DB").map(std::path::PathBuf::from);
    let path = kept.clone().unwrap_or_else(|| dir.join("valechat.db"));
    if kept.as_ref().is_some_and(|p| p.exists()) {
        println!("reusing {}", path.display());
    } else {
        runtime
            .block_on(Store::open(&path))
            .expect("create the database");
        let started = Instant::now();
        fill(&path, messages, words, zipf);
        let size = std::fs::metadata(&path).map_or(0, |m| m.len()) >> 20;
        println!(
            "generated {messages} messages in {:.1} s ({size} MiB)",
            started.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    let store = runtime
        .block_on(Store::open(&path))
        .expect("open the database");
    println!(
        "opened (and migrated) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    store
}

/// The queries of each kind, drawn from a fixed seed (the first four
/// kinds as before pages past the ranked ones were measured, so that
/// their figures compare).
fn kinds(words: &[String], zipf: &Zipf) -> Vec<(&'static str, Vec<String>, SearchFilter)> {
    let mut rng = Rng(0x5eed_0003);
    let mut word = |_| words[zipf.sample(&mut rng)].clone();
    let one: Vec<String> = (0..QUERIES).map(&mut word).collect();
    let two: Vec<String> = (0..QUERIES)
        .map(|i| format!("{} {}", word(i), word(i)))
        .collect();
    let prefix: Vec<String> = (0..QUERIES)
        .map(|i| word(i).chars().take(3).collect())
        .collect();
    let provider: Vec<String> = (0..QUERIES).map(&mut word).collect();
    let past: Vec<String> = (0..QUERIES).map(&mut word).collect();
    let keyset: Vec<String> = (0..QUERIES).map(&mut word).collect();
    vec![
        ("one word", one, SearchFilter::default()),
        ("two words", two, SearchFilter::default()),
        ("prefix (3 letters)", prefix, SearchFilter::default()),
        (
            "one word, one provider",
            provider,
            SearchFilter {
                provider_id: Some("local".into()),
                ..SearchFilter::default()
            },
        ),
        ("one word, past ranked", past, SearchFilter::default()),
        ("one word, keyset page", keyset, SearchFilter::default()),
    ]
}

/// Times `queries` of `kind` and prints p50, p95, the maximum and the
/// mean number of messages found per query timed.
fn time_kind(
    runtime: &tokio::runtime::Runtime,
    store: &Store,
    kind: &str,
    queries: &[String],
    filter: &SearchFilter,
) {
    let mut times = Vec::with_capacity(queries.len());
    let mut hits = 0;
    for q in queries {
        let page = match kind {
            "one word, past ranked" => SearchPage::at(RANKED_MATCHES),
            "one word, keyset page" => {
                // The page after the one at RANKED_MATCHES (not timed);
                // queries with fewer matches are left out.
                let before = runtime
                    .block_on(store.search(q, filter, SearchPage::at(RANKED_MATCHES), PAGE))
                    .expect("search");
                match before.next {
                    Some(next) => next,
                    None => continue,
                }
            }
            _ => SearchPage::FIRST,
        };
        let start = Instant::now();
        let results = runtime
            .block_on(store.search(q, filter, page, PAGE))
            .expect("search");
        times.push(start.elapsed());
        hits += results.count;
    }
    if times.is_empty() {
        println!("{kind:<24} (no query had that many matches)");
        return;
    }
    times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    #[allow(clippy::cast_precision_loss)]
    let mean_hits = hits as f64 / times.len() as f64;
    println!(
        "{kind:<24} {:>9.2} {:>9.2} {:>9.2} {:>12.1} {:>8}",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(times[times.len() - 1]),
        mean_hits,
        times.len()
    );
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let words = vocabulary();
    let zipf = Zipf::new();
    let store = open_database(&runtime, dir.path(), &words, &zipf);
    println!("load average before: {}", load_average());
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>12} {:>8}",
        "query", "p50 ms", "p95 ms", "max ms", "mean hits", "queries"
    );
    for (kind, queries, filter) in kinds(&words, &zipf) {
        time_kind(&runtime, &store, kind, &queries, &filter);
    }
    println!("load average after: {}", load_average());
}

/// The first three fields of `/proc/loadavg` (1, 5 and 15 minutes).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}
