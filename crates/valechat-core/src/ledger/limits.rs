//! Spending limits: scopes, the limit itself, and the validation of what a
//! person enters (amount > 0, thresholds 1..=100 without repeats, a target
//! that fits the scope) are plain values, defined in
//! [`crate::model::spending_limit`] and re-exported here.
//!
//! This file adds the ledger's checks around the store's `spending_limits`
//! repository: [`Store::create_limit`], [`Store::set_limit`] and
//! [`Store::update_limit`] validate with [`NewLimit::validated`] and report
//! a second limit for one scope and target as
//! [`LedgerError::DuplicateLimit`]. Listing, reading and deleting limits are
//! plain storage ([`Store::list_limits`], [`Store::get_limit`],
//! [`Store::delete_limit`]).

use super::error::LedgerError;
pub use crate::model::spending_limit::{
    DEFAULT_THRESHOLDS, LimitScope, NewLimit, SpendTarget, SpendingLimit, format_thresholds,
    parse_thresholds, validate_thresholds,
};
use crate::store::Store;

impl Store {
    /// Adds a limit.
    ///
    /// # Errors
    /// [`LedgerError::Limit`] for invalid values, [`LedgerError::DuplicateLimit`]
    /// if the scope and target already have one, [`LedgerError::Store`].
    pub async fn create_limit(&self, new: NewLimit) -> Result<SpendingLimit, LedgerError> {
        let new = new.validated()?;
        let duplicate = duplicate(&new);
        self.insert_limit(new).await?.ok_or(duplicate)
    }

    /// Sets the limit of `new.scope` and `new.target`: replaces the amount,
    /// kind, thresholds and enabled flag of the existing one (keeping its id
    /// and the alerts already raised), or adds it.
    ///
    /// # Errors
    /// [`LedgerError::Limit`] for invalid values, [`LedgerError::Store`].
    pub async fn set_limit(&self, new: NewLimit) -> Result<SpendingLimit, LedgerError> {
        let new = new.validated()?;
        Ok(self.upsert_limit(new).await?)
    }

    /// Replaces every value of limit `id` with `new`.
    ///
    /// # Errors
    /// [`LedgerError::Limit`] for invalid values, [`LedgerError::DuplicateLimit`]
    /// if another limit has that scope and target, [`LedgerError::Store`]
    /// with [`StoreError::NotFound`](crate::store::StoreError::NotFound) for
    /// an unknown id.
    pub async fn update_limit(&self, id: i64, new: NewLimit) -> Result<SpendingLimit, LedgerError> {
        let new = new.validated()?;
        let duplicate = duplicate(&new);
        self.replace_limit(id, new).await?.ok_or(duplicate)
    }
}

/// The error for a second limit with `new`'s scope and target.
fn duplicate(new: &NewLimit) -> LedgerError {
    LedgerError::DuplicateLimit {
        scope: new.scope,
        target: new.target.clone(),
    }
}
