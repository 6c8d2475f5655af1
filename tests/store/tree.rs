//! Messages as a tree on a real database file (issue 14, part 1): the
//! active path, siblings, switching branches, pages along the active path,
//! and deleting a branch with its descendants (tool calls and search rows
//! go; usage records stay and the conversation's cost still counts them).

use std::error::Error;

use valechat_core::ledger::{CostSource, NewUsageRecord, Outcome, TokenUsage, Verification};
use valechat_core::provider::Role;
use valechat_core::store::{
    MessageParent, MessageStatus, NewConversation, NewMessage, NewToolCall, PageEnd, Store,
    StoreError,
};

type TestResult = Result<(), Box<dyn Error>>;

async fn open() -> Result<(tempfile::TempDir, Store, i64), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    let conversation = store
        .create_conversation(NewConversation {
            title: "Tree".into(),
            provider_id: None,
            model: None,
        })
        .await?;
    Ok((dir, store, conversation.id))
}

fn new(conversation_id: i64, role: Role, content: &str) -> NewMessage {
    NewMessage {
        conversation_id,
        role,
        content: content.into(),
        status: MessageStatus::Complete,
        provider_id: None,
        model: None,
    }
}

/// Stores a message under `parent` and returns its id.
async fn add(
    store: &Store,
    conversation: i64,
    parent: MessageParent,
    role: Role,
    content: &str,
) -> Result<i64, Box<dyn Error>> {
    Ok(store
        .insert_message_at(new(conversation, role, content), parent)
        .await?
        .id)
}

async fn path_ids(store: &Store, conversation: i64) -> Result<Vec<i64>, Box<dyn Error>> {
    Ok(store
        .active_path(conversation)
        .await?
        .iter()
        .map(|m| m.id)
        .collect())
}

fn usage(conversation: i64, message: i64, request: &str) -> Result<NewUsageRecord, Box<dyn Error>> {
    Ok(NewUsageRecord {
        request_id: request.into(),
        provider_id: "fake".into(),
        model: "fake-small".into(),
        conversation_id: Some(conversation),
        message_id: Some(message),
        created_at: 1_000,
        tokens: TokenUsage {
            input: 10,
            output: 5,
            ..TokenUsage::default()
        },
        counted_input_tokens: None,
        verification: Verification::Unverifiable,
        cost_usd: "0.01".parse()?,
        cost_source: CostSource::Estimated,
        outcome: Outcome::Completed,
        client: None,
    })
}

/// u1 → a2 → u3 → a4, then an edit of u3 (u5, answered by a6). Returns
/// the ids in that order.
async fn edited(store: &Store, c: i64) -> Result<[i64; 6], Box<dyn Error>> {
    let u1 = add(store, c, MessageParent::ActiveLeaf, Role::User, "Hello").await?;
    let a2 = add(store, c, MessageParent::ActiveLeaf, Role::Assistant, "Hi").await?;
    let u3 = add(
        store,
        c,
        MessageParent::ActiveLeaf,
        Role::User,
        "Two plus two?",
    )
    .await?;
    let a4 = add(store, c, MessageParent::ActiveLeaf, Role::Assistant, "Four").await?;
    let u5 = add(
        store,
        c,
        MessageParent::Message(a2),
        Role::User,
        "Three plus three?",
    )
    .await?;
    let a6 = add(store, c, MessageParent::ActiveLeaf, Role::Assistant, "Six").await?;
    Ok([u1, a2, u3, a4, u5, a6])
}

