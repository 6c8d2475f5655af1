//! The last word of a search, typed as a prefix, expanded into the words
//! of the index it starts (issue 14, the search benchmark): at most
//! `EXPANDED_WORDS` of them, the commonest, and always the word as typed;
//! a word found only as the start of others; paging to every match of an
//! expanded word, past the ranked ones; other words left to FTS5's prefix
//! query. Messages are written by SQL in one transaction (the triggers
//! index them), on a real database file.

use std::collections::HashSet;
use std::error::Error;
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use valechat_core::store::{
    EXPANDED_WORDS, NewConversation, RANKED_MATCHES, SearchFilter, SearchPage, SearchResults, Store,
};

type TestResult = Result<(), Box<dyn Error>>;

fn ids(results: &SearchResults) -> Vec<i64> {
    results
        .conversations
        .iter()
        .flat_map(|c| c.messages.iter().map(|m| m.message_id))
        .collect()
}

/// A database with one conversation; its path and id.
async fn open(dir: &Path) -> Result<(Store, i64), Box<dyn Error>> {
    let store = Store::open(&dir.join("valechat.db")).await?;
    let id = store
        .create_conversation(NewConversation {
            title: "Words".into(),
            provider_id: None,
            model: None,
        })
        .await?
        .id;
    Ok((store, id))
}

/// Writes `texts` as user messages of conversation `id`, in order, in one
/// transaction; returns their ids.
fn write(path: &Path, id: i64, texts: &[String]) -> Result<Vec<i64>, Box<dyn Error>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let mut conn = super::sqlite::connect(path.to_str().ok_or("path")?)?;
    conn.transaction(|conn| {
        texts
            .iter()
            .map(|text| {
                diesel::sql_query(
                    "INSERT INTO messages (conversation_id, role, content, status, created_at, updated_at)
                     VALUES (?1, 'user', ?2, 'complete', 1, 1) RETURNING id",
                )
                .bind::<BigInt, _>(id)
                .bind::<Text, _>(text)
                .get_result::<Id>(conn)
                .map(|r| r.id)
            })
            .collect::<QueryResult<Vec<i64>>>()
    })
    .map_err(Into::into)
}

/// Every match of `query`, page after page (`next`), in order.
async fn all_pages(store: &Store, query: &str, limit: u32) -> Result<Vec<i64>, Box<dyn Error>> {
    let mut found = Vec::new();
    let mut page = SearchPage::FIRST;
    loop {
        let results = store
            .search(query, &SearchFilter::default(), page, limit)
            .await?;
        found.extend(ids(&results));
        match results.next {
            Some(next) => page = next,
            None => return Ok(found),
        }
    }
}

fn set(ids: &[i64]) -> HashSet<i64> {
    ids.iter().copied().collect()
}

#[tokio::test]
async fn a_prefix_of_more_words_than_the_cap_keeps_the_word_and_the_commonest() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (store, c) = open(dir.path()).await?;
    let cap = EXPANDED_WORDS as usize;
    // "glac" once; cap + 20 longer words starting with it: the first
    // cap - 1 in three messages each (the commonest), the rest in one.
    let mut texts = vec!["a glac of ice".to_owned()];
    let mut common = Vec::new();
    for i in 0..cap + 20 {
        let times = if i < cap - 1 { 3 } else { 1 };
        for _ in 0..times {
            texts.push(format!("the glac{i:03} moves"));
        }
        if i < cap - 1 {
            common.push(format!("glac{i:03}"));
        }
    }
    let written = write(&dir.path().join("valechat.db"), c, &texts)?;
    let word = written[0];
    let rare = *written.last().ok_or("no message")?;

    let found = all_pages(&store, "GLAC", 25).await?;
    assert_eq!(found.len(), set(&found).len(), "each match once");
    assert!(
        set(&found).contains(&word),
        "the word as typed, rarest of all"
    );
    let expected: HashSet<i64> = texts
        .iter()
        .zip(&written)
        .filter(|(t, _)| {
            t.as_str() == "a glac of ice" || common.iter().any(|w| t.contains(w.as_str()))
        })
        .map(|(_, id)| *id)
        .collect();
    assert_eq!(set(&found), expected, "the commonest longer words");
    assert!(
        !set(&found).contains(&rare),
        "rarer ones wait for more letters"
    );
    // Typed further, the rare word is found.
    let last = format!("glac{:03}", cap + 19);
    assert_eq!(all_pages(&store, &last, 25).await?, [rare]);
    assert_eq!(
        all_pages(&store, "the glac", 500).await?.len(),
        found.len() - 1
    );
    Ok(())
}

