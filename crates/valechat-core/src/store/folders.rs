//! Repository of `folders` (issue 14, part 3): the folders (projects)
//! conversations are filed in. A conversation is in at most one folder
//! (`conversations.folder_id`); deleting a folder moves its conversations
//! back to no folder and never deletes them.

use diesel::prelude::*;

use super::error::{FolderNameProblem, StoreError};
use super::schema::{conversations, folders};
use super::{Store, now_ms};

/// A folder of conversations.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = folders, check_for_backend(diesel::sqlite::Sqlite))]
pub struct Folder {
    /// Row id.
    pub id: i64,
    /// Name shown; unique ignoring case, never blank.
    pub name: String,
    /// Creation time, UTC unix milliseconds.
    pub created_at: i64,
}

/// A folder deleted by [`Store::delete_folder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderDeleted {
    /// Conversations that were in it, now in no folder.
    pub conversations_kept: usize,
}

impl Store {
    /// Every folder, by name (ignoring case).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn list_folders(&self) -> Result<Vec<Folder>, StoreError> {
        self.run(|conn| {
            folders::table
                // The column's collation is NOCASE: so is the order.
                .order((folders::name.asc(), folders::id.asc()))
                .select(Folder::as_select())
                .load(conn)
                .map_err(StoreError::during("listing folders"))
        })
        .await
    }

    /// The folder named `name` (ignoring case and surrounding white
    /// space), or `None`.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn folder_named(&self, name: &str) -> Result<Option<Folder>, StoreError> {
        let name = name.trim().to_owned();
        self.run(move |conn| by_name(conn, &name)).await
    }

    /// Creates a folder named `name` (trimmed).
    ///
    /// # Errors
    /// [`StoreError::FolderName`] when the name is blank or another folder
    /// has it (ignoring case); [`StoreError::Pool`], [`StoreError::Query`],
    /// [`StoreError::DiskFull`].
    pub async fn create_folder(&self, name: &str) -> Result<Folder, StoreError> {
        let name = name.trim().to_owned();
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                check_name(conn, &name, None)?;
                diesel::insert_into(folders::table)
                    .values((folders::name.eq(&name), folders::created_at.eq(now_ms())))
                    .returning(Folder::as_returning())
                    .get_result(conn)
                    .map_err(StoreError::during("creating a folder"))
            })
        })
        .await
    }

    /// Renames folder `id` to `name` (trimmed); a change of case only is
    /// allowed.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown folder;
    /// [`StoreError::FolderName`] when the name is blank or another folder
    /// has it; [`StoreError::Pool`], [`StoreError::Query`],
    /// [`StoreError::DiskFull`].
    pub async fn rename_folder(&self, id: i64, name: &str) -> Result<(), StoreError> {
        let name = name.trim().to_owned();
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                check_name(conn, &name, Some(id))?;
                let changed = diesel::update(folders::table.find(id))
                    .set(folders::name.eq(&name))
                    .execute(conn)
                    .map_err(StoreError::during("renaming a folder"))?;
                if changed == 0 {
                    return Err(StoreError::not_found("folder", id));
                }
                Ok(())
            })
        })
        .await
    }

    /// Deletes folder `id`; its conversations stay, in no folder.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown folder; [`StoreError::Pool`],
    /// [`StoreError::Query`].
    pub async fn delete_folder(&self, id: i64) -> Result<FolderDeleted, StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                // Explicitly, rather than through ON DELETE SET NULL only, so
                // the count is exact and a connection without foreign keys
                // cannot leave dangling ids.
                let kept =
                    diesel::update(conversations::table.filter(conversations::folder_id.eq(id)))
                        .set(conversations::folder_id.eq(None::<i64>))
                        .execute(conn)
                        .map_err(StoreError::during("moving a folder's conversations out"))?;
                let changed = diesel::delete(folders::table.find(id))
                    .execute(conn)
                    .map_err(StoreError::during("deleting a folder"))?;
                if changed == 0 {
                    return Err(StoreError::not_found("folder", id));
                }
                Ok(FolderDeleted {
                    conversations_kept: kept,
                })
            })
        })
        .await
    }

    /// Files conversation `id` in folder `folder_id`, or in none (`None`).
    /// Its activity time is left as it is.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown conversation or folder;
    /// [`StoreError::Pool`], [`StoreError::Query`], [`StoreError::DiskFull`].
    pub async fn move_to_folder(&self, id: i64, folder_id: Option<i64>) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.immediate_transaction(|conn| {
                if let Some(folder) = folder_id {
                    let exists = folders::table
                        .find(folder)
                        .select(folders::id)
                        .first::<i64>(conn)
                        .optional()
                        .map_err(StoreError::during("looking up a folder"))?;
                    if exists.is_none() {
                        return Err(StoreError::not_found("folder", folder));
                    }
                }
                let changed = diesel::update(conversations::table.find(id))
                    .set(conversations::folder_id.eq(folder_id))
                    .execute(conn)
                    .map_err(StoreError::during("moving a conversation to a folder"))?;
                if changed == 0 {
                    return Err(StoreError::not_found("conversation", id));
                }
                Ok(())
            })
        })
        .await
    }
}

/// The folder named `name`, ignoring case.
fn by_name(conn: &mut SqliteConnection, name: &str) -> Result<Option<Folder>, StoreError> {
    folders::table
        // The column's collation is NOCASE: `=` ignores case.
        .filter(folders::name.eq(name))
        .select(Folder::as_select())
        .first(conn)
        .optional()
        .map_err(StoreError::during("looking up a folder by name"))
}

/// Refuses a blank name, or one another folder than `own` has.
fn check_name(conn: &mut SqliteConnection, name: &str, own: Option<i64>) -> Result<(), StoreError> {
    let refuse = |problem| StoreError::FolderName {
        name: name.to_owned(),
        problem,
    };
    if name.is_empty() {
        return Err(refuse(FolderNameProblem::Blank));
    }
    match by_name(conn, name)? {
        Some(other) if Some(other.id) != own => Err(refuse(FolderNameProblem::Taken)),
        _ => Ok(()),
    }
}
