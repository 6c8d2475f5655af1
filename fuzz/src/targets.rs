//! The targets, by what they read.

pub mod http;
pub mod mcp;
pub mod models;
pub mod streams;
