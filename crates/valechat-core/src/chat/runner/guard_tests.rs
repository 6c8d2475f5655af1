//! A provider that panics in the middle of its stream: the turn ends as
//! failed, the text that arrived is kept, the message is no longer
//! `streaming` and the reservation goes back.

use std::sync::Arc;

use futures::{StreamExt, stream};
use rust_decimal::Decimal;
use tokio_util::sync::CancellationToken;

use crate::billing::ModelPrice;
use crate::chat::{Engine, EngineError, SendOptions, TurnEvent};
use crate::ledger::{LimitScope, NewLimit};
use crate::provider::{
    ChatEvent, ChatMessage, ChatProvider, ChatRequest, ChatStream, ModelInfo, ProtocolKind,
    ProviderError,
};
use crate::secrets::MemoryKeyStore;
use crate::store::{MessageStatus, Store};

/// Sends "Half a rep" then panics while the next event is awaited.
struct PanicsMidStream;

#[async_trait::async_trait]
impl ChatProvider for PanicsMidStream {
    async fn stream_chat(
        &self,
        _request: ChatRequest,
        _cancel: CancellationToken,
    ) -> Result<ChatStream, ProviderError> {
        let events = stream::iter([0, 1]).map(|n| {
            assert!(n == 0, "the provider's parser hit a bug");
            Ok(ChatEvent::TextDelta("Half a rep".into()))
        });
        Ok(Box::pin(events))
    }

    async fn list_models(&self) -> Result<Vec<ModelInfo>, ProviderError> {
        Ok(Vec::new())
    }
}

#[tokio::test]
async fn a_panic_mid_stream_fails_the_turn_and_keeps_the_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("v.db")).await.expect("store");
    let engine = Engine::new(store.clone(), Arc::new(MemoryKeyStore::new()));
    let provider = engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "P",
            "http://127.0.0.1:9/v1",
            None,
        )
        .await
        .expect("provider")
        .id;
    // A price and a hard limit, so that the request holds a reservation.
    let price = ModelPrice::from_per_million(Decimal::from(10), Decimal::from(30));
    store
        .set_user_price(&provider, "m", price, 0)
        .await
        .expect("price");
    let limit = NewLimit::hard(LimitScope::GlobalMonth, None, Decimal::from(100));
    store.create_limit(limit).await.expect("limit");
    let conversation = engine
        .new_conversation(Some(&provider), Some("m"))
        .await
        .expect("conversation");
    let messages = vec![ChatMessage::user("Hi")];
    let meter = engine
        .meter(&conversation, &provider, "m", SendOptions::default(), None)
        .await
        .expect("meter");
    let first = meter.preflight(messages.clone()).await.expect("reserved");
    assert!(reserved(&store).await > Decimal::ZERO);

    let mut turn = engine.start_turn(
        Arc::new(PanicsMidStream),
        &conversation,
        (provider, "m".into()),
        messages,
        (None, crate::store::MessageParent::ActiveLeaf),
        (meter, first),
    );
    let mut events = Vec::new();
    let guard = std::time::Duration::from_secs(10);
    while let Some(event) = tokio::time::timeout(guard, turn.next())
        .await
        .expect("the turn hangs")
    {
        events.push(event);
    }
    let Some(TurnEvent::Failed {
        message: Some(message),
        error,
    }) = events.last()
    else {
        panic!("the turn did not end as failed: {events:?}");
    };
    assert!(
        matches!(error.as_ref(), EngineError::Internal(w) if w.contains("the provider's parser hit a bug")),
        "{error:?}"
    );
    assert_eq!(message.status, MessageStatus::Incomplete);
    assert_eq!(message.content, "Half a rep");
    let stored = store
        .list_messages(conversation.id)
        .await
        .expect("messages");
    assert!(stored.iter().all(|m| m.status != MessageStatus::Streaming));
    assert_eq!(reserved(&store).await, Decimal::ZERO);
}

/// USD held by reservations under the limits.
async fn reserved(store: &Store) -> Decimal {
    let now = chrono::Utc::now().timestamp_millis();
    store
        .limit_status(now, &chrono::Utc)
        .await
        .expect("status")
        .iter()
        .map(|s| s.reserved)
        .sum()
}
