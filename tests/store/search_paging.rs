//! Paging through every match of a search (issue 14, part 3): the newest
//! `RANKED_MATCHES` best first, then every older match newest first,
//! reached by `SearchResults::next` (keyset) and by offsets alike, with a
//! filter applied on every page.

use std::collections::HashSet;
use std::error::Error;

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use valechat_core::store::{
    ArchivedScope, NewConversation, RANKED_MATCHES, SearchFilter, SearchPage, SearchResults, Store,
};

type TestResult = Result<(), Box<dyn Error>>;

/// Matching messages in the conversation searched.
const MATCHES: i64 = 2_600;

fn ids(results: &SearchResults) -> Vec<i64> {
    results
        .conversations
        .iter()
        .flat_map(|c| c.messages.iter().map(|m| m.message_id))
        .collect()
}

/// `count` messages in conversation `id` saying "otter" (three times in
/// every third one, so bm25 ranks those first), one transaction.
fn write_otters(path: &std::path::Path, id: i64, count: i64) -> TestResult {
    let mut conn = super::sqlite::connect(path.to_str().ok_or("path")?)?;
    diesel::sql_query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
         INSERT INTO messages (conversation_id, role, content, status, created_at, updated_at)
         SELECT ?1, 'user',
                'otter number ' || i || CASE WHEN i % 3 = 0 THEN ' otter otter' ELSE '' END,
                'complete', i, i
         FROM n",
    )
    .bind::<BigInt, _>(id)
    .bind::<BigInt, _>(count)
    .execute(&mut conn)?;
    Ok(())
}

/// Every page from the first, following `next`: the ids in order.
async fn all_pages(
    store: &Store,
    filter: &SearchFilter,
    limit: u32,
) -> Result<Vec<i64>, Box<dyn Error>> {
    let mut found = Vec::new();
    let mut page = SearchPage::FIRST;
    loop {
        let results = store.search("otter", filter, page, limit).await?;
        assert_eq!(results.more, results.next.is_some());
        found.extend(ids(&results));
        match results.next {
            Some(next) => {
                assert_eq!(results.count, limit as usize, "only the last page is short");
                page = next;
            }
            None => return Ok(found),
        }
    }
}

#[tokio::test]
async fn paging_reaches_every_match_past_the_ranked_ones() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("valechat.db");
    let store = Store::open(&path).await?;
    let new = |title: &str| NewConversation {
        title: title.into(),
        provider_id: None,
        model: None,
    };
    let searched = store.create_conversation(new("Otters")).await?.id;
    let archived = store.create_conversation(new("Old otters")).await?.id;
    write_otters(&path, searched, MATCHES)?;
    // Archived matches, newer than all the others: the filter must leave
    // them out of the ranked ones and of the pages after.
    write_otters(&path, archived, 300)?;
    store.set_archived(archived, true).await?;
    let mut expected: Vec<i64> = store
        .list_messages(searched)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    expected.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(expected.len(), 2_600);
    let ranked = RANKED_MATCHES as usize;

    let filter = SearchFilter {
        archived: ArchivedScope::Exclude,
        ..SearchFilter::default()
    };
    let paged = all_pages(&store, &filter, 150).await?;
    assert_eq!(paged.len(), expected.len(), "every match, once");
    assert_eq!(
        paged.iter().copied().collect::<HashSet<_>>(),
        expected.iter().copied().collect::<HashSet<_>>()
    );
    // The newest RANKED_MATCHES first, best first: the messages saying
    // "otter" three times lead.
    let newest: HashSet<i64> = expected[..ranked].iter().copied().collect();
    assert_eq!(
        paged[..ranked].iter().copied().collect::<HashSet<_>>(),
        newest
    );
    let first = store
        .search("otter", &filter, SearchPage::FIRST, 150)
        .await?;
    assert!(
        first.conversations[0]
            .messages
            .iter()
            .all(|m| m.snippet.matches("otter").count() == 3),
        "{:?}",
        first.conversations[0].messages[0].snippet
    );
    // Then the older ones, newest first.
    assert_eq!(paged[ranked..], expected[ranked..]);

    // Offsets reach the same messages, across the boundary and past it.
    for (offset, limit) in [(0, 50), (1_950, 100), (2_000, 150), (2_400, 500)] {
        let page = store
            .search("otter", &filter, SearchPage::at(offset), limit)
            .await?;
        let end = (offset + limit) as usize;
        assert_eq!(
            ids(&page),
            paged[offset as usize..end.min(paged.len())],
            "offset {offset}"
        );
        assert_eq!(page.more, end < paged.len(), "offset {offset}");
        // The next page follows on, whichever way this one was reached.
        if let Some(next) = page.next {
            let after = store.search("otter", &filter, next, 10).await?;
            assert_eq!(ids(&after), paged[end..end + 10], "after offset {offset}");
        }
    }

    // Without the filter the archived conversation's matches are there too.
    let everything = all_pages(&store, &SearchFilter::default(), 1_000).await?;
    assert_eq!(everything.len(), 2_900);
    Ok(())
}
