//! "On this computer" beyond one reply, on the tiny ChatML model: the
//! sampling parameters a request carries reach the runner's sampler chain
//! (top-k, seed); a model too large for the memory available is refused
//! before loading; a model idle for the set time is unloaded.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use valechat_core::local::idle::{Activity, spawn_idle_unloader};
use valechat_core::local::protocol::Op;
use valechat_core::provider::{ChatRequest, ProviderError, SamplingParameters};

use crate::local::{collect, provider, provider_with_context, request, stream_error, tiny};

#[tokio::test]
async fn top_k_and_seed_reach_the_sampler() {
    let dir = tempfile::tempdir().unwrap();
    let chatml = tiny(dir.path(), "chatml.gguf", &["--chat-template", "chatml"]).await;
    let provider = provider(&[("m", &chatml)]);
    let asked = |temperature: f32, sampling: SamplingParameters| ChatRequest {
        temperature: Some(temperature),
        sampling,
        ..request("m", "Hello world!", Some(12))
    };
    let greedy = collect(&provider, asked(0.0, SamplingParameters::default()))
        .await
        .0;
    // Top-k 1 leaves the likeliest token only: greedy, whatever the seed
    // and the temperature.
    for seed in [1, 2, 3] {
        let top1 = SamplingParameters {
            top_k: Some(1),
            seed: Some(seed),
            ..SamplingParameters::default()
        };
        assert_eq!(collect(&provider, asked(1.5, top1)).await.0, greedy);
    }
    // Without it, at a high temperature the seed decides, and the same
    // seed gives the same reply.
    let mut texts = HashSet::new();
    for seed in [1, 2, 3] {
        // The whole distribution, so that the seed has something to choose.
        let seeded = SamplingParameters {
            seed: Some(seed),
            top_p: Some(1.0),
            min_p: Some(0.0),
            ..SamplingParameters::default()
        };
        let first = collect(&provider, asked(1.5, seeded)).await.0;
        assert_eq!(
            collect(&provider, asked(1.5, seeded)).await.0,
            first,
            "the same seed gives the same reply"
        );
        texts.insert(first);
    }
    assert!(
        texts.len() > 1,
        "different seeds, different replies: {texts:?}"
    );
}

#[tokio::test]
async fn a_model_too_large_for_the_memory_available_is_refused_naming_both_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let chatml = tiny(dir.path(), "chatml.gguf", &["--chat-template", "chatml"]).await;
    // A context of 4 billion tokens: a KV cache no computer has memory for.
    let provider = provider_with_context(&[("m", &chatml)], u32::MAX);
    let error = stream_error(&provider, request("m", "Hello world!", Some(4))).await;
    let ProviderError::Config(message) = error else {
        panic!("a configuration error, not {error:?}");
    };
    assert!(
        message.contains("needs about") && message.contains("is available"),
        "{message}"
    );
    assert!(message.contains(" GB"), "sizes named: {message}");
    assert!(
        !provider.client().is_loaded("m").await,
        "nothing was loaded"
    );
}

#[tokio::test]
async fn a_model_idle_for_the_set_time_is_unloaded_and_loads_again_on_use() {
    let dir = tempfile::tempdir().unwrap();
    let chatml = tiny(dir.path(), "chatml.gguf", &["--chat-template", "chatml"]).await;
    let activity = Arc::new(Activity::default());
    let provider = provider(&[("m", &chatml)]).with_activity(activity.clone());
    let client = provider.client().clone();
    let idle = Duration::from_secs(3);
    let _unloader = spawn_idle_unloader(Arc::downgrade(&client), activity, idle);

    let (text, _, _) = collect(&provider, request("m", "Hello world!", Some(4))).await;
    assert!(!text.is_empty());
    assert!(client.is_loaded("m").await);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(client.is_loaded("m").await, "not idle long enough yet");

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while client.is_loaded("m").await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "still loaded 20 s after its last use"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let listed = client.request(Op::List).await.unwrap();
    assert_eq!(listed, serde_json::json!([]), "the runner freed it");

    let (again, _, _) = collect(&provider, request("m", "Hello world!", Some(4))).await;
    assert!(!again.is_empty(), "used again, it loads again");
}