#[tokio::test]
async fn an_edit_is_a_sibling_and_switching_shows_the_latest_leaf() -> TestResult {
    let (_dir, store, c) = open().await?;
    let [u1, a2, u3, a4, u5, a6] = edited(&store, c).await?;

    // The edit and its reply are the branch shown.
    assert_eq!(path_ids(&store, c).await?, [u1, a2, u5, a6]);
    assert_eq!(
        store
            .get_conversation(c)
            .await?
            .and_then(|c| c.active_leaf_id),
        Some(a6)
    );
    let versions = store.siblings(u5).await?;
    assert_eq!(
        (versions.ids.clone(), versions.index, versions.count()),
        (vec![u3, u5], 1, 2)
    );
    assert_eq!((versions.previous(), versions.next()), (Some(u3), None));
    assert_eq!(store.siblings(u1).await?.ids, [u1]);
    assert_eq!(
        store
            .path_to(a4)
            .await?
            .iter()
            .map(|m| m.id)
            .collect::<Vec<_>>(),
        [u1, a2, u3, a4]
    );

    // Back to the first version: its whole continuation.
    assert_eq!(store.switch_branch(u3).await?, a4);
    assert_eq!(path_ids(&store, c).await?, [u1, a2, u3, a4]);

    // A regeneration of a4 (a7); switching to u3 again follows the most
    // recently created child at each step.
    let a7 = add(&store, c, MessageParent::Message(u3), Role::Assistant, "4").await?;
    assert_eq!(store.siblings(a4).await?.ids, [a4, a7]);
    assert_eq!(store.switch_branch(u5).await?, a6);
    assert_eq!(store.switch_branch(u3).await?, a7);
    assert_eq!(path_ids(&store, c).await?, [u1, a2, u3, a7]);
    // From higher up, the newest child at each step: u5 (newer than u3).
    assert_eq!(store.switch_branch(u1).await?, a6);
    assert_eq!(store.switch_branch(a7).await?, a7);

    // A new turn goes under the active leaf.
    let u8 = add(
        &store,
        c,
        MessageParent::ActiveLeaf,
        Role::User,
        "And five?",
    )
    .await?;
    assert_eq!(store.message(u8).await?.and_then(|m| m.parent_id), Some(a7));

    // The page the window opens with carries the siblings of its messages.
    let page = store.conversation_page(c, PageEnd::Last, 10).await?;
    assert_eq!(
        page.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        [u1, a2, u3, a7, u8]
    );
    assert!(!page.has_earlier);
    let mut with_siblings: Vec<_> = page
        .siblings
        .iter()
        .map(|(id, s)| (*id, s.index, s.count()))
        .collect();
    with_siblings.sort_unstable();
    assert_eq!(with_siblings, [(u3, 0, 2), (a7, 1, 2)]);
    Ok(())
}

#[tokio::test]
async fn a_message_of_another_conversation_or_none_is_refused() -> TestResult {
    let (_dir, store, c) = open().await?;
    let [u1, ..] = edited(&store, c).await?;
    let other = store
        .create_conversation(NewConversation {
            title: "Other".into(),
            ..NewConversation::default()
        })
        .await?;
    let refused = store
        .insert_message_at(new(other.id, Role::User, "x"), MessageParent::Message(u1))
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotInConversation { message_id, conversation_id })
            if message_id == u1 && conversation_id == other.id),
        "{refused:?}"
    );
    assert!(
        store.active_path(other.id).await?.is_empty(),
        "nothing stored"
    );
    assert!(matches!(
        store.switch_branch(9_999).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.siblings(9_999).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.delete_branch(9_999).await,
        Err(StoreError::NotFound { .. })
    ));
    Ok(())
}

#[tokio::test]
async fn deleting_a_branch_takes_its_descendants_and_keeps_the_money() -> TestResult {
    let (_dir, store, c) = open().await?;
    let [u1, a2, u3, a4, u5, a6] = edited(&store, c).await?;
    let a7 = add(
        &store,
        c,
        MessageParent::Message(u3),
        Role::Assistant,
        "Quatre",
    )
    .await?;
    store
        .insert_tool_call(NewToolCall {
            message_id: a4,
            position: 0,
            call_id: "call-1".into(),
            name: "calculator".into(),
            server_id: None,
            tool_name: None,
            arguments: "{}".into(),
            provider_data: None,
        })
        .await?;
    store
        .import_usage(vec![
            usage(c, a4, "r4")?,
            usage(c, a7, "r7")?,
            usage(c, a6, "r6")?,
        ])
        .await?;
    let cost_before = store
        .conversation_page(c, PageEnd::Last, 10)
        .await?
        .conversation_cost;
    assert_eq!(cost_before, Some("0.03".parse()?));
    assert_eq!(store.search_messages("Quatre", 10).await?.len(), 1);

    // The first version (u3) is shown; delete it with its two replies.
    store.switch_branch(u3).await?;
    assert_eq!(store.branch_size(u3).await?, 3);
    let deleted = store.delete_branch(u3).await?;
    assert_eq!(deleted.messages, 3);
    assert_eq!(deleted.conversation_id, c);
    // The branch shown moves to what remains at that place: the edit.
    assert_eq!(deleted.active_leaf_id, Some(a6));
    assert_eq!(path_ids(&store, c).await?, [u1, a2, u5, a6]);
    let left: Vec<i64> = store.list_messages(c).await?.iter().map(|m| m.id).collect();
    assert_eq!(left, [u1, a2, u5, a6]);
    assert!(
        store.list_tool_calls(c).await?.is_empty(),
        "the tool call went"
    );
    assert!(
        store.search_messages("Quatre", 10).await?.is_empty(),
        "the search row went"
    );
    assert!(store.siblings(u5).await?.ids == [u5]);

    // Money spent stays spent.
    let records = store.conversation_usage_records(c).await?;
    assert_eq!(records.len(), 3);
    assert_eq!(records.iter().filter(|r| r.message_id.is_none()).count(), 2);
    let page = store.conversation_page(c, PageEnd::Last, 10).await?;
    assert_eq!(page.conversation_cost, cost_before);
    assert_eq!(page.usage.len(), 1, "only a6's record is on the page");

    // A branch that is not shown goes without moving the active leaf.
    let u9 = add(&store, c, MessageParent::Message(a2), Role::User, "Later?").await?;
    store.switch_branch(u5).await?;
    assert_eq!(store.delete_branch(u9).await?.active_leaf_id, Some(a6));
    assert_eq!(path_ids(&store, c).await?, [u1, a2, u5, a6]);

    // Deleting from the first message empties the conversation.
    let all = store.delete_branch(u1).await?;
    assert_eq!((all.messages, all.active_leaf_id), (4, None));
    assert!(store.active_path(c).await?.is_empty());
    assert_eq!(store.conversation_usage_records(c).await?.len(), 3);
    Ok(())
}

