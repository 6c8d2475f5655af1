//! Retrieval quality with BM25 alone on the committed corpus
//! (`tests/fixtures/documents/corpus/`: the project's docs and generated
//! gazetteer articles) and its question set: recall@1, recall@5 and MRR
//! printed, recall@5 ≥ 0.9 required.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use valechat_core::documents::index::index_path;
use valechat_core::documents::retrieve::{Hit, RetrieveOptions, retrieve};
use valechat_core::store::{Library, Store};

use super::fixture;

/// Lowest recall@5 accepted.
const MIN_RECALL_AT_5: f64 = 0.9;

/// A question and where its answer is.
#[derive(Debug, Clone, serde::Deserialize)]
struct Case {
    question: String,
    /// Path under the corpus folder.
    file: String,
    /// A phrase of the answering passage.
    passage: String,
}

/// The figures of a question set.
#[derive(Debug)]
struct Figures {
    questions: usize,
    at_1: f64,
    at_5: f64,
    mrr: f64,
    /// Questions not answered in the top 5.
    missed: Vec<String>,
}

fn corpus() -> PathBuf {
    fixture("corpus")
}

fn questions() -> Vec<Case> {
    let text = std::fs::read_to_string(corpus().join("questions.json")).expect("questions.json");
    serde_json::from_str(&text).expect("questions.json is a list of questions")
}

/// The corpus indexed into a library of a database in `dir`.
async fn indexed(dir: &Path) -> (Store, Library) {
    let store = Store::open(&dir.join("valechat.db")).await.expect("open");
    let library = store.create_library("Corpus").await.expect("create");
    for part in ["project", "islands"] {
        index_path(&store, &library, &corpus().join(part), |_| {
            ControlFlow::Continue(())
        })
        .await
        .expect("index the corpus");
    }
    (store, library)
}

/// Whether `hit` is the passage `question` expects.
fn answers(hit: &Hit, question: &Case, root: &Path) -> bool {
    hit.path == root.join(&question.file) && hit.text.contains(&question.passage)
}

#[allow(clippy::cast_precision_loss, reason = "ratios of small counts")]
async fn evaluate(store: &Store, library: &Library, questions: &[Case]) -> Figures {
    let root = corpus().canonicalize().expect("corpus");
    let options = RetrieveOptions {
        top_k: 5,
        token_budget: None,
    };
    let (mut at_1, mut at_5, mut reciprocal) = (0usize, 0usize, 0.0f64);
    let mut missed = Vec::new();
    for q in questions {
        let hits = retrieve(store, library.id, &q.question, options)
            .await
            .expect("retrieve");
        match hits.iter().position(|h| answers(h, q, &root)) {
            Some(i) => {
                at_5 += 1;
                at_1 += usize::from(i == 0);
                reciprocal += 1.0 / (i as f64 + 1.0);
            }
            None => missed.push(q.question.clone()),
        }
    }
    let n = questions.len() as f64;
    Figures {
        questions: questions.len(),
        at_1: at_1 as f64 / n,
        at_5: at_5 as f64 / n,
        mrr: reciprocal / n,
        missed,
    }
}

#[tokio::test]
async fn bm25_recall_at_5_is_at_least_0_9() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, library) = indexed(dir.path()).await;
    let stats = store.library_stats(library.id).await.expect("stats");
    let questions = questions();
    let figures = evaluate(&store, &library, &questions).await;
    println!(
        "BM25 retrieval: {} questions over {} chunks of {} documents: recall@1 {:.3}, recall@5 {:.3}, MRR {:.3}",
        figures.questions, stats.chunks, stats.indexed, figures.at_1, figures.at_5, figures.mrr
    );
    for question in &figures.missed {
        println!("  not in the top 5: {question}");
    }
    assert!(stats.chunks >= 200, "a few hundred chunks: {stats:?}");
    assert!(
        figures.at_5 >= MIN_RECALL_AT_5,
        "recall@5 {:.3} < {MIN_RECALL_AT_5}: {:#?}",
        figures.at_5,
        figures.missed
    );
}

/// The measure can fail: with each question pointed at the next
/// question's file, recall@5 falls far below the threshold.
#[tokio::test]
async fn a_wrong_expectation_fails_the_measure() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, library) = indexed(dir.path()).await;
    let mut questions = questions();
    let files: Vec<String> = questions.iter().map(|q| q.file.clone()).collect();
    for (i, q) in questions.iter_mut().enumerate() {
        q.file.clone_from(&files[(i + 1) % files.len()]);
    }
    let figures = evaluate(&store, &library, &questions).await;
    assert!(figures.at_5 < MIN_RECALL_AT_5, "{figures:?}");
}

/// Top k within a token budget: the hits' tokens never exceed it, and a
/// smaller budget keeps fewer of the same ranked list.
#[tokio::test]
async fn hits_fit_the_token_budget() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, library) = indexed(dir.path()).await;
    let query = "harbour berths dredged company festival lighthouse";
    let all = retrieve(
        &store,
        library.id,
        query,
        RetrieveOptions {
            top_k: 10,
            token_budget: None,
        },
    )
    .await
    .expect("retrieve");
    assert_eq!(all.len(), 10);
    let budget = all[0].token_count + all[1].token_count;
    let fitted = retrieve(
        &store,
        library.id,
        query,
        RetrieveOptions {
            top_k: 10,
            token_budget: Some(budget),
        },
    )
    .await
    .expect("retrieve");
    let total: u32 = fitted.iter().map(|h| h.token_count).sum();
    assert!(total <= budget, "{total} > {budget}");
    assert!(
        fitted.len() >= 2 && fitted.len() < 10,
        "{} hits",
        fitted.len()
    );
    assert_eq!(fitted[0].chunk_id, all[0].chunk_id);
    let ranks: Vec<u32> = fitted.iter().map(|h| h.rank).collect();
    assert_eq!(
        ranks,
        (1..=u32::try_from(fitted.len()).unwrap_or(0)).collect::<Vec<_>>()
    );
}
