//! The bounded fuzz run: every target on every file of its committed corpus
//! (`fuzz/corpus/<target>/`, seeds and the inputs of fixed crashes), then on
//! proptest's inputs: random bytes, seeds with random edits, and random
//! sequences of the tokens these formats are made of.
//!
//! `VALECHAT_FUZZ_CASES` sets the number of inputs of each kind per target
//! (default [`DEFAULT_CASES`]; CI runs the default through the meson test
//! `fuzz`). The coverage-guided run is `tools/fuzz.sh` (AFL++).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::{Config, TestRunner};
use valechat_fuzz::{TARGETS, Target, target};

/// Inputs of each kind per target when `VALECHAT_FUZZ_CASES` is not set.
const DEFAULT_CASES: u32 = 2000;

/// Pieces of the formats the targets read, for inputs that get further
/// than random bytes do.
const TOKENS: &[&str] = &[
    "data: ",
    "data:",
    "event: ",
    "event: error",
    "id: ",
    "retry: ",
    ": comment",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "[DONE]",
    "[END]",
    "null",
    "true",
    "0",
    "-1",
    "1e20",
    "1e309",
    "NaN",
    "18446744073709551616",
    "\"choices\"",
    "\"delta\"",
    "\"content\"",
    "\"tool_calls\"",
    "\"index\"",
    "\"arguments\"",
    "\"finish_reason\"",
    "\"usage\"",
    "\"type\"",
    "\"message_start\"",
    "\"content_block_delta\"",
    "\"input_json_delta\"",
    "\"partial_json\"",
    "\"candidates\"",
    "\"parts\"",
    "\"functionCall\"",
    "\"done\"",
    "\"message\"",
    "\"error\"",
    "\"retryDelay\"",
    "\"1e20s\"",
    "\"jsonrpc\":\"2.0\"",
    "\"id\"",
    "\"method\"",
    "\"result\"",
    "\"params\"",
    "\"mcpServers\"",
    "\"servers\"",
    "\"command\"",
    "\"args\"",
    "\"url\"",
    "${",
    "${env:",
    "${input:",
    ":-",
    "{?",
    "{+",
    "{#",
    "{/",
    "*",
    "/callback?",
    "code=",
    "&state=",
    "error=",
    "%",
    "%ZZ",
    "%3C",
    "<",
    ">",
    "&",
    "é",
    "\u{0}",
    "\u{feff}",
    "\u{10ffff}",
    "retry-after: ",
    "retry-after-ms: ",
    "\"requestedSchema\"",
    "\"properties\"",
    "\"enum\"",
    "\"oneOf\"",
    "\"minimum\"",
    "\"maxLength\"",
    "\"format\"",
    "\"email\"",
    "\"date-time\"",
    "a",
    "Z",
    " ",
    "9",
];

fn cases() -> u32 {
    std::env::var("VALECHAT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn corpus_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name)
}

/// The files of `name`'s corpus, sorted.
fn corpus(name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus_dir(name))
        .unwrap_or_else(|e| panic!("{name}: no corpus folder: {e}"))
        .map(|e| e.expect("a corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).expect("a corpus file");
            (p, data)
        })
        .collect()
}

/// One random edit of a seed: overwrite, insert or remove a byte, or
/// repeat a stretch.
#[derive(Debug, Clone)]
enum Edit {
    Set(Index, u8),
    Insert(Index, u8),
    Remove(Index),
    Repeat(Index, Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<Index>().prop_map(Edit::Remove),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Repeat(a, b)),
    ]
}

fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for edit in edits {
        let len = data.len();
        match edit {
            Edit::Set(i, b) if len > 0 => data[i.index(len)] = *b,
            Edit::Insert(i, b) => data.insert(i.index(len + 1), *b),
            Edit::Remove(i) if len > 0 => {
                data.remove(i.index(len));
            }
            Edit::Repeat(a, b) if len > 0 && len < 64 * 1024 => {
                let (a, b) = (a.index(len), b.index(len));
                let (start, end) = (a.min(b), a.max(b) + 1);
                let stretch = data[start..end].to_vec();
                data.splice(end..end, stretch);
            }
            _ => {}
        }
    }
    data
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

/// Runs `target` on its corpus, then on each kind of generated input.
fn fuzz(name: &str) {
    let target: &Target = target(name).expect("a target of that name");
    let seeds = corpus(name);
    assert!(!seeds.is_empty(), "{name}: the corpus is empty");
    for (path, data) in &seeds {
        eprintln!("{name}: {}", path.display());
        (target.run)(data);
    }
    let run = |data: Vec<u8>| {
        (target.run)(&data);
        Ok(())
    };
    runner()
        .run(&prop::collection::vec(any::<u8>(), 0..1024), run)
        .unwrap_or_else(|e| panic!("{name}, random bytes: {e}"));
    let seed_bytes: Vec<Vec<u8>> = seeds.into_iter().map(|(_, d)| d).collect();
    let mutated = (select(seed_bytes), prop::collection::vec(edit(), 1..24))
        .prop_map(|(seed, edits)| apply(&seed, &edits));
    runner()
        .run(&mutated, run)
        .unwrap_or_else(|e| panic!("{name}, edited seeds: {e}"));
    let tokens = prop::collection::vec(select(TOKENS), 0..96).prop_map(|t| t.concat().into_bytes());
    runner()
        .run(&tokens, run)
        .unwrap_or_else(|e| panic!("{name}, token sequences: {e}"));
}

#[test]
fn every_target_has_a_corpus_and_every_corpus_a_target() {
    let folders: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"))
            .expect("fuzz/corpus")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.is_dir())
            .map(|p| {
                p.file_name()
                    .expect("a name")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
    for t in TARGETS {
        assert!(
            folders.iter().any(|f| f == t.name),
            "{}: no corpus folder",
            t.name
        );
    }
    for folder in &folders {
        assert!(
            target(folder).is_some(),
            "corpus/{folder} belongs to no target"
        );
    }
}

macro_rules! fuzz_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                fuzz(stringify!($name));
            }
        )*

        /// The targets given a test above.
        const TESTED: &[&str] = &[$(stringify!($name)),*];
    };
}

#[test]
fn every_target_is_tested() {
    let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    assert_eq!(names, TESTED, "add the new target to fuzz_tests! below");
}

fuzz_tests!(
    sse,
    ndjson,
    openai_stream,
    anthropic_stream,
    gemini_stream,
    ollama_stream,
    retry_after,
    retry_delay,
    mcp_jsonrpc,
    config_import,
    resource_template,
    oauth_callback,
    elicitation,
    gguf,
);
