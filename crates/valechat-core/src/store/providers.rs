//! Repository of `providers`: configured endpoints (never their keys).

use diesel::prelude::*;

use super::error::StoreError;
use super::models::{NewProvider, Provider};
use super::schema::providers;
use super::{Store, now_ms};

/// Id used when a name has no letters or digits at all.
const FALLBACK_SLUG: &str = "provider";

/// Turns a display name into an id: letters and digits lower-cased, every
/// other run of characters one `-`, no `-` at either end
/// (`"Ollama (local)"` → `"ollama-local"`, `"Dépôt"` → `"dépôt"`);
/// `"provider"` if nothing is left.
#[must_use]
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        FALLBACK_SLUG.to_owned()
    } else {
        slug
    }
}

impl Store {
    /// Every provider, sorted by name then id.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn list_providers(&self) -> Result<Vec<Provider>, StoreError> {
        self.run(|conn| {
            providers::table
                .order((providers::name.asc(), providers::id.asc()))
                .select(Provider::as_select())
                .load(conn)
                .map_err(StoreError::during("listing providers"))
        })
        .await
    }

    /// The provider with `id`, or `None`.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn get_provider(&self, id: &str) -> Result<Option<Provider>, StoreError> {
        let id = id.to_owned();
        self.run(move |conn| {
            providers::table
                .find(id)
                .select(Provider::as_select())
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a provider"))
        })
        .await
    }

    /// Adds an enabled provider whose id is [`slugify`]`(name)`, made unique
    /// by appending `-2`, `-3`… (`"Ollama"` twice → `ollama`, `ollama-2`).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn insert_provider(&self, new: NewProvider) -> Result<Provider, StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                let id = free_id(conn, &slugify(&new.name))?;
                let now = now_ms();
                diesel::insert_into(providers::table)
                    .values((
                        providers::id.eq(&id),
                        providers::name.eq(&new.name),
                        providers::kind.eq(&new.kind),
                        providers::base_url.eq(&new.base_url),
                        providers::has_api_key.eq(new.has_api_key),
                        providers::default_model.eq(&new.default_model),
                        providers::enabled.eq(true),
                        providers::created_at.eq(now),
                        providers::updated_at.eq(now),
                    ))
                    .returning(Provider::as_returning())
                    .get_result(conn)
                    .map_err(StoreError::during("inserting a provider"))
            })
        })
        .await
    }

    /// Adds the enabled provider `id` (`name`, `kind`, no base URL, no key)
    /// unless a provider has that id: a built-in provider's row, written at
    /// every start (the "On this computer" provider, `chat::LOCAL_PROVIDER_ID`).
    /// An existing row is left as it is (its enabled flag stays the user's).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn ensure_provider(
        &self,
        id: &str,
        name: &str,
        kind: &str,
    ) -> Result<(), StoreError> {
        let (id, name, kind) = (id.to_owned(), name.to_owned(), kind.to_owned());
        self.run(move |conn| {
            let now = now_ms();
            diesel::insert_or_ignore_into(providers::table)
                .values((
                    providers::id.eq(&id),
                    providers::name.eq(&name),
                    providers::kind.eq(&kind),
                    providers::base_url.eq(""),
                    providers::has_api_key.eq(false),
                    providers::enabled.eq(true),
                    providers::created_at.eq(now),
                    providers::updated_at.eq(now),
                ))
                .execute(conn)
                .map(|_| ())
                .map_err(StoreError::during("adding a built-in provider"))
        })
        .await
    }

    /// Saves every field of `provider` except `id` and `created_at`;
    /// `updated_at` becomes now.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if no provider has `provider.id`;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn update_provider(&self, provider: &Provider) -> Result<(), StoreError> {
        let p = provider.clone();
        self.run(move |conn| {
            let changed = diesel::update(providers::table.find(&p.id))
                .set((
                    providers::name.eq(&p.name),
                    providers::kind.eq(&p.kind),
                    providers::base_url.eq(&p.base_url),
                    providers::has_api_key.eq(p.has_api_key),
                    providers::default_model.eq(&p.default_model),
                    providers::enabled.eq(p.enabled),
                    providers::updated_at.eq(now_ms()),
                ))
                .execute(conn)
                .map_err(StoreError::during("updating a provider"))?;
            expect_one(changed, &p.id)
        })
        .await
    }

    /// Deletes the provider; conversations that used it keep their messages
    /// and get `provider_id = NULL` (`ON DELETE SET NULL`).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] if no provider has `id`;
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn delete_provider(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.run(move |conn| {
            let changed = diesel::delete(providers::table.find(&id))
                .execute(conn)
                .map_err(StoreError::during("deleting a provider"))?;
            expect_one(changed, &id)
        })
        .await
    }
}

/// `base`, or the first of `base-2`, `base-3`… not yet used as an id.
fn free_id(conn: &mut SqliteConnection, base: &str) -> Result<String, StoreError> {
    let prefix = format!("{base}-");
    // Slugs hold no `%` or `_`, so `base` needs no LIKE escaping.
    let taken: Vec<String> = providers::table
        .select(providers::id)
        .filter(
            providers::id
                .eq(base)
                .or(providers::id.like(format!("{prefix}%"))),
        )
        .load(conn)
        .map_err(StoreError::during("choosing a provider id"))?;
    let is_taken = |candidate: &str| taken.iter().any(|t| t == candidate);
    if !is_taken(base) {
        return Ok(base.to_owned());
    }
    // Ends: `taken` is finite, so some suffix is free.
    let mut n = 2_u64;
    loop {
        let candidate = format!("{prefix}{n}");
        if !is_taken(&candidate) {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// `Ok` if a provider with `id` exists, else `NotFound` (checked before a
/// foreign key would give a less helpful constraint error).
pub(super) fn require(conn: &mut SqliteConnection, id: &str) -> Result<(), StoreError> {
    let found = diesel::select(diesel::dsl::exists(providers::table.find(id)))
        .get_result::<bool>(conn)
        .map_err(StoreError::during("looking up a provider"))?;
    if found {
        Ok(())
    } else {
        Err(StoreError::not_found("provider", id))
    }
}

/// `Ok` if exactly one provider row changed, else `NotFound`.
fn expect_one(changed: usize, id: &str) -> Result<(), StoreError> {
    if changed == 0 {
        Err(StoreError::not_found("provider", id))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugify_names() {
        assert_eq!(slugify("OpenAI"), "openai");
        assert_eq!(slugify("Ollama (local)"), "ollama-local");
        assert_eq!(slugify("  LM  Studio!! "), "lm-studio");
        assert_eq!(slugify("llama.cpp"), "llama-cpp");
        assert_eq!(slugify("Dépôt"), "dépôt");
        assert_eq!(slugify("???"), "provider");
    }
}
