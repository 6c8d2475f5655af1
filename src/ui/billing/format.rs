//! Words and figures of the billing page that the PDF report shares: limit
//! titles and percentages. Amounts come from the one money formatter,
//! [`valechat_core::format::format_usd`] (the user's locale).

pub use crate::reports::format::{format_percent, limit_title};
