//! `cargo bench --bench branches`: switching branch in a conversation whose
//! active path has 1,000 messages, on an on-disk database.
//!
//! Setup (not timed): a fresh database file in a temporary directory and
//! one conversation of two branches that part after the 10th message: A
//! (1,000 messages from the first to its leaf) and B (990 more messages
//! under the same 10th message, its first one a sibling of A's 11th), each
//! message with a usage record, ids interleaved as edits make them. Timed:
//! - `switch_and_open`: switching to the other branch (`Store::switch_branch`
//!   on the sibling, as `‹`/`›` does) and reading the page the view shows
//!   (`conversation_page(PageEnd::Last, 50)`: messages, tool calls, images,
//!   resources, usage, siblings and the conversation's cost);
//! - `switch`: the switch alone;
//! - `active_path`: reading the whole active path (1,000 messages), as a
//!   turn's request is built.
//!
//! Before timing, both branches are checked to be 1,000 messages long.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use tokio::runtime::Runtime;
use valechat_core::ledger::{CostSource, NewUsageRecord, Outcome, TokenUsage, Verification};
use valechat_core::provider::Role;
use valechat_core::store::{
    MessageParent, MessageStatus, NewConversation, NewMessage, PageEnd, Store,
};

/// Messages on each branch's active path.
const PATH: usize = 1_000;
/// Messages the branches share.
const SHARED: usize = 10;
/// Messages of the page the conversation view opens with.
const PAGE: usize = 50;

/// Opens the store and fills it; returns the store, its directory guard,
/// the conversation and the first messages of branches A and B.
fn setup(runtime: &Runtime) -> (Store, tempfile::TempDir, i64, [i64; 2]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = runtime
        .block_on(Store::open(&dir.path().join("valechat.db")))
        .expect("open store");
    let conversation = runtime
        .block_on(store.create_conversation(NewConversation {
            title: "Branches".into(),
            ..NewConversation::default()
        }))
        .expect("conversation")
        .id;
    let add = |parent: MessageParent, i: usize| {
        let role = if i.is_multiple_of(2) {
            Role::User
        } else {
            Role::Assistant
        };
        runtime
            .block_on(store.insert_message_at(
                NewMessage {
                    conversation_id: conversation,
                    role,
                    content: format!("message {i}: {}", "words ".repeat(40)),
                    status: MessageStatus::Complete,
                    provider_id: None,
                    model: None,
                },
                parent,
            ))
            .expect("message")
            .id
    };
    let mut shared = MessageParent::Root;
    for i in 0..SHARED {
        shared = MessageParent::Message(add(shared, i));
    }
    // The two branches grow in turn, so their ids interleave.
    let (mut a, mut b) = (shared, shared);
    let mut firsts = [0; 2];
    for i in SHARED..PATH {
        let id_a = add(a, i);
        let id_b = add(b, i);
        if i == SHARED {
            firsts = [id_a, id_b];
        }
        a = MessageParent::Message(id_a);
        b = MessageParent::Message(id_b);
    }
    let messages = runtime
        .block_on(store.list_messages(conversation))
        .expect("list");
    let records = messages
        .iter()
        .map(|m| NewUsageRecord {
            request_id: format!("req-{}", m.id),
            provider_id: "openai".into(),
            model: "small".into(),
            conversation_id: Some(conversation),
            message_id: Some(m.id),
            created_at: m.created_at,
            tokens: TokenUsage {
                input: 1200,
                output: 300,
                ..TokenUsage::default()
            },
            counted_input_tokens: Some(1190),
            verification: Verification::Agrees,
            cost_usd: Decimal::new(1, 3),
            cost_source: CostSource::Estimated,
            outcome: Outcome::Completed,
            client: None,
        })
        .collect();
    runtime
        .block_on(store.import_usage(records))
        .expect("usage");
    for first in firsts {
        runtime
            .block_on(store.switch_branch(first))
            .expect("switch");
        let path = runtime
            .block_on(store.active_path(conversation))
            .expect("path");
        assert_eq!(path.len(), PATH, "a branch of {PATH} messages");
    }
    (store, dir, conversation, firsts)
}

fn branches(c: &mut Criterion) {
    let runtime = Runtime::new().expect("runtime");
    let (store, _dir, conversation, firsts) = setup(&runtime);
    let mut turn = 0;
    c.bench_function("switch_and_open", |b| {
        b.iter(|| {
            turn += 1;
            runtime.block_on(async {
                store.switch_branch(firsts[turn % 2]).await.expect("switch");
                black_box(
                    store
                        .conversation_page(conversation, PageEnd::Last, PAGE)
                        .await
                        .expect("page"),
                )
            })
        });
    });
    c.bench_function("switch", |b| {
        b.iter(|| {
            turn += 1;
            black_box(
                runtime
                    .block_on(store.switch_branch(firsts[turn % 2]))
                    .expect("switch"),
            )
        });
    });
    c.bench_function("active_path", |b| {
        b.iter(|| {
            black_box(
                runtime
                    .block_on(store.active_path(conversation))
                    .expect("path"),
            )
        });
    });
}

criterion_group!(benches, branches);
criterion_main!(benches);
