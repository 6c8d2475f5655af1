//! `GET /v1/models`: every enabled provider's models in OpenAI's list shape
//! (`ListModelsResponse`: `{"object":"list","data":[{"id","object":"model",
//! "created","owned_by"}]}`), with ids `provider/model` and `owned_by` the
//! provider id. Providers are asked concurrently, as the window's model
//! picker asks them; one that cannot list its models is left out (and
//! logged), so one server down does not hide the others'.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use valechat_core::chat::Engine;

use super::errors::ApiError;

/// One entry of the list (OpenAI's `Model` object).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelEntry {
    /// `provider/model`, what `model` in a chat completion request names.
    pub id: String,
    /// Always `"model"`.
    pub object: &'static str,
    /// When the provider was configured in ValeChat, unix seconds (the
    /// models' own dates are not known for every protocol).
    pub created: i64,
    /// The provider id.
    pub owned_by: String,
}

/// The list (OpenAI's `ListModelsResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelList {
    /// Always `"list"`.
    pub object: &'static str,
    /// The models, provider by provider in the store's order, each
    /// provider's sorted by id.
    pub data: Vec<ModelEntry>,
}

/// Every enabled provider's models.
///
/// # Errors
/// 500 when the providers cannot be read from the database.
pub async fn list(engine: &Engine) -> Result<ModelList, ApiError> {
    let providers = engine.providers().list().await.map_err(ApiError::from)?;
    let lists = futures::future::join_all(providers.into_iter().filter(|p| p.enabled).map(
        |provider| async move {
            let models = engine.providers().list_models(&provider.id).await;
            (provider, models)
        },
    ))
    .await;
    let mut data = Vec::new();
    for (provider, models) in lists {
        match models {
            Ok(models) => data.extend(models.into_iter().map(|model| ModelEntry {
                id: format!("{}/{}", provider.id, model.id),
                object: "model",
                created: provider.created_at,
                owned_by: provider.id.clone(),
            })),
            Err(error) => {
                tracing::warn!(provider = %provider.id, %error, "left out of /v1/models");
            }
        }
    }
    Ok(ModelList {
        object: "list",
        data,
    })
}

/// The route's handler.
pub async fn handle(State(engine): State<Engine>) -> Result<Json<ModelList>, ApiError> {
    list(&engine).await.map(Json)
}
