//! Repository of `tool_limits`: the engine's tool bounds, one row at most.

use diesel::prelude::*;

use super::error::StoreError;
use super::schema::tool_limits;
use super::{Store, now_ms};
use crate::model::ToolLimits;

/// The only row's id.
const ROW: i32 = 1;

impl Store {
    /// The stored tool bounds, or `None` when the user never changed them
    /// (the engine then uses [`ToolLimits::default`]).
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn tool_limits(&self) -> Result<Option<ToolLimits>, StoreError> {
        self.run(move |conn| {
            let row: Option<(i32, i32)> = tool_limits::table
                .find(ROW)
                .select((tool_limits::max_rounds, tool_limits::max_result_chars))
                .first(conn)
                .optional()
                .map_err(StoreError::during("reading the tool limits"))?;
            Ok(row.map(|(rounds, chars)| ToolLimits {
                max_rounds: u32::try_from(rounds).unwrap_or(1),
                max_result_chars: usize::try_from(chars).unwrap_or(1),
            }))
        })
        .await
    }

    /// Stores the tool bounds, replacing the stored ones (check them first
    /// with [`ToolLimits::validate`]; values past `i32::MAX` are clamped).
    ///
    /// # Errors
    /// [`StoreError::Query`] when a value is below 1 (the table's check);
    /// [`StoreError::Pool`], [`StoreError::DiskFull`].
    pub async fn set_tool_limits(&self, limits: ToolLimits) -> Result<(), StoreError> {
        self.run(move |conn| {
            let values = (
                tool_limits::max_rounds.eq(i32::try_from(limits.max_rounds).unwrap_or(i32::MAX)),
                tool_limits::max_result_chars
                    .eq(i32::try_from(limits.max_result_chars).unwrap_or(i32::MAX)),
                tool_limits::updated_at.eq(now_ms()),
            );
            diesel::insert_into(tool_limits::table)
                .values((tool_limits::id.eq(ROW), values))
                .on_conflict(tool_limits::id)
                .do_update()
                .set(values)
                .execute(conn)
                .map_err(StoreError::during("storing the tool limits"))?;
            Ok(())
        })
        .await
    }

    /// Forgets the stored tool bounds: the defaults apply again.
    ///
    /// # Errors
    /// [`StoreError::Pool`], [`StoreError::Query`].
    pub async fn clear_tool_limits(&self) -> Result<(), StoreError> {
        self.run(move |conn| {
            diesel::delete(tool_limits::table)
                .execute(conn)
                .map_err(StoreError::during("clearing the tool limits"))?;
            Ok(())
        })
        .await
    }
}
