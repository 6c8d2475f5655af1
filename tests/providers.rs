//! The providers area: each wire protocol against a local server replaying
//! recorded streams (`tests/fixtures/`), llama.cpp's real server, and the
//! retry and circuit-breaker layer around them.
//!
//! `anthropic`, `gemini`, `ollama` and `openai` each have their replays,
//! failures, images, tools and split-stream checks in a folder of their own;
//! `llamacpp` runs the llama.cpp preset against llama-cpp-python's server;
//! `resilience` covers retries, breakers and first-byte timeouts; `sampling`
//! the sampling parameters each protocol sends; `local`
//! runs llama.cpp inside ValeChat (`valechat local-runner`) on tiny GGUF
//! models written by `tests/llamacpp/make_tiny_model.py`; `local_runtime`
//! its sampler parameters, the memory check and the idle unload.

mod support;

#[path = "providers/anthropic.rs"]
mod anthropic;
#[path = "providers/embeddings.rs"]
mod embeddings;
#[path = "providers/gemini.rs"]
mod gemini;
#[path = "providers/llamacpp.rs"]
mod llamacpp;
#[cfg(feature = "local-models")]
#[path = "providers/local.rs"]
mod local;
#[cfg(feature = "local-models")]
#[path = "providers/local_runtime.rs"]
mod local_runtime;
#[path = "providers/ollama.rs"]
mod ollama;
#[path = "providers/openai.rs"]
mod openai;
#[path = "providers/resilience.rs"]
mod resilience;
#[path = "providers/sampling.rs"]
mod sampling;
#[path = "providers/tool_choice.rs"]
mod tool_choice;
