//! Repository of `model_favourites`: the models a person starred in the
//! model picker, one row per (provider, model). Rows go with their provider
//! (`ON DELETE CASCADE`).

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::model_favourites;
use super::{Store, now_ms};

/// A favourite model.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = model_favourites)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
pub struct Favourite {
    /// Id of the provider offering the model (`providers.id`).
    pub provider_id: String,
    /// Model id as the server names it (`gpt-4o-mini`).
    pub model: String,
    /// When it was starred, UTC unix milliseconds.
    pub created_at: i64,
}

impl Store {
    /// Every favourite, oldest first (then by provider and model).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn list_favourites(&self) -> Result<Vec<Favourite>, StoreError> {
        self.run(|conn| {
            model_favourites::table
                .order((
                    model_favourites::created_at.asc(),
                    model_favourites::provider_id.asc(),
                    model_favourites::model.asc(),
                ))
                .select(Favourite::as_select())
                .load(conn)
                .map_err(StoreError::during("listing favourite models"))
        })
        .await
    }

    /// Stars (`favourite == true`) or unstars `model` of `provider_id`.
    /// Starring a favourite again keeps its original `created_at`;
    /// unstarring a model that is not a favourite does nothing.
    ///
    /// # Errors
    /// [`StoreError::Query`] when starring for a provider id that does not
    /// exist (foreign key); [`StoreError::Pool`], [`StoreError::DiskFull`].
    pub async fn set_favourite(
        &self,
        provider_id: &str,
        model: &str,
        favourite: bool,
    ) -> Result<(), StoreError> {
        let (provider_id, model) = (provider_id.to_owned(), model.to_owned());
        self.run(move |conn| {
            if favourite {
                diesel::insert_or_ignore_into(model_favourites::table)
                    .values((
                        model_favourites::provider_id.eq(&provider_id),
                        model_favourites::model.eq(&model),
                        model_favourites::created_at.eq(now_ms()),
                    ))
                    .execute(conn)
                    .map_err(StoreError::during("starring a model"))?;
            } else {
                diesel::delete(model_favourites::table.find((&provider_id, &model)))
                    .execute(conn)
                    .map_err(StoreError::during("unstarring a model"))?;
            }
            Ok(())
        })
        .await
    }
}
