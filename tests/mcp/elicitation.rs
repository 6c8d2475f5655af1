//! Elicitation through the core's form model against server-everything's
//! `trigger-elicitation-request`: the request is parsed into typed fields,
//! filled from the defaults plus a few typed values, validated, and the
//! server reports what it received.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{ElicitRequestParams, ElicitResult, ElicitationAction};
use serde_json::json;
use tokio_util::sync::CancellationToken;
use valechat_core::mcp::elicitation::{Elicitation, ElicitationForm, FieldKind, FieldValue};
use valechat_core::mcp::{CallOptions, ClientHooks, Elicitor, McpConnection, ServerLog};
use valechat_core::secrets::MemoryKeyStore;

use super::common::everything_config;

/// What the form-filling user does.
#[derive(Clone, Copy)]
enum Answer {
    /// Fill the defaults, type the given values, submit.
    Fill,
    /// Press Decline.
    Decline,
}

/// Fills forms like a user at the dialog, keeping the parsed form.
struct FormFiller {
    answer: Answer,
    typed: Vec<(&'static str, FieldValue)>,
    seen: Mutex<Option<ElicitationForm>>,
    /// How long the user takes to answer.
    think: Duration,
}

#[async_trait::async_trait]
impl Elicitor for FormFiller {
    async fn elicit(&self, _server_id: &str, params: ElicitRequestParams) -> ElicitResult {
        let Elicitation::Form(form) = Elicitation::parse(params).expect("a request ValeChat shows")
        else {
            panic!("server-everything asked for a URL");
        };
        *self.seen.lock().unwrap() = Some(form.clone());
        tokio::time::sleep(self.think).await;
        if let Answer::Decline = self.answer {
            return ElicitResult::new(ElicitationAction::Decline);
        }
        let mut values = form.initial_values();
        for (name, value) in &self.typed {
            let i = form
                .fields
                .iter()
                .position(|f| f.name == *name)
                .expect("a field of the form");
            values[i] = value.clone();
        }
        form.accept(&values).expect("a valid form")
    }
}

async fn trigger(filler: Arc<FormFiller>, options: CallOptions) -> String {
    let hooks = ClientHooks {
        elicitor: Some(filler),
        ..ClientHooks::default()
    };
    let conn = McpConnection::connect(
        &everything_config(),
        &MemoryKeyStore::new(),
        hooks,
        ServerLog::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("connecting to server-everything: {e}"));
    let outcome = conn
        .call_tool(
            "trigger-elicitation-request",
            json!({}),
            options,
            CancellationToken::new(),
        )
        .await
        .expect("calling trigger-elicitation-request");
    conn.shutdown().await;
    assert!(!outcome.is_error, "{outcome:?}");
    outcome.text()
}

#[tokio::test]
async fn a_filled_form_reaches_the_server_with_defaults_and_typed_values() {
    let filler = Arc::new(FormFiller {
        answer: Answer::Fill,
        typed: vec![
            ("name", FieldValue::Text("Ada Lovelace".into())),
            ("email", FieldValue::Text("ada@example.com".into())),
            ("check", FieldValue::Bool(true)),
            ("integer", FieldValue::Text("7".into())),
        ],
        seen: Mutex::new(None),
        think: Duration::ZERO,
    });
    let text = trigger(filler.clone(), CallOptions::default()).await;
    for line in [
        "- Name: Ada Lovelace",
        "- Agreed to terms: true",
        "- Email: ada@example.com",
        "- Favorite Integer: 7",
        // Defaults the user left alone.
        "- Favorite Number: 3.14",
    ] {
        assert!(text.contains(line), "{line:?} missing from {text}");
    }
    // The raw result echoes the whole content: enum defaults included.
    assert!(
        text.contains("\"titledSingleSelectEnum\": \"hero-1\""),
        "{text}"
    );
    assert!(text.contains("\"legacyTitledEnum\": \"pet-1\""), "{text}");
    assert!(
        text.contains("\"firstLine\": \"It was a dark and stormy night.\""),
        "{text}"
    );
    // Optional fields without a default are left out.
    assert!(!text.contains("\"homepage\""), "{text}");

    let form = filler
        .seen
        .lock()
        .unwrap()
        .clone()
        .expect("the form was seen");
    assert_eq!(
        form.message,
        "Please provide inputs for the following fields:"
    );
    assert_eq!(form.fields[0].name, "name", "server order kept");
    assert!(form.fields[0].required);
    let kind = |name: &str| {
        form.fields
            .iter()
            .find(|f| f.name == name)
            .unwrap()
            .kind
            .clone()
    };
    assert!(matches!(
        kind("integer"),
        FieldKind::Integer {
            minimum: Some(1),
            maximum: Some(100),
            default: Some(42)
        }
    ));
    assert!(matches!(
        kind("untitledMultipleSelectEnum"),
        FieldKind::MultiChoice {
            min_items: Some(1),
            max_items: Some(3),
            ..
        }
    ));
    let FieldKind::Choice { options, .. } = kind("legacyTitledEnum") else {
        panic!("legacy enum is a single choice");
    };
    assert_eq!(options[0].title, "Cats");
}

#[tokio::test]
async fn a_declined_form_is_reported_as_declined() {
    let filler = Arc::new(FormFiller {
        answer: Answer::Decline,
        typed: Vec::new(),
        seen: Mutex::new(None),
        think: Duration::ZERO,
    });
    let text = trigger(filler.clone(), CallOptions::default()).await;
    assert!(text.contains("User declined"), "{text}");
    assert!(!text.contains("User inputs"), "{text}");
    assert!(filler.seen.lock().unwrap().is_some());
}

/// A user who takes longer than the call's idle limit to fill the form:
/// the limit stands still while the form is open, so the call completes.
#[tokio::test]
async fn a_slow_user_does_not_make_the_tool_call_time_out() {
    let filler = Arc::new(FormFiller {
        answer: Answer::Decline,
        typed: Vec::new(),
        seen: Mutex::new(None),
        think: Duration::from_millis(2_500),
    });
    let options = CallOptions {
        timeout_ms: 500,
        ..CallOptions::default()
    };
    let text = trigger(filler, options).await;
    assert!(text.contains("User declined"), "{text}");
}

/// Accepts every URL elicitation and records the pages, as a user pressing
/// Open in the confirmation dialog.
#[derive(Default)]
struct UrlOpener {
    opened: Mutex<Vec<String>>,
    decline: bool,
}

#[async_trait::async_trait]
impl Elicitor for UrlOpener {
    async fn elicit(&self, _server_id: &str, params: ElicitRequestParams) -> ElicitResult {
        let Elicitation::Url(request) =
            Elicitation::parse(params).expect("a request ValeChat shows")
        else {
            panic!("expected a URL elicitation");
        };
        self.opened.lock().unwrap().push(request.url);
        if self.decline {
            ElicitResult::new(ElicitationAction::Decline)
        } else {
            ElicitResult::new(ElicitationAction::Accept)
        }
    }
}

/// Calls `trigger-url-elicitation` on its error path: the server answers
/// `-32042` with a prerequisite page, ValeChat shows it, sends the call
/// again, and the server then asks for its own page through
/// `elicitation/create`.
async fn url_error_path(opener: Arc<UrlOpener>) -> Result<String, String> {
    let hooks = ClientHooks {
        elicitor: Some(opener),
        ..ClientHooks::default()
    };
    let conn = McpConnection::connect(
        &everything_config(),
        &MemoryKeyStore::new(),
        hooks,
        ServerLog::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("connecting to server-everything: {e}"));
    let outcome = conn
        .call_tool(
            "trigger-url-elicitation",
            json!({"url": "https://example.com/connect", "elicitationId": "vc-1", "errorPath": true}),
            CallOptions::default(),
            CancellationToken::new(),
        )
        .await;
    conn.shutdown().await;
    outcome.map(|o| o.text()).map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_url_elicitation_required_error_is_shown_then_the_call_is_sent_again() {
    let opener = Arc::new(UrlOpener::default());
    let text = url_error_path(opener.clone())
        .await
        .expect("the call completes after the prerequisite page");
    assert!(
        text.contains("User completed the URL elicitation flow"),
        "{text}"
    );
    assert_eq!(
        *opener.opened.lock().unwrap(),
        [
            "https://modelcontextprotocol.io",
            "https://example.com/connect"
        ],
        "the prerequisite page (-32042), then the tool's own page"
    );
}

#[tokio::test]
async fn a_declined_prerequisite_page_ends_the_call_with_a_clear_error() {
    let opener = Arc::new(UrlOpener {
        decline: true,
        ..UrlOpener::default()
    });
    let error = url_error_path(opener.clone()).await.expect_err("declined");
    assert!(
        error.contains("needs you to open https://modelcontextprotocol.io first"),
        "{error}"
    );
    assert_eq!(opener.opened.lock().unwrap().len(), 1, "asked once");
}
