//! `/api/tags`, `/api/show` and `/api/pull` against the documented replies.

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use valechat_core::provider::ollama::{InstalledModel, PullProgress};
use valechat_core::provider::{ChatProvider, ModelInfo, ProviderError};

use super::{in_chunks, ndjson, ndjson_steps, provider};
use crate::support::{Reply, Step, TestServer, fixture};

/// The documented tag list with its two models in reverse order.
fn tags_reversed() -> Vec<u8> {
    let mut value: serde_json::Value =
        serde_json::from_slice(&fixture("ollama/tags_docs.json")).expect("fixture is JSON");
    value["models"]
        .as_array_mut()
        .expect("models is a list")
        .reverse();
    value.to_string().into_bytes()
}

#[tokio::test]
async fn installed_models_have_size_and_parameters_sorted_by_name() {
    let server =
        TestServer::start(vec![Reply::fixed(200, "application/json", tags_reversed())]).await;
    let ollama = provider(&server);
    let installed = ollama.installed_models().await.expect("tags parse");
    assert_eq!(
        installed,
        vec![
            InstalledModel {
                name: "codellama:13b".into(),
                size_bytes: 7_365_960_935,
                parameter_size: Some("13B".into()),
                quantization: Some("Q4_0".into()),
                family: Some("llama".into()),
            },
            InstalledModel {
                name: "llama3:latest".into(),
                size_bytes: 3_825_819_519,
                parameter_size: Some("7B".into()),
                quantization: Some("Q4_0".into()),
                family: Some("llama".into()),
            },
        ]
    );
    let requests = server.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" && r.path == "/api/tags")
    );
}

#[tokio::test]
async fn list_models_adds_context_length_and_capabilities_from_show() {
    // Both `/api/show` replies are the same document: the requests run
    // concurrently, so which model gets which connection is not fixed.
    let show = || {
        Reply::fixed(
            200,
            "application/json",
            fixture("ollama/show_openapi_example.json"),
        )
    };
    let server = TestServer::start(vec![
        Reply::fixed(200, "application/json", tags_reversed()),
        show(),
        show(),
    ])
    .await;
    let listed = provider(&server).list_models().await.expect("tags parse");
    let described = |id: &str| ModelInfo {
        context_length: Some(131_072),
        supports_tools: Some(false),
        supports_vision: Some(true),
        ..ModelInfo::new(id)
    };
    assert_eq!(
        listed,
        vec![described("codellama:13b"), described("llama3:latest")]
    );
    let mut asked: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/api/show")
        .map(|r| r.json()["model"].as_str().unwrap_or_default().to_owned())
        .collect();
    asked.sort();
    assert_eq!(asked, ["codellama:13b", "llama3:latest"]);
}

#[tokio::test]
async fn list_models_keeps_unknown_details_when_show_fails_or_beyond_the_limit() {
    let names: Vec<String> = (0..52).map(|i| format!("m{i:02}")).collect();
    let tags = serde_json::json!({
        "models": names.iter().map(|n| serde_json::json!({"name": n})).collect::<Vec<_>>()
    });
    let mut replies = vec![Reply::fixed(200, "application/json", tags.to_string())];
    replies.extend(
        (0..50).map(|_| Reply::fixed(404, "application/json", r#"{"error":"model not found"}"#)),
    );
    let server = TestServer::start(replies).await;
    let listed = provider(&server).list_models().await.expect("tags parse");
    let expected: Vec<ModelInfo> = names.iter().map(ModelInfo::new).collect();
    assert_eq!(listed, expected);
    let shows = server
        .requests()
        .iter()
        .filter(|r| r.path == "/api/show")
        .count();
    assert_eq!(shows, 50, "only the first 50 models are asked about");
}

#[tokio::test]
async fn show_reads_context_length_details_and_capabilities() {
    let server = TestServer::start(vec![Reply::fixed(
        200,
        "application/json",
        fixture("ollama/show_openapi_example.json"),
    )])
    .await;
    let details = provider(&server).show("gemma4").await.expect("show parses");
    assert_eq!(details.name, "gemma4");
    assert_eq!(details.context_length, Some(131_072));
    assert_eq!(details.parameter_size.as_deref(), Some("8.0B"));
    assert_eq!(details.quantization.as_deref(), Some("Q4_K_M"));
    assert_eq!(details.family.as_deref(), Some("gemma4"));
    assert_eq!(details.capabilities, ["completion", "vision"]);
    assert!(details.has_capability("vision") && !details.has_capability("tools"));
    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/api/show")
    );
    assert_eq!(sent.json(), serde_json::json!({"model": "gemma4"}));
}

#[tokio::test]
async fn show_of_a_missing_model_is_not_found() {
    let server = TestServer::start(vec![Reply::fixed(
        404,
        "application/json",
        r#"{"error":"model 'nope' not found"}"#,
    )])
    .await;
    let err = provider(&server).show("nope").await.err();
    assert_eq!(
        err,
        Some(ProviderError::NotFound {
            message: "model 'nope' not found".into()
        })
    );
}

/// Runs a pull against a server playing `reply`, returning every item.
async fn pull_items(reply: Reply) -> (Vec<Result<PullProgress, ProviderError>>, TestServer) {
    let server = TestServer::start(vec![reply]).await;
    let stream = provider(&server)
        .pull("llama3.2", CancellationToken::new())
        .await
        .expect("pull starts");
    (stream.collect().await, server)
}

fn step(status: &str) -> PullProgress {
    PullProgress {
        status: status.into(),
        digest: None,
        completed_bytes: None,
        total_bytes: None,
    }
}

#[tokio::test]
async fn pull_reports_the_documented_progress_sequence() {
    let body = fixture("ollama/pull_docs.ndjson");
    let (items, server) = pull_items(ndjson_steps(in_chunks(&body, 11))).await;
    let expected = vec![
        Ok(step("pulling manifest")),
        Ok(PullProgress {
            status: "downloading digestname".into(),
            digest: Some("digestname".into()),
            completed_bytes: Some(241_970),
            total_bytes: Some(2_142_590_208),
        }),
        Ok(step("verifying sha256 digest")),
        Ok(step("writing manifest")),
        Ok(step("removing any unused layers")),
        Ok(step("success")),
    ];
    assert_eq!(items, expected);
    assert!(matches!(items.last(), Some(Ok(p)) if p.is_success()));
    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/api/pull")
    );
    assert_eq!(
        sent.json(),
        serde_json::json!({"model": "llama3.2", "stream": true})
    );
}

#[tokio::test]
async fn pull_error_line_ends_the_progress_with_a_stream_error() {
    let body = concat!(
        "{\"status\":\"pulling manifest\"}\n",
        "{\"error\":\"pull model manifest: file does not exist\"}\n",
        "{\"status\":\"success\"}\n",
    );
    let (items, _) = pull_items(ndjson(body)).await;
    assert_eq!(
        items,
        vec![
            Ok(step("pulling manifest")),
            Err(ProviderError::Stream {
                message: "pull model manifest: file does not exist".into()
            })
        ]
    );
}

#[tokio::test]
async fn pull_cut_before_success_is_a_connection_error() {
    let (items, _) = pull_items(ndjson_steps(vec![
        Step::Send(b"{\"status\":\"pulling manifest\"}\n".to_vec()),
        Step::Cut,
    ]))
    .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(
        matches!(items[1], Err(ProviderError::Connection(_))),
        "{items:?}"
    );
}
