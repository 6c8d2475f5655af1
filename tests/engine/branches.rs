//! Messages as a tree in turns (issue 14, part 1): an edit and a
//! regeneration go through `Engine::send` placed with a `BranchPoint`; the
//! request carries the active path only; usage and cost belong to the
//! message that made them while the conversation's total counts every
//! branch; branch points that do not fit are refused before anything is
//! stored or sent.

use std::str::FromStr;

use rust_decimal::Decimal;
use valechat_core::billing::ModelPrice;
use valechat_core::chat::{BranchPoint, EngineError, SendRequest, UserInput};
use valechat_core::provider::Role;
use valechat_core::store::PageEnd;

use crate::support::images::png_attachment;
use crate::support::openai::text_reply_with_usage;
use crate::support::{Recorded, TestServer};
use crate::{Harness, drain, finished};

fn usd(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// `(role, text)` of every message of a recorded request; a content made
/// of parts gives its text parts joined, and `[image]` for an image part.
fn sent(request: &Recorded) -> Vec<(String, String)> {
    let body = request.json();
    body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            let text = match &m["content"] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(parts) => parts
                    .iter()
                    .map(|p| match p["type"].as_str() {
                        Some("text") => p["text"].as_str().unwrap_or_default().to_owned(),
                        _ => "[image]".to_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join(""),
                _ => String::new(),
            };
            (m["role"].as_str().unwrap_or_default().to_owned(), text)
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(r, t)| ((*r).to_owned(), (*t).to_owned()))
        .collect()
}

/// Sends `request` and returns the finished reply's id.
async fn turn(h: &Harness, request: SendRequest) -> i64 {
    let events = drain(&mut h.engine.send(request).await.expect("send")).await;
    finished(&events).id
}

#[tokio::test]
async fn edits_and_regenerations_send_the_active_path_and_bill_their_own_message() {
    let server = TestServer::start(vec![
        text_reply_with_usage(&["One"], 1000, 500),
        text_reply_with_usage(&["Two"], 1000, 500),
        text_reply_with_usage(&["Two, edited"], 2000, 500),
        text_reply_with_usage(&["Two, again"], 1000, 1000),
        text_reply_with_usage(&["Three"], 1000, 500),
    ])
    .await;
    let h = Harness::new().await;
    let provider = h.provider(&server).await;
    let store = h.engine.store();
    // USD 10 / 30 per 1M for gpt-4o, 1 / 2 for gpt-4o-mini.
    for (model, input, output) in [("gpt-4o", "10", "30"), ("gpt-4o-mini", "1", "2")] {
        store
            .set_user_price(
                &provider,
                model,
                ModelPrice::from_per_million(usd(input), usd(output)),
                0,
            )
            .await
            .expect("price");
    }
    let c = h
        .engine
        .new_conversation(Some(&provider), Some("gpt-4o"))
        .await
        .expect("conversation")
        .id;

    let a1 = turn(&h, SendRequest::text(c, "First")).await;
    let a2 = turn(&h, SendRequest::text(c, "Second")).await;
    let path = store.active_path(c).await.expect("path");
    let (u1, u2) = (path[0].id, path[2].id);

    // Edit "Second": a sibling of it, answered; the model sees the edit only.
    let a3 = turn(&h, SendRequest::edit(c, u2, "Second, edited")).await;
    let requests = server.requests();
    assert_eq!(
        sent(&requests[2]),
        pairs(&[
            ("user", "First"),
            ("assistant", "One"),
            ("user", "Second, edited")
        ])
    );
    let path = store.active_path(c).await.expect("path");
    let u3 = path[2].id;
    assert_eq!(
        path.iter().map(|m| m.id).collect::<Vec<_>>(),
        [u1, a1, u3, a3]
    );
    assert_eq!(path[2].content, "Second, edited");
    assert_eq!(store.siblings(u3).await.expect("siblings").ids, [u2, u3]);

    // Regenerate the edit's reply with another model: a sibling reply to
    // the same messages; the conversation keeps its model.
    let regenerate =
        SendRequest::regenerate(c, a3, Some((provider.clone(), "gpt-4o-mini".to_owned())));
    let a4 = turn(&h, regenerate).await;
    let requests = server.requests();
    assert_eq!(requests[3].json()["model"], "gpt-4o-mini");
    assert_eq!(
        sent(&requests[3]),
        pairs(&[
            ("user", "First"),
            ("assistant", "One"),
            ("user", "Second, edited")
        ])
    );
    let path = store.active_path(c).await.expect("path");
    assert_eq!(
        path.iter().map(|m| m.id).collect::<Vec<_>>(),
        [u1, a1, u3, a4]
    );
    assert_eq!(path[3].model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(store.siblings(a4).await.expect("siblings").ids, [a3, a4]);
    let conversation = store
        .get_conversation(c)
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(conversation.model.as_deref(), Some("gpt-4o"));

    // Back on the first version, a new turn continues that branch only.
    assert_eq!(store.switch_branch(u2).await.expect("switch"), a2);
    let a5 = turn(&h, SendRequest::text(c, "Third")).await;
    assert_eq!(
        sent(&server.requests()[4]),
        pairs(&[
            ("user", "First"),
            ("assistant", "One"),
            ("user", "Second"),
            ("assistant", "Two"),
            ("user", "Third"),
        ])
    );
    let path = store.active_path(c).await.expect("path");
    assert_eq!(path[4].parent_id, Some(a2));
    assert_eq!(path.last().map(|m| m.id), Some(a5));

    // Each request's usage is its own reply's; the total counts every branch.
    let records = store.conversation_usage_records(c).await.expect("usage");
    let by_message: Vec<(Option<i64>, Decimal)> =
        records.iter().map(|r| (r.message_id, r.cost_usd)).collect();
    assert_eq!(
        by_message,
        [
            (Some(a1), usd("0.025")),
            (Some(a2), usd("0.025")),
            (Some(a3), usd("0.035")),
            (Some(a4), usd("0.003")),
            (Some(a5), usd("0.025")),
        ]
    );
    let page = store
        .conversation_page(c, PageEnd::Last, 50)
        .await
        .expect("page");
    assert_eq!(page.conversation_cost, Some(usd("0.113")));
    let on_page: Vec<Option<i64>> = page.usage.iter().map(|u| u.message_id).collect();
    assert_eq!(on_page, [Some(a1), Some(a2), Some(a5)], "the branch shown");
}

#[tokio::test]
async fn an_edit_keeps_the_images_unless_they_are_replaced() {
    let server = TestServer::start(vec![
        text_reply_with_usage(&["A dot"], 10, 5),
        text_reply_with_usage(&["Still a dot"], 10, 5),
        text_reply_with_usage(&["No picture"], 10, 5),
    ])
    .await;
    let h = Harness::new().await;
    let c = h.conversation(&server).await;
    turn(
        &h,
        SendRequest::text(c, "What is this?").with_images(vec![png_attachment()]),
    )
    .await;
    let u1 = h.messages(c).await[0].id;

    turn(&h, SendRequest::edit(c, u1, "What colour is this?")).await;
    assert_eq!(
        sent(&server.requests()[1]),
        pairs(&[("user", "What colour is this?[image]")])
    );
    let edited = h.engine.store().active_path(c).await.expect("path")[0].id;
    let images = h.engine.store().message_attachments(edited).await;
    assert_eq!(images.expect("images").len(), 1);

    let replaced = SendRequest::text(c, "Say hello").at(BranchPoint::Edit {
        message_id: u1,
        keep_attachments: false,
    });
    turn(&h, replaced).await;
    assert_eq!(sent(&server.requests()[2]), pairs(&[("user", "Say hello")]));
    let siblings = h.engine.store().siblings(u1).await.expect("siblings");
    assert_eq!(siblings.count(), 3);
}

#[tokio::test]
async fn branch_points_that_do_not_fit_are_refused_before_anything_is_sent() {
    let server = TestServer::start(vec![text_reply_with_usage(&["Hi"], 10, 5)]).await;
    let h = Harness::new().await;
    let c = h.conversation(&server).await;
    let reply = turn(&h, SendRequest::text(c, "Hello")).await;
    let user = h.messages(c).await[0].id;
    let other = h.conversation(&server).await;

    let edit_reply = h.engine.send(SendRequest::edit(c, reply, "No")).await;
    assert!(
        matches!(edit_reply, Err(EngineError::NotAUserMessage(id)) if id == reply),
        "{:?}",
        edit_reply.err()
    );
    let regenerate_user = h.engine.send(SendRequest::regenerate(c, user, None)).await;
    assert!(
        matches!(regenerate_user, Err(EngineError::NotAReply(id)) if id == user),
        "{:?}",
        regenerate_user.err()
    );
    let elsewhere = h.engine.send(SendRequest::edit(other, user, "Hi")).await;
    assert!(
        matches!(elsewhere, Err(EngineError::MessageNotInConversation(id)) if id == user),
        "{:?}",
        elsewhere.err()
    );
    let unknown = h.engine.send(SendRequest::regenerate(c, 9_999, None)).await;
    assert!(
        matches!(unknown, Err(EngineError::MessageNotInConversation(9_999))),
        "{:?}",
        unknown.err()
    );
    let with_text = SendRequest::new(
        valechat_core::chat::ConversationTarget::Existing(c),
        UserInput::text("extra"),
    )
    .at(BranchPoint::Regenerate {
        message_id: reply,
        model: None,
    });
    assert!(matches!(
        h.engine.send(with_text).await,
        Err(EngineError::InputWithRegenerate)
    ));

    assert_eq!(server.requests().len(), 1, "nothing more was sent");
    let messages = h.messages(c).await;
    assert_eq!(messages.len(), 2, "nothing more was stored");
    assert!(h.messages(other).await.is_empty());
    assert_eq!(messages[1].role, Role::Assistant);
}
