//! Billing: what a request costs and how many tokens it used (issue 5).
//!
//! This half covers pricing:
//! - [`price`]: [`ModelPrice`], USD per token per token class, shown per 1M
//!   (a plain value the store keeps: defined in [`crate::model::price`] and
//!   re-exported here);
//! - [`cost`](mod@cost): [`cost()`](cost::cost) itemises a provider's
//!   [`Usage`](crate::provider::Usage) at a price (cache reads and
//!   writes, reasoning, the long-context tier), and [`ChargedCost`] prefers a
//!   provider-reported charge (OpenRouter `usage.cost`) over the estimate;
//! - [`shipped`]: the price table shipped in `data/pricing/prices.json`
//!   (generated from `LiteLLM`'s data by `tools/gen-prices.py`);
//! - [`namespace`]: which shipped prices apply to an endpoint (cloud hosts,
//!   local servers, custom endpoints) and which model names exist only as
//!   paid cloud models;
//! - [`pricing`]: [`PriceBook`], the price in force for a provider, model and
//!   time (user price, shipped price, a cloud model's price assumed for a
//!   local or custom endpoint serving it, free local model);
//! - [`tokens`]: independent token counts (`tiktoken-rs` for OpenAI
//!   families, an estimate otherwise) and the 5 % verification rule.
//!
//! Money is `rust_decimal::Decimal` throughout (DESIGN.md); nothing here uses
//! floating point.

pub mod cost;
pub mod namespace;
pub mod pricing;
pub mod shipped;
pub mod tokens;

pub use crate::model::price;
pub use cost::{ChargedCost, Cost, CostSource, cost};
pub use price::{LONG_CONTEXT_THRESHOLD, ModelPrice, PricePerMillion};
pub use pricing::{PriceBook, PriceNamespace, PriceOrigin};
pub use tokens::{
    CountMethod, TokenCount, Verification, count_input_tokens, count_text_tokens, estimate_tokens,
    verify,
};
