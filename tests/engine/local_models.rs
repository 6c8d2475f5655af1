//! The engine's models on this computer: the models loaded in its runner
//! (id, memory, context, since when, last use), unloading one, and
//! embeddings through `Engine::embed`, on the tiny GGUF of
//! `tests/llamacpp/make_tiny_model.py` run by the real `valechat local-runner`.

use std::time::SystemTime;

use valechat_core::chat::LocalModelError;
use valechat_core::local::library::{self, ImportMode};

use super::local::{local_harness, tiny_model};
use crate::Harness;

/// The local harness with the tiny model imported; its model id.
async fn with_tiny_model() -> (Harness, String) {
    let h = local_harness().await;
    let file = tiny_model(h.dir.path()).await;
    let imported = library::import(
        h.engine.store(),
        &file,
        ImportMode::Reference,
        &h.dir.path().join("models"),
    )
    .await
    .expect("import");
    (h, imported.model_id.clone())
}

#[tokio::test]
async fn loaded_models_are_listed_with_their_memory_and_can_be_unloaded() {
    let (h, id) = with_tiny_model().await;
    let engine = &h.engine;
    assert!(
        engine.loaded_local_models().await.unwrap().is_empty(),
        "nothing loaded before use"
    );
    assert!(matches!(
        engine.unload_local_model(&id).await,
        Err(LocalModelError::NotLoaded(m)) if m == id
    ));

    let before = SystemTime::now();
    let provider = engine.providers().local_provider().await.unwrap();
    provider.load(&id).await.expect("load");
    let loaded = engine.loaded_local_models().await.unwrap();
    assert_eq!(loaded.len(), 1, "{loaded:?}");
    let model = &loaded[0];
    assert_eq!(model.id, id);
    assert_eq!(model.context_length, 256, "the engine's context length");
    assert!(model.weights_bytes > 0);
    assert!(
        model.memory_bytes > model.weights_bytes,
        "weights plus the KV cache: {model:?}"
    );
    assert!(model.loaded_at >= before && model.loaded_at <= SystemTime::now());
    assert_eq!(model.last_used, None, "loaded ahead of use");

    // Using it (an embedding) records its last use.
    engine
        .embed(&id, &["Hello world!".to_owned()])
        .await
        .unwrap();
    let used = engine.loaded_local_models().await.unwrap()[0].last_used;
    assert!(used.is_some_and(|t| t >= model.loaded_at), "{used:?}");

    engine.unload_local_model(&id).await.expect("unload");
    assert!(engine.loaded_local_models().await.unwrap().is_empty());
    assert!(matches!(
        engine.unload_local_model(&id).await,
        Err(LocalModelError::NotLoaded(_))
    ));
    // A later use loads it again.
    engine.embed(&id, &["again".to_owned()]).await.unwrap();
    assert_eq!(engine.loaded_local_models().await.unwrap().len(), 1);
}

#[tokio::test]
async fn embeddings_are_unit_vectors_one_per_text_in_order() {
    let (h, id) = with_tiny_model().await;
    let texts: Vec<String> = ["hello world", "tell me a story", "hello world"]
        .map(String::from)
        .to_vec();
    let vectors = h.engine.embed(&id, &texts).await.expect("embed");
    assert_eq!(vectors.len(), 3);
    for v in &vectors {
        assert_eq!(v.len(), 64, "the model's embedding length");
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "normalised: {norm}");
    }
    assert_ne!(vectors[0], vectors[1]);
    assert_eq!(vectors[0], vectors[2], "the same text, the same vector");
    assert!(h.engine.embed(&id, &[]).await.unwrap().is_empty());
}

#[tokio::test]
async fn texts_that_cannot_be_embedded_are_refused_clearly() {
    let (h, id) = with_tiny_model().await;
    let err = h
        .engine
        .embed(&id, &["fine".to_owned(), "  ".to_owned()])
        .await
        .unwrap_err();
    assert!(matches!(err, LocalModelError::EmptyText(2)), "{err:?}");

    let long = "hello world ".repeat(400);
    let err = h
        .engine
        .embed(&id, &["fine".to_owned(), long])
        .await
        .unwrap_err();
    let LocalModelError::TextTooLong {
        index,
        tokens,
        limit,
        ..
    } = err
    else {
        panic!("not too long: {err:?}");
    };
    assert_eq!((index, limit), (2, 256));
    assert!(tokens > 256, "{tokens}");
    assert!(err.to_string().contains("text 2 has"), "{err}");

    let err = h
        .engine
        .embed("999", &["hello".to_owned()])
        .await
        .unwrap_err();
    assert!(matches!(err, LocalModelError::Provider(_)), "{err:?}");
    assert!(err.to_string().contains("999"), "{err}");
}

#[tokio::test]
async fn an_engine_without_the_runner_says_so() {
    let h = Harness::new().await;
    for err in [
        h.engine
            .loaded_local_models()
            .await
            .map(|_| ())
            .unwrap_err(),
        h.engine.unload_local_model("tiny-chat").await.unwrap_err(),
        h.engine
            .embed("tiny-chat", &["x".to_owned()])
            .await
            .map(|_| ())
            .unwrap_err(),
    ] {
        assert!(matches!(err, LocalModelError::NotInThisBuild), "{err:?}");
        assert!(err.to_string().contains("without models on this computer"));
    }
}
