//! Downloading a model to a configured Ollama provider: the recorded
//! `/api/pull` progress stream, its byte fractions, and the refusals.

use futures::StreamExt;
use tokio_util::sync::CancellationToken;
use valechat_core::chat::EngineError;
use valechat_core::provider::ProtocolKind;

use crate::Harness;
use crate::support::{Reply, Step, TestServer, fixture};

#[tokio::test]
async fn pull_streams_the_recorded_progress_to_success() {
    let body = fixture("ollama/pull_docs.ndjson");
    // Split mid-line so the NDJSON framing is exercised too.
    let steps = body.chunks(23).map(|c| Step::Send(c.to_vec())).collect();
    let server = TestServer::start(vec![Reply::sse(steps)]).await;
    let h = Harness::new().await;
    let id = h
        .engine
        .providers()
        .add(
            ProtocolKind::Ollama,
            "Ollama",
            &format!("http://{}", server.addr),
            None,
        )
        .await
        .expect("add")
        .id;
    let stream = h
        .engine
        .providers()
        .pull_model(&id, " llama3.2 ", CancellationToken::new())
        .await
        .expect("the pull starts");
    let items: Vec<_> = stream.collect().await;
    let steps: Vec<_> = items.into_iter().map(|i| i.expect("no error")).collect();
    let statuses: Vec<&str> = steps.iter().map(|s| s.status.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "pulling manifest",
            "downloading digestname",
            "verifying sha256 digest",
            "writing manifest",
            "removing any unused layers",
            "success",
        ]
    );
    assert_eq!(steps[0].fraction(), None);
    assert_eq!(steps[1].completed_bytes, Some(241_970));
    assert_eq!(steps[1].total_bytes, Some(2_142_590_208));
    let fraction = steps[1].fraction().expect("a download step has a fraction");
    assert!(
        (fraction - 241_970.0 / 2_142_590_208.0).abs() < 1e-12,
        "{fraction}"
    );
    assert!(steps[5].is_success());

    let request = &server.requests()[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/api/pull")
    );
    assert_eq!(
        request.json(),
        serde_json::json!({"model": "llama3.2", "stream": true})
    );
}

#[tokio::test]
async fn only_ollama_providers_pull_and_a_name_is_needed() {
    let h = Harness::new().await;
    let openai = h
        .engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "LM",
            "http://127.0.0.1:1/v1",
            None,
        )
        .await
        .unwrap()
        .id;
    let err = h
        .engine
        .providers()
        .pull_model(&openai, "llama3.2", CancellationToken::new())
        .await
        .err();
    assert!(
        matches!(&err, Some(EngineError::CannotPull(name)) if name == "LM"),
        "{err:?}"
    );
    let ollama = h
        .engine
        .providers()
        .add(ProtocolKind::Ollama, "Ollama", "http://127.0.0.1:1", None)
        .await
        .unwrap()
        .id;
    let err = h
        .engine
        .providers()
        .pull_model(&ollama, "  ", CancellationToken::new())
        .await
        .err();
    assert!(
        matches!(err, Some(EngineError::EmptyProviderField("model name"))),
        "{err:?}"
    );
    assert!(matches!(
        h.engine
            .providers()
            .pull_model("nope", "x", CancellationToken::new())
            .await
            .err(),
        Some(EngineError::UnknownProvider(_))
    ));
}
