//! ValeChat's fuzz targets: one function per parser that reads what a
//! server, a file or a browser sends, each taking arbitrary bytes.
//!
//! A target must never panic, hang or grow without bound, whatever the
//! bytes; where the code promises more (any split of a body gives the same
//! events, a server's wait is capped at an hour, a stream ends after its
//! first error), the target asserts it, so a broken promise is a crash too.
//!
//! The same targets run three ways:
//! - coverage-guided under AFL++ (`src/bin/afl.rs`, feature `afl`, built by
//!   `cargo afl build`; `tools/fuzz.sh` runs every target for a while);
//! - as a bounded random-bytes run in the tests (`tests/targets.rs`:
//!   every file of the committed corpus, then proptest's random and
//!   mutated inputs; CI runs it as the meson test `fuzz`);
//! - on single files with `valechat-fuzz-run TARGET FILE…` (a crash found
//!   by AFL, replayed without it).
//!
//! Each target's seed corpus is `fuzz/corpus/<name>/`: real bodies from the
//! recorded streams and the tests' fixtures, and the inputs of crashes
//! found and fixed (named `regression-…`).

mod support;
pub mod targets;

/// One fuzz target.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target's name: the argument of the binaries, and the folder of
    /// its corpus under `fuzz/corpus/`.
    pub name: &'static str,
    /// What it exercises, in a few words.
    pub what: &'static str,
    /// Runs the target on one input; panics on a broken promise.
    pub run: fn(&[u8]),
}

/// Every target, in the order `tools/fuzz.sh` runs them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "sse",
        what: "the SSE framing (bounded lines, eventsource-stream) with a recording mapper",
        run: targets::streams::sse,
    },
    Target {
        name: "ndjson",
        what: "the NDJSON framing with a recording line mapper",
        run: targets::streams::ndjson,
    },
    Target {
        name: "openai_stream",
        what: "OpenAI Chat Completions SSE to chat events",
        run: targets::streams::openai,
    },
    Target {
        name: "anthropic_stream",
        what: "Anthropic Messages SSE to chat events",
        run: targets::streams::anthropic,
    },
    Target {
        name: "gemini_stream",
        what: "Gemini alt=sse to chat events",
        run: targets::streams::gemini,
    },
    Target {
        name: "ollama_stream",
        what: "Ollama /api/chat NDJSON to chat events",
        run: targets::streams::ollama,
    },
    Target {
        name: "retry_after",
        what: "an error response (head and body): Retry-After, rate-limit resets, each protocol's error",
        run: targets::http::retry_after,
    },
    Target {
        name: "retry_delay",
        what: "a Gemini error body: RetryInfo.retryDelay and the error's classification",
        run: targets::http::retry_delay,
    },
    Target {
        name: "mcp_jsonrpc",
        what: "a stdio MCP server's stdout through the bounded reader and rmcp's decoder",
        run: targets::mcp::jsonrpc,
    },
    Target {
        name: "config_import",
        what: "MCP configuration import: parse (every format) and expand",
        run: targets::mcp::config_import,
    },
    Target {
        name: "resource_template",
        what: "RFC 6570 resource templates: variables and expansion",
        run: targets::mcp::resource_template,
    },
    Target {
        name: "oauth_callback",
        what: "the OAuth loopback callback judge and its page",
        run: targets::mcp::oauth_callback,
    },
    Target {
        name: "elicitation",
        what: "elicitation requests: parsing the schema, validating values",
        run: targets::mcp::elicitation,
    },
    Target {
        name: "gguf",
        what: "a GGUF model file's header: metadata, tensor directory, memory estimate",
        run: targets::models::gguf,
    },
];

/// The target called `name`.
#[must_use]
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}
