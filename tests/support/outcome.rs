//! Folding a [`ChatStream`] into an [`Outcome`] for assertions, shared by
//! the provider tests.

use std::collections::BTreeMap;

use futures::StreamExt;
use valechat_core::provider::{ChatEvent, ChatStream, FinishReason, ProviderError, Usage};

/// Everything a stream produced, folded for assertions.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The events, in order.
    pub events: Vec<ChatEvent>,
    /// The error that ended the stream, if any.
    pub error: Option<ProviderError>,
}

impl Outcome {
    /// Concatenated text deltas.
    pub fn text(&self) -> String {
        self.concat(|e| match e {
            ChatEvent::TextDelta(t) => Some(t),
            _ => None,
        })
    }

    /// Concatenated refusal deltas.
    pub fn refusal(&self) -> String {
        self.concat(|e| match e {
            ChatEvent::RefusalDelta(t) => Some(t),
            _ => None,
        })
    }

    /// Concatenated reasoning (thinking) deltas.
    pub fn reasoning(&self) -> String {
        self.concat(|e| match e {
            ChatEvent::ReasoningDelta(t) => Some(t),
            _ => None,
        })
    }

    /// Concatenation of the strings `pick` selects.
    pub fn concat(&self, pick: impl Fn(&ChatEvent) -> Option<&String>) -> String {
        self.events
            .iter()
            .filter_map(pick)
            .map(String::as_str)
            .collect()
    }

    /// Every finish reason, in order.
    pub fn finishes(&self) -> Vec<FinishReason> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Finished(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every usage event, in order.
    pub fn usages(&self) -> Vec<Usage> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Usage(u) => Some(*u),
                _ => None,
            })
            .collect()
    }

    /// Every `Started` event as (id, model).
    pub fn started(&self) -> Vec<(Option<String>, Option<String>)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Started { id, model } => Some((id.clone(), model.clone())),
                _ => None,
            })
            .collect()
    }

    /// Tool calls by index: (id, name, concatenated arguments).
    pub fn tools(&self) -> BTreeMap<u32, (String, String, String)> {
        let mut calls: BTreeMap<u32, (String, String, String)> = BTreeMap::new();
        for event in &self.events {
            match event {
                ChatEvent::ToolCallStart { index, id, name } => {
                    let old = calls.insert(*index, (id.clone(), name.clone(), String::new()));
                    assert!(old.is_none(), "tool call {index} started twice");
                }
                ChatEvent::ToolCallArgumentsDelta { index, fragment } => {
                    calls
                        .get_mut(index)
                        .expect("arguments before start")
                        .2
                        .push_str(fragment);
                }
                _ => {}
            }
        }
        calls
    }
}

/// Reads `stream` to its end; fails the test if an item follows an error.
pub async fn drain(mut stream: ChatStream) -> Outcome {
    let mut outcome = Outcome::default();
    while let Some(item) = stream.next().await {
        assert!(outcome.error.is_none(), "item after an error: {item:?}");
        match item {
            Ok(event) => outcome.events.push(event),
            Err(e) => outcome.error = Some(e),
        }
    }
    outcome
}

/// `args` parsed as JSON; fails the test when it is not.
pub fn args_json(args: &str) -> serde_json::Value {
    serde_json::from_str(args).unwrap_or_else(|e| panic!("arguments {args:?} are not JSON: {e}"))
}
