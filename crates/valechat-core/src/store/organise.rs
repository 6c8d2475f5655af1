//! Pinning, archiving and the sidebar's listing of conversations (issue
//! 14, part 3). Folders are in `store::folders`.

use diesel::prelude::*;

use super::Store;
use super::error::StoreError;
use super::models::Conversation;
use super::schema::conversations;

/// Which conversations [`Store::list_conversations_for`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Listing {
    /// Those not archived (the sidebar's default).
    #[default]
    Active,
    /// Archived ones only.
    Archived,
    /// Every conversation.
    All,
}

impl Store {
    /// The conversations `listing` asks for, pinned ones first, then by
    /// last activity (`updated_at` desc, then `id` desc).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn list_conversations_for(
        &self,
        listing: Listing,
    ) -> Result<Vec<Conversation>, StoreError> {
        self.run(move |conn| {
            let mut query = conversations::table
                .order((
                    conversations::pinned.desc(),
                    conversations::updated_at.desc(),
                    conversations::id.desc(),
                ))
                .select(Conversation::as_select())
                .into_boxed();
            query = match listing {
                Listing::Active => query.filter(conversations::archived.eq(false)),
                Listing::Archived => query.filter(conversations::archived.eq(true)),
                Listing::All => query,
            };
            query
                .load(conn)
                .map_err(StoreError::during("listing conversations"))
        })
        .await
    }

    /// Pins (`true`) or unpins conversation `id`; its activity time is
    /// left as it is.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn set_pinned(&self, id: i64, pinned: bool) -> Result<(), StoreError> {
        self.run(move |conn| {
            let changed = diesel::update(conversations::table.find(id))
                .set(conversations::pinned.eq(pinned))
                .execute(conn)
                .map_err(StoreError::during("pinning a conversation"))?;
            expect_one(changed, id)
        })
        .await
    }

    /// Archives (`true`) or unarchives conversation `id`; it keeps its
    /// pin and folder, and its activity time.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn set_archived(&self, id: i64, archived: bool) -> Result<(), StoreError> {
        self.run(move |conn| {
            let changed = diesel::update(conversations::table.find(id))
                .set(conversations::archived.eq(archived))
                .execute(conn)
                .map_err(StoreError::during("archiving a conversation"))?;
            expect_one(changed, id)
        })
        .await
    }
}

/// `Ok` if a conversation row changed, else `NotFound`.
fn expect_one(changed: usize, id: i64) -> Result<(), StoreError> {
    if changed == 0 {
        Err(StoreError::not_found("conversation", id))
    } else {
        Ok(())
    }
}
