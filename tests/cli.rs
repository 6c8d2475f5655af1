//! The `valechat` command line, run as the real binary
//! (`CARGO_BIN_EXE_valechat`) with its data directory in a temporary folder.
//!
//! `api_key` covers `providers add --api-key-stdin` from a pipe and from a
//! terminal (in the keyring of `tests/run-in-session.sh`); `assistants`
//! `valechat assistants …` and `chat --assistant`; `bad_input`
//! input refused with a clear message; `branches` edits, regenerations,
//! the tree drawn and branches deleted; `compare` one prompt to two
//! models, as text and JSON; `commands` providers, chat and
//! history against the local test server; `first_start` first starts on a
//! new data folder; `ledger` `valechat usage` and `valechat limits`;
//! `library` `valechat library …` (knowledge libraries; an `add` killed
//! with SIGKILL resumed); `mcp`
//! `valechat mcp …` against real MCP servers; `mcp_serve` `valechat mcp serve`
//! driven by the MCP Python SDK over stdio and HTTP; `mcp_secrets` keys written in
//! servers' command lines and URLs, and variables in imported files;
//! `notify` the spending notifications on a private D-Bus bus of the test's
//! own; `models` `valechat models …` (the model library, downloads from
//! a stand-in for Hugging Face); `organise` pin, archive and folders
//! (`history pin|archive|move`, `folders …`); `prices` `valechat prices …`;
//! `search` `valechat history search`; `serve_api` `valechat serve` with the
//! official `openai` Python client and plain HTTP; `serve_ws` its WebSocket
//! stream with the Python `websockets` client; `transfer` `valechat history
//! export|import`; `killed` a `valechat chat` killed with
//! SIGKILL mid-stream, billed at the next start; `local` (cargo feature
//! `local-models`) chatting with a library model "On this computer";
//! `local_running` (same feature) `models loaded|unload` asking the running
//! window over D-Bus, and `models embed`.

mod support;

#[path = "cli/api_key.rs"]
mod api_key;
#[path = "cli/assistants.rs"]
mod assistants;
#[path = "cli/bad_input.rs"]
mod bad_input;
#[path = "cli/branches.rs"]
mod branches;
#[path = "cli/commands.rs"]
mod commands;
#[path = "cli/compare.rs"]
mod compare;
#[path = "cli/embed_provider.rs"]
mod embed_provider;
#[path = "cli/first_start.rs"]
mod first_start;
#[path = "cli/killed.rs"]
mod killed;
#[path = "cli/ledger.rs"]
mod ledger;
#[path = "cli/library.rs"]
mod library;
#[cfg(feature = "local-models")]
#[path = "cli/local.rs"]
mod local;
#[cfg(feature = "local-models")]
#[path = "cli/local_running.rs"]
mod local_running;
#[path = "cli/mcp.rs"]
mod mcp;
#[path = "cli/mcp_secrets.rs"]
mod mcp_secrets;
#[path = "cli/mcp_serve.rs"]
mod mcp_serve;
#[path = "cli/models.rs"]
mod models;
#[path = "cli/models_hub.rs"]
mod models_hub;
#[path = "cli/notify.rs"]
mod notify;
#[path = "cli/organise.rs"]
mod organise;
#[path = "cli/prices.rs"]
mod prices;
#[path = "cli/search.rs"]
mod search;
#[path = "cli/serve_api.rs"]
mod serve_api;
#[path = "cli/serve_web.rs"]
mod serve_web;
#[path = "cli/serve_ws.rs"]
mod serve_ws;
#[path = "cli/serve_ws_bounds.rs"]
mod serve_ws_bounds;
#[path = "cli/transfer.rs"]
mod transfer;
