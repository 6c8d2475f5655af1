//! Serving the engine to other programs (DESIGN.md, "Serving the engine"):
//! the local HTTP server with its OpenAI-compatible `/v1` API (`http`),
//! the WebSocket stream of turn events at `/v1/ws` (`ws`, its versioned JSON
//! contract in `docs/api/websocket.md`), the bearer token every route needs
//! (`auth`), the apps using it (`clients`), desktop notifications of the
//! spending alerts their requests raise (`alerts`), and the MCP server mode
//! (`mcp`: `valechat mcp serve` over stdio, and `/mcp` of the HTTP server).

pub mod alerts;
pub mod auth;
pub mod clients;
pub mod http;
pub mod mcp;
pub mod ws;
