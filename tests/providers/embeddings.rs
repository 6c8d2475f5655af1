//! Embeddings over each wire format against a local server: the request
//! each protocol sends (path, key header, body), the vectors and input
//! tokens parsed, a list over the batch size split into several requests,
//! an error status mapped, and malformed or oversized replies refused.

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use valechat_core::provider::ProviderError;
use valechat_core::provider::embeddings::{
    self, EmbeddingProvider, EmbeddingRequest, Embeddings, anthropic_unsupported,
};
use valechat_core::provider::gemini::{GeminiConfig, GeminiProvider};
use valechat_core::provider::limits::MAX_EMBEDDINGS_REPLY_BYTES;
use valechat_core::provider::ollama::{OllamaConfig, OllamaProvider};
use valechat_core::provider::openai::{OpenAiConfig, OpenAiProvider};

use crate::support::{Reply, TestServer};

fn request(model: &str, n: usize) -> EmbeddingRequest {
    EmbeddingRequest {
        model: model.into(),
        inputs: (0..n).map(|i| format!("text {i}")).collect(),
    }
}

fn json_reply(body: &Value) -> Reply {
    Reply::fixed(200, "application/json", body.to_string())
}

/// An OpenAI reply for `n` inputs starting at `first`: vector `[i, 1.0]`
/// for input `i`, listed in reverse to check that `index` orders them.
fn openai_reply(first: usize, n: usize, tokens: u64) -> Reply {
    let data: Vec<Value> = (first..first + n)
        .rev()
        .map(|i| json!({"object": "embedding", "index": i - first, "embedding": [i as f32, 1.0]}))
        .collect();
    json_reply(
        &json!({"object": "list", "data": data, "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}),
    )
}

async fn embed(
    provider: &dyn EmbeddingProvider,
    request: EmbeddingRequest,
) -> Result<Embeddings, ProviderError> {
    provider.embed(request, CancellationToken::new()).await
}

fn openai(server: &TestServer) -> OpenAiProvider {
    OpenAiProvider::new(OpenAiConfig::new(server.base_url(), Some("sk-test".into()))).unwrap()
}

#[tokio::test]
async fn openai_sends_the_inputs_and_reads_vectors_and_prompt_tokens() {
    let server = TestServer::start(vec![openai_reply(0, 2, 7)]).await;
    let got = embed(&openai(&server), request("text-embedding-3-small", 2))
        .await
        .unwrap();
    assert_eq!(got.vectors, vec![vec![0.0, 1.0], vec![1.0, 1.0]]);
    assert_eq!(got.input_tokens, Some(7));
    assert_eq!(got.model, "text-embedding-3-small");
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "POST");
    assert!(sent.path.ends_with("/embeddings"), "{}", sent.path);
    assert_eq!(sent.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(
        sent.json(),
        json!({"model": "text-embedding-3-small", "input": ["text 0", "text 1"],
            "encoding_format": "float"})
    );
}

#[tokio::test]
async fn openai_splits_a_list_over_the_batch_size_and_adds_the_tokens() {
    let n = embeddings::openai::MAX_BATCH + 3;
    let server = TestServer::start(vec![
        openai_reply(0, embeddings::openai::MAX_BATCH, 100),
        openai_reply(embeddings::openai::MAX_BATCH, 3, 5),
    ])
    .await;
    let got = embed(&openai(&server), request("m", n)).await.unwrap();
    assert_eq!(got.vectors.len(), n);
    assert_eq!(got.vectors[n - 1], vec![(n - 1) as f32, 1.0]);
    assert_eq!(got.input_tokens, Some(105));
    let sizes: Vec<usize> = server
        .requests()
        .iter()
        .map(|r| r.json()["input"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [embeddings::openai::MAX_BATCH, 3]);
}

#[tokio::test]
async fn an_error_status_is_mapped() {
    let server = TestServer::start(vec![Reply::fixed(
        401,
        "application/json",
        r#"{"error":{"message":"Incorrect API key provided"}}"#,
    )])
    .await;
    let err = embed(&openai(&server), request("m", 1)).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::Unauthorized { message } if message.contains("Incorrect API key")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_wrong_count_a_mixed_dimension_or_a_non_number_is_malformed() {
    let replies = vec![
        openai_reply(0, 1, 1),
        json_reply(&json!({"data": [{"embedding": [1.0]}, {"embedding": [1.0, 2.0]}]})),
        json_reply(&json!({"data": [{"embedding": ["x"]}]})),
    ];
    for (reply, (n, words)) in replies.into_iter().zip([
        (2, "1 embeddings for 2 inputs"),
        (2, "embedding 1 has 2 dimensions"),
        (1, "an embeddings reply"),
    ]) {
        let server = TestServer::start(vec![reply]).await;
        let err = embed(&openai(&server), request("m", n)).await.unwrap_err();
        assert!(
            matches!(&err, ProviderError::Malformed(m) if m.contains(words)),
            "{words}: {err:?}"
        );
    }
}

#[tokio::test]
async fn an_oversized_reply_is_refused() {
    let body = vec![b' '; MAX_EMBEDDINGS_REPLY_BYTES + 1];
    let server = TestServer::start(vec![Reply::fixed(200, "application/json", body)]).await;
    let err = embed(&openai(&server), request("m", 1)).await.unwrap_err();
    assert!(
        matches!(&err, ProviderError::TooLarge(m) if m.contains("embeddings reply")),
        "{err:?}"
    );
}

#[tokio::test]
async fn gemini_sends_batch_embed_contents_in_batches_of_100() {
    let reply = |n: usize| {
        let embeddings: Vec<Value> = (0..n).map(|i| json!({"values": [i as f32, 0.5]})).collect();
        json_reply(&json!({ "embeddings": embeddings }))
    };
    let server = TestServer::start(vec![reply(embeddings::gemini::MAX_BATCH), reply(1)]).await;
    let provider =
        GeminiProvider::new(GeminiConfig::new(server.base_url(), Some("g-key".into()))).unwrap();
    let n = embeddings::gemini::MAX_BATCH + 1;
    let got = embed(&provider, request("gemini-embedding-001", n))
        .await
        .unwrap();
    assert_eq!(got.vectors.len(), n);
    assert_eq!(got.vectors[n - 1], vec![0.0, 0.5]);
    assert_eq!(got.input_tokens, None, "Gemini reports no tokens");
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert!(
        sent[0]
            .path
            .ends_with("/models/gemini-embedding-001:batchEmbedContents"),
        "{}",
        sent[0].path
    );
    assert_eq!(sent[0].header("x-goog-api-key"), Some("g-key"));
    let body = sent[1].json();
    assert_eq!(
        body,
        json!({"requests": [{"model": "models/gemini-embedding-001",
            "content": {"parts": [{"text": format!("text {}", n - 1)}]}}]})
    );
}

#[tokio::test]
async fn ollama_sends_api_embed_and_reads_prompt_eval_count() {
    let server = TestServer::start(vec![json_reply(&json!({
        "model": "nomic-embed-text", "embeddings": [[0.1, 0.2, 0.3]],
        "prompt_eval_count": 4
    }))])
    .await;
    let provider = OllamaProvider::new(OllamaConfig::new(server.base_url(), None)).unwrap();
    let got = embed(&provider, request("nomic-embed-text", 1))
        .await
        .unwrap();
    assert_eq!(got.vectors, vec![vec![0.1, 0.2, 0.3]]);
    assert_eq!(got.input_tokens, Some(4));
    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/api/embed");
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(
        sent.json(),
        json!({"model": "nomic-embed-text", "input": ["text 0"]})
    );
}

#[test]
fn anthropic_has_no_embeddings_api() {
    let err = anthropic_unsupported();
    assert!(
        matches!(&err, ProviderError::Unsupported(m) if m.contains("Anthropic has no embeddings API")),
        "{err:?}"
    );
}
