//! Amounts on the billing page.
//!
//! No locale-aware money formatter exists yet (neither `src/i18n.rs` nor a
//! `src/format.rs` has one), so the page uses [`crate::reports::format_usd`]
//! — the same `$1,234.50` the PDF prints — re-exported here so the page has
//! one place to switch when a locale formatter arrives.

pub use crate::reports::format::{format_percent, format_usd, limit_title};
