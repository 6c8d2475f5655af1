//! `cargo bench -p valechat-core --bench documents [-- CHUNKS]`: knowledge
//! libraries (issue 17), BM25 only (no embeddings). Prints figures;
//! asserts nothing.
//!
//! 1. Indexing: 200 generated Markdown files (about 12 KB each, headed
//!    sections of sentences drawn from a Zipf distribution over 50,000
//!    made-up words, fixed seed) indexed into a fresh library by
//!    `documents::index::index_path` — extraction, chunking (`o200k_base`
//!    token counts) and the store with its FTS5 triggers — then the same
//!    files extracted and chunked without the store: files and chunks per
//!    second for each.
//! 2. Size and queries: CHUNKS chunks (default 100,000) of 60–180 such
//!    words written through `Store::write_document` (1,000 documents), the
//!    database checkpointed, its size per 1,000 chunks printed; then 200
//!    queries of 3–8 words (same distribution, so common words are asked
//!    about as often as they occur) through `documents::retrieve::retrieve`
//!    (top 5, end to end: pool, blocking task, BM25): p50, p95 and maximum.
//!
//! The load average (`/proc/loadavg`) is printed before and after: the
//! machine may be shared.

use std::fmt::Write as _;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use valechat_core::documents::chunk::chunk;
use valechat_core::documents::extract_file;
use valechat_core::documents::index::index_path;
use valechat_core::documents::retrieve::{RetrieveOptions, retrieve};
use valechat_core::store::{DocumentState, NewChunk, NewDocument, Store};

/// Vocabulary size.
const WORDS: usize = 50_000;
/// Files indexed in part 1.
const FILES: usize = 200;
/// Documents the chunks of part 2 are spread over.
const DOCUMENTS: usize = 1_000;
/// Queries timed.
const QUERIES: usize = 200;

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

