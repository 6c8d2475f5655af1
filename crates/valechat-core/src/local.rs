//! Models on this computer: llama.cpp run by ValeChat itself (issue 16).
//!
//! Inference runs in a child process, `valechat local-runner`, so that a
//! crash or an out-of-memory kill inside llama.cpp costs a reply, never the
//! window or a conversation (see `docs/ARCHITECTURE.md`, "Models on this
//! computer"). The pieces:
//! - [`library`]: the library of GGUF files (import, download, metadata,
//!   memory estimate);
//! - [`protocol`]: the versioned JSON-lines protocol between the app and the
//!   runner (requests, events, errors);
//! - [`client`]: the app's side: starts the runner, matches replies to
//!   requests, starts a new runner after one died;
//! - [`provider`]: [`provider::LocalProvider`], the "On this computer"
//!   [`crate::provider::ChatProvider`];
//! - [`grammar`]: the GBNF grammar that keeps tool calls valid (lazy until
//!   the call's opening marker, or from the first token for a required
//!   call);
//! - [`fit`]: the memory check before a load; [`idle`]: unloading models
//!   idle for longer than the setting;
//! - `runtime` (cargo feature `local-models`): the runner's side, llama.cpp
//!   through the `llama-cpp-2` binding, chat templates, sampling.

pub mod client;
pub mod fit;
pub mod grammar;
pub mod idle;
pub mod library;
pub mod protocol;
pub mod provider;
pub mod reasoning;
#[cfg(feature = "local-models")]
pub mod runtime;
pub mod tool_calls;
