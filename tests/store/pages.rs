//! A conversation read a page at a time from a real database file: the
//! last page, then earlier ones, each with exactly its own tool calls and
//! usage; the conversation's whole cost with the last page; an empty and an
//! unknown conversation.

use std::error::Error;

use rust_decimal::Decimal;
use valechat_core::ledger::{CostSource, NewUsageRecord, Outcome, TokenUsage, Verification};
use valechat_core::provider::Role;
use valechat_core::store::{
    MessageStatus, NewConversation, NewMessage, NewToolCall, PageEnd, Store,
};

type TestResult = Result<(), Box<dyn Error>>;

const MESSAGES: usize = 50;

/// A conversation of 50 messages, questions and replies in turn; every
/// reply billed $0.01 and every fifth message with a tool call. Returns
/// the conversation's id and its message ids in order.
async fn fill(store: &Store) -> Result<(i64, Vec<i64>), Box<dyn Error>> {
    let conversation = store
        .create_conversation(NewConversation {
            title: "Pages".into(),
            provider_id: None,
            model: None,
        })
        .await?;
    let mut ids = Vec::new();
    let mut usage = Vec::new();
    for i in 0..MESSAGES {
        let role = if i % 2 == 0 {
            Role::User
        } else {
            Role::Assistant
        };
        let message = store
            .insert_message(NewMessage {
                conversation_id: conversation.id,
                role,
                content: format!("message {i}"),
                status: MessageStatus::Complete,
                provider_id: None,
                model: None,
            })
            .await?;
        if role == Role::Assistant {
            usage.push(NewUsageRecord {
                request_id: format!("request-{i}"),
                provider_id: "fake".into(),
                model: "fake-small".into(),
                conversation_id: Some(conversation.id),
                message_id: Some(message.id),
                created_at: 1_000 + i64::try_from(i)?,
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
            });
        }
        if i % 5 == 0 {
            store
                .insert_tool_call(NewToolCall {
                    message_id: message.id,
                    position: 0,
                    call_id: format!("call-{i}"),
                    name: "echo".into(),
                    server_id: None,
                    tool_name: None,
                    arguments: "{}".into(),
                    provider_data: None,
                })
                .await?;
        }
        ids.push(message.id);
    }
    store.import_usage(usage).await?;
    Ok((conversation.id, ids))
}

#[tokio::test]
async fn a_conversation_is_read_from_its_end_a_page_at_a_time() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    let (id, ids) = fill(&store).await?;

    // The last page: the last 16 messages, in order, and the whole cost.
    let last = store.conversation_page(id, PageEnd::Last, 16).await?;
    let page_ids: Vec<i64> = last.messages.iter().map(|m| m.id).collect();
    assert_eq!(page_ids, ids[MESSAGES - 16..]);
    assert!(last.has_earlier);
    assert_eq!(last.conversation_cost, Some("0.25".parse::<Decimal>()?));
    // Only the page's own tool calls (messages 35, 40, 45) and usage (8
    // replies).
    let call_messages: Vec<i64> = last.tool_calls.iter().map(|c| c.message_id).collect();
    assert_eq!(call_messages, [ids[35], ids[40], ids[45]]);
    assert_eq!(last.usage.len(), 8);
    assert!(
        last.usage
            .iter()
            .all(|u| page_ids.contains(&u.message_id.unwrap_or(-1)))
    );

    // Earlier pages, until the first message.
    let earlier = store
        .conversation_page(id, PageEnd::Before(page_ids[0]), 24)
        .await?;
    let earlier_ids: Vec<i64> = earlier.messages.iter().map(|m| m.id).collect();
    assert_eq!(earlier_ids, ids[MESSAGES - 40..MESSAGES - 16]);
    assert!(earlier.has_earlier);
    assert_eq!(earlier.conversation_cost, None);
    assert_eq!(earlier.usage.len(), 12);
    let first = store
        .conversation_page(id, PageEnd::Before(earlier_ids[0]), 24)
        .await?;
    let first_ids: Vec<i64> = first.messages.iter().map(|m| m.id).collect();
    assert_eq!(first_ids, ids[..10]);
    assert!(!first.has_earlier);
    assert_eq!(first.tool_calls.len(), 2);

    // A page that exactly reaches the first message says so.
    let exact = store
        .conversation_page(id, PageEnd::Before(ids[10]), 10)
        .await?;
    assert_eq!(exact.messages.len(), 10);
    assert!(!exact.has_earlier);
    Ok(())
}

#[tokio::test]
async fn an_empty_or_unknown_conversation_reads_as_an_empty_page() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("valechat.db")).await?;
    let empty = store
        .create_conversation(NewConversation {
            title: "Empty".into(),
            provider_id: None,
            model: None,
        })
        .await?;
    for id in [empty.id, 9_999] {
        let page = store.conversation_page(id, PageEnd::Last, 16).await?;
        assert!(page.messages.is_empty());
        assert!(!page.has_earlier);
        assert_eq!(page.conversation_cost, None);
    }
    Ok(())
}