/// Made-up words from syllables.
fn vocabulary() -> Vec<String> {
    const SYLLABLES: [&str; 24] = [
        "ta", "vo", "ke", "li", "mu", "ra", "so", "ne", "pi", "du", "ga", "lo", "ve", "ri", "sa",
        "to", "mi", "ku", "be", "na", "fe", "zo", "chi", "wa",
    ];
    let mut rng = Rng(0x5eed_0017);
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

/// Generated text.
struct Text {
    words: Vec<String>,
    zipf: Zipf,
    rng: Rng,
}

impl Text {
    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| self.words[self.zipf.sample(&mut self.rng)].as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A Markdown file of about 12 KB: sections of sentences.
    fn markdown(&mut self) -> String {
        let mut out = format!("# {}\n", self.words(3));
        while out.len() < 12_000 {
            let heading = self.words(2);
            let _ = write!(out, "\n## {heading}\n\n");
            for _ in 0..3 {
                for _ in 0..(3 + self.rng.below(4)) {
                    let n = 6 + self.rng.below(14);
                    out.push_str(&self.words(n));
                    out.push_str(". ");
                }
                out.push_str("\n\n");
            }
        }
        out
    }
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
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

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[allow(clippy::cast_precision_loss)]
fn per_second(n: usize, d: Duration) -> String {
    format!("{:.0}", n as f64 / d.as_secs_f64())
}

/// Part 1: indexing throughput.
fn indexing(runtime: &tokio::runtime::Runtime, dir: &Path, text: &mut Text) {
    let files_dir = dir.join("files");
    std::fs::create_dir(&files_dir).expect("files dir");
    let mut paths: Vec<PathBuf> = Vec::with_capacity(FILES);
    for i in 0..FILES {
        let path = files_dir.join(format!("file-{i:03}.md"));
        std::fs::write(&path, text.markdown()).expect("write file");
        paths.push(path);
    }
    let store = runtime
        .block_on(Store::open(&dir.join("index.db")))
        .expect("open");
    let library = runtime
        .block_on(store.create_library("Bench"))
        .expect("library");
    let start = Instant::now();
    runtime
        .block_on(index_path(&store, &library, &files_dir, |_| {
            ControlFlow::Continue(())
        }))
        .expect("index");
    let elapsed = start.elapsed();
    let stats = runtime
        .block_on(store.library_stats(library.id))
        .expect("stats");
    let chunks = usize::try_from(stats.chunks).unwrap_or(0);
    println!(
        "indexing {FILES} Markdown files ({} chunks): {:.2} s, {} files/s, {} chunks/s (extraction + chunking + store)",
        chunks,
        elapsed.as_secs_f64(),
        per_second(FILES, elapsed),
        per_second(chunks, elapsed)
    );
    let start = Instant::now();
    let mut counted = 0;
    for path in &paths {
        counted += chunk(&extract_file(path).expect("extract")).len();
    }
    let elapsed = start.elapsed();
    println!(
        "  of which extraction + chunking alone: {:.2} s, {} chunks/s",
        elapsed.as_secs_f64(),
        per_second(counted, elapsed)
    );
}

/// Part 2: database size and query latency over `chunks` chunks.
fn queries(runtime: &tokio::runtime::Runtime, dir: &Path, text: &mut Text, chunks: usize) {
    let path = dir.join("chunks.db");
    let store = runtime.block_on(Store::open(&path)).expect("open");
    let library = runtime
        .block_on(store.create_library("Big"))
        .expect("library");
    let source = runtime
        .block_on(store.add_library_source(library.id, dir))
        .expect("source");
    let per_document = chunks.div_ceil(DOCUMENTS);
    let start = Instant::now();
    let mut written = 0;
    for d in 0..DOCUMENTS {
        let count = per_document.min(chunks - written);
        if count == 0 {
            break;
        }
        let new_chunks: Vec<NewChunk> = (0..count)
            .map(|i| {
                let n = 60 + text.rng.below(121);
                let ordinal = u32::try_from(i).unwrap_or(u32::MAX);
                NewChunk {
                    ordinal,
                    text: text.words(n),
                    page: None,
                    first_line: ordinal * 10 + 1,
                    last_line: ordinal * 10 + 10,
                    token_count: u32::try_from(n * 2).unwrap_or(u32::MAX),
                }
            })
            .collect();
        written += count;
        runtime
            .block_on(store.write_document(NewDocument {
                library_id: library.id,
                source_id: source.id,
                path: dir.join(format!("doc-{d:04}.md")),
                format: Some("markdown".into()),
                size_bytes: 0,
                modified_at: 0,
                sha256: None,
                state: DocumentState::Indexed,
                chunks: new_chunks,
            }))
            .expect("write document");
    }
    let fill = start.elapsed();
    drop(store);
    let mut conn =
        SqliteConnection::establish(&path.to_string_lossy()).expect("open for checkpoint");
    diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .expect("checkpoint");
    drop(conn);
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    #[allow(clippy::cast_precision_loss, reason = "sizes shown to one decimal")]
    let (megabytes, per_thousand) = (size as f64 / 1e6, size as f64 / (written as f64 / 1000.0));
    println!(
        "{written} chunks written in {:.1} s ({} chunks/s through Store::write_document); database {:.1} MB, {:.0} KB per 1,000 chunks (text, rows and FTS5 index)",
        fill.as_secs_f64(),
        per_second(written, fill),
        megabytes,
        per_thousand / 1e3
    );
    let store = runtime.block_on(Store::open(&path)).expect("reopen");
    let mut times = Vec::with_capacity(QUERIES);
    let options = RetrieveOptions {
        top_k: 5,
        token_budget: None,
    };
    for _ in 0..QUERIES {
        let n = 3 + text.rng.below(6);
        let query = text.words(n);
        let start = Instant::now();
        let hits = runtime
            .block_on(retrieve(&store, library.id, &query, options))
            .expect("retrieve");
        times.push(start.elapsed());
        std::hint::black_box(hits);
    }
    times.sort();
    println!(
        "retrieve (top 5, {QUERIES} queries of 3-8 words) over {written} chunks: p50 {}, p95 {}, max {}",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95)),
        ms(*times.last().unwrap_or(&Duration::ZERO))
    );
}

fn main() {
    let chunks: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = Text {
        words: vocabulary(),
        zipf: Zipf::new(),
        rng: Rng(0x5eed_0018),
    };
    println!("load average before: {}", load());
    indexing(&runtime, dir.path(), &mut text);
    queries(&runtime, dir.path(), &mut text, chunks);
    println!("load average after: {}", load());
}