#[tokio::test]
async fn a_word_found_only_as_the_start_of_others() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (store, c) = open(dir.path()).await?;
    let texts: Vec<String> = [
        "Tell me about photosynthesis",
        "Photosynthetic bacteria, photosynthesizing",
        "A photo of a plant",
        "Déjà vu: the café at Sólheimajökull",
    ]
    .map(str::to_owned)
    .to_vec();
    let w = write(&dir.path().join("valechat.db"), c, &texts)?;
    assert_eq!(
        set(&all_pages(&store, "photosynth", 10).await?),
        set(&w[..2])
    );
    assert_eq!(all_pages(&store, "about PHOTOSYNTH", 10).await?, [w[0]]);
    assert_eq!(set(&all_pages(&store, "phot", 10).await?), set(&w[..3]));
    assert!(all_pages(&store, "photosynthx", 10).await?.is_empty());
    assert!(all_pages(&store, "hotosynth", 10).await?.is_empty());
    // Not expanded (accented, or split by punctuation): FTS5's prefix.
    assert_eq!(all_pages(&store, "sólheim", 10).await?, [w[3]]);
    assert_eq!(all_pages(&store, "Déjà", 10).await?, [w[3]]);
    assert_eq!(all_pages(&store, "vu:", 10).await?, [w[3]]);
    // The snippet marks every word the prefix starts.
    let hit = store
        .search(
            "photosynth",
            &SearchFilter::default(),
            SearchPage::FIRST,
            10,
        )
        .await?;
    let snippets: Vec<&str> = hit
        .conversations
        .iter()
        .flat_map(|c| c.messages.iter().map(|m| m.snippet.as_str()))
        .collect();
    assert!(
        snippets.iter().any(|s| s.matches('\u{2}').count() == 2),
        "{snippets:?}"
    );
    Ok(())
}

#[tokio::test]
async fn paging_reaches_every_match_of_an_expanded_word() -> TestResult {
    let dir = tempfile::tempdir()?;
    let (store, c) = open(dir.path()).await?;
    let words = ["river", "rivers", "riverbank", "riverside", "lake"];
    let texts: Vec<String> = (0..3_000)
        .map(|i| format!("the {} number {i}", words[i % words.len()]))
        .collect();
    let written = write(&dir.path().join("valechat.db"), c, &texts)?;
    let with = |f: &dyn Fn(&str) -> bool| -> HashSet<i64> {
        texts
            .iter()
            .zip(&written)
            .filter(|(t, _)| f(t.split(' ').nth(1).unwrap_or("")))
            .map(|(_, id)| *id)
            .collect()
    };
    let rivers = with(&|w| w.starts_with("river"));
    assert!(rivers.len() > RANKED_MATCHES as usize);
    let paged = all_pages(&store, "river", 150).await?;
    assert_eq!(paged.len(), rivers.len(), "every match, once");
    assert_eq!(set(&paged), rivers);
    // Offsets reach the same order, across the ranked matches' end.
    for offset in [0, 1_990, 2_000, 2_100] {
        let page = store
            .search(
                "river",
                &SearchFilter::default(),
                SearchPage::at(offset),
                40,
            )
            .await?;
        let at = offset as usize;
        assert_eq!(
            ids(&page),
            paged[at..(at + 40).min(paged.len())],
            "offset {offset}"
        );
    }
    assert_eq!(
        set(&all_pages(&store, "the rivers", 150).await?),
        with(&|w| w.starts_with("rivers"))
    );
    assert_eq!(
        set(&all_pages(&store, "number riverb", 150).await?),
        with(&|w| w == "riverbank")
    );
    Ok(())
}
