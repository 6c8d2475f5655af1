//! Serving the engine to other programs (DESIGN.md, "Serving the engine"):
//! the local HTTP server with its OpenAI-compatible `/v1` API (`http`) and
//! the bearer token every route needs (`auth`), and the apps using it
//! (`clients`).

pub mod auth;
pub mod clients;
pub mod http;