#[tokio::test]
async fn an_edited_first_message_is_a_second_root() -> TestResult {
    let (_dir, store, c) = open().await?;
    let u1 = add(&store, c, MessageParent::ActiveLeaf, Role::User, "Hello").await?;
    let a2 = add(&store, c, MessageParent::ActiveLeaf, Role::Assistant, "Hi").await?;
    let u3 = add(&store, c, MessageParent::Root, Role::User, "Good morning").await?;
    let a4 = add(
        &store,
        c,
        MessageParent::ActiveLeaf,
        Role::Assistant,
        "Morning",
    )
    .await?;
    assert_eq!(path_ids(&store, c).await?, [u3, a4]);
    assert_eq!(store.siblings(u3).await?.ids, [u1, u3]);
    let page = store.conversation_page(c, PageEnd::Last, 10).await?;
    assert_eq!(page.siblings.get(&u3).map(|s| s.index), Some(1));
    // Deleting the shown root moves to the other one's latest leaf.
    assert_eq!(store.delete_branch(u3).await?.active_leaf_id, Some(a2));
    assert_eq!(path_ids(&store, c).await?, [u1, a2]);
    Ok(())
}

#[tokio::test]
async fn pages_follow_the_active_path_only() -> TestResult {
    let (_dir, store, c) = open().await?;
    // A path of 30 messages; at message 10 a second branch of 20 messages
    // (interleaved ids), each with a tool call that must not show.
    let mut main = Vec::new();
    for i in 0..30 {
        let role = if i % 2 == 0 {
            Role::User
        } else {
            Role::Assistant
        };
        main.push(
            add(
                &store,
                c,
                MessageParent::ActiveLeaf,
                role,
                &format!("main {i}"),
            )
            .await?,
        );
    }
    let mut parent = main[9];
    let mut other = Vec::new();
    for i in 0..20 {
        let role = if i % 2 == 0 {
            Role::User
        } else {
            Role::Assistant
        };
        parent = add(
            &store,
            c,
            MessageParent::Message(parent),
            role,
            &format!("other {i}"),
        )
        .await?;
        store
            .insert_tool_call(NewToolCall {
                message_id: parent,
                position: 0,
                call_id: format!("other-{i}"),
                name: "echo".into(),
                server_id: None,
                tool_name: None,
                arguments: "{}".into(),
                provider_data: None,
            })
            .await?;
        other.push(parent);
    }
    // Show the main branch again: its last page, then the earlier ones.
    assert_eq!(store.switch_branch(main[10]).await?, main[29]);
    let last = store.conversation_page(c, PageEnd::Last, 12).await?;
    assert_eq!(
        last.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        main[18..]
    );
    assert!(last.has_earlier);
    let earlier = store
        .conversation_page(c, PageEnd::Before(main[18]), 12)
        .await?;
    assert_eq!(
        earlier.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        main[6..18]
    );
    assert!(earlier.tool_calls.is_empty(), "no other branch's tool call");
    assert_eq!(earlier.siblings.get(&main[10]).map(|s| s.count()), Some(2));
    let first = store
        .conversation_page(c, PageEnd::Before(main[6]), 12)
        .await?;
    assert_eq!(
        first.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        main[..6]
    );
    assert!(!first.has_earlier);

    // The other branch, paged the same way.
    assert_eq!(store.switch_branch(other[0]).await?, other[19]);
    let last = store.conversation_page(c, PageEnd::Last, 25).await?;
    let expected: Vec<i64> = main[..10].iter().chain(&other).copied().collect();
    assert_eq!(
        last.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        expected[5..]
    );
    assert_eq!(last.tool_calls.len(), 20);
    Ok(())
}
