//! Repository of `tool_permissions`: the tools a person chose to "Always
//! allow". A permission is bound to the server's command line or URL and to
//! a hash of the tool's definition (name, description, input schema,
//! annotations): when a server changes a tool, the hash no longer matches
//! and the person is asked again (issue 4, "In the chat").

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::tool_permissions;
use super::{Store, now_ms};

/// A standing permission to run a tool without asking.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = tool_permissions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
pub struct ToolPermission {
    /// The server's command line (`npx -y @scope/server`) or URL.
    pub server_binding: String,
    /// The server's own tool name.
    pub tool_name: String,
    /// sha256 (hex) of the tool's definition when it was allowed.
    pub definition_hash: String,
    /// When it was granted, UTC unix milliseconds.
    pub created_at: i64,
}

impl Store {
    /// Whether `tool_name` on the server bound to `server_binding` may run
    /// without asking: a permission exists and its hash equals
    /// `definition_hash`.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Pool`].
    pub async fn tool_is_allowed(
        &self,
        server_binding: &str,
        tool_name: &str,
        definition_hash: &str,
    ) -> Result<bool, StoreError> {
        let (binding, tool, hash) = (
            server_binding.to_owned(),
            tool_name.to_owned(),
            definition_hash.to_owned(),
        );
        self.run(move |conn| {
            let stored: Option<String> = tool_permissions::table
                .find((binding, tool))
                .select(tool_permissions::definition_hash)
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading a tool permission"))?;
            Ok(stored.is_some_and(|h| h == hash))
        })
        .await
    }

    /// Records "Always allow this tool", replacing an older permission for
    /// the same tool (and so its older definition hash).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Pool`].
    pub async fn allow_tool(
        &self,
        server_binding: &str,
        tool_name: &str,
        definition_hash: &str,
    ) -> Result<(), StoreError> {
        let (binding, tool, hash) = (
            server_binding.to_owned(),
            tool_name.to_owned(),
            definition_hash.to_owned(),
        );
        self.run(move |conn| {
            diesel::replace_into(tool_permissions::table)
                .values((
                    tool_permissions::server_binding.eq(binding),
                    tool_permissions::tool_name.eq(tool),
                    tool_permissions::definition_hash.eq(hash),
                    tool_permissions::created_at.eq(now_ms()),
                ))
                .execute(conn)
                .map_err(StoreError::during("storing a tool permission"))?;
            Ok(())
        })
        .await
    }

    /// Revokes the permission of one tool; `false` when there was none.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Pool`].
    pub async fn revoke_tool(
        &self,
        server_binding: &str,
        tool_name: &str,
    ) -> Result<bool, StoreError> {
        let (binding, tool) = (server_binding.to_owned(), tool_name.to_owned());
        self.run(move |conn| {
            let n = diesel::delete(tool_permissions::table.find((binding, tool)))
                .execute(conn)
                .map_err(StoreError::during("revoking a tool permission"))?;
            Ok(n > 0)
        })
        .await
    }

    /// The permissions granted for one server, by tool name (for the
    /// server's page, where they can be revoked).
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Pool`].
    pub async fn list_tool_permissions(
        &self,
        server_binding: &str,
    ) -> Result<Vec<ToolPermission>, StoreError> {
        let binding = server_binding.to_owned();
        self.run(move |conn| {
            tool_permissions::table
                .filter(tool_permissions::server_binding.eq(binding))
                .order(tool_permissions::tool_name.asc())
                .select(ToolPermission::as_select())
                .load(conn)
                .map_err(StoreError::during("listing tool permissions"))
        })
        .await
    }

    /// Moves every permission of the server bound to `from` to `to` (its
    /// command line or URL changed, e.g. a secret in it moved to the
    /// keyring); a permission `to` already had for the same tool is
    /// replaced. Returns how many moved.
    ///
    /// # Errors
    /// [`StoreError::Query`], [`StoreError::Pool`].
    pub async fn rebind_tool_permissions(&self, from: &str, to: &str) -> Result<usize, StoreError> {
        if from == to {
            return Ok(0);
        }
        let (from, to) = (from.to_owned(), to.to_owned());
        self.run(move |conn| {
            diesel::sql_query(
                "UPDATE OR REPLACE tool_permissions SET server_binding = ? WHERE server_binding = ?",
            )
            .bind::<diesel::sql_types::Text, _>(to)
            .bind::<diesel::sql_types::Text, _>(from)
            .execute(conn)
            .map_err(StoreError::during("moving tool permissions"))
        })
        .await
    }
}
