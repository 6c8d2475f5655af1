//! The local HTTP API (`valechat serve`, and later the window's server):
//! OpenAI-compatible `GET /v1/models` and `POST /v1/chat/completions`, so any
//! program that speaks OpenAI's API can use ValeChat's providers, keys and
//! spending limits.
//!
//! [`start`] binds and serves until its cancellation token fires. Every
//! route needs the bearer token ([`crate::serve::auth`]); requests are
//! limited per token and minute ([`rate`]) and in size
//! ([`body::MAX_BODY_BYTES`]); every error is answered in OpenAI's error
//! shape ([`errors`]).

pub mod body;
pub mod chat_completions;
pub mod errors;
pub mod models;
pub mod rate;
mod server;
pub mod web;

pub use server::{
    DEFAULT_PORT, DEFAULT_REQUESTS_PER_MINUTE, RunningServer, ServeConfig, ServeError, router,
    start, start_with,
};
