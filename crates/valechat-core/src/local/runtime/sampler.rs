//! The sampler chain of one reply: the tool-call grammar (lazy or not)
//! when tools are offered, then llama.cpp's usual samplers.

use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;

use crate::local::grammar::ToolGrammar;
use crate::local::protocol::{RunnerError, Sampling};

/// How many recent tokens the repeat penalty looks at.
const PENALTY_LAST_N: i32 = 64;

/// The sampler chain llama.cpp's own tools use: the tool-call grammar when
/// tools are offered, repeat penalty, top-k, top-p, min-p, temperature,
/// then a seeded draw (greedy at temperature 0).
pub(super) fn sampler(
    s: Sampling,
    model: &LlamaModel,
    tool_grammar: Option<&ToolGrammar>,
) -> Result<LlamaSampler, RunnerError> {
    let temperature = s.temperature.unwrap_or(0.8);
    let mut chain = Vec::new();
    if let Some(g) = tool_grammar {
        chain.push(grammar_sampler(model, g)?);
    }
    chain.push(LlamaSampler::penalties(
        model.n_vocab(),
        PENALTY_LAST_N,
        s.repeat_penalty.unwrap_or(1.0),
        0.0,
        0.0,
    ));
    if temperature <= 0.0 {
        chain.push(LlamaSampler::greedy());
    } else {
        chain.push(LlamaSampler::top_k(s.top_k.unwrap_or(40)));
        chain.push(LlamaSampler::top_p(s.top_p.unwrap_or(0.95), 1));
        chain.push(LlamaSampler::min_p(s.min_p.unwrap_or(0.05), 1));
        chain.push(LlamaSampler::temp(temperature));
        chain.push(LlamaSampler::dist(s.seed.unwrap_or_else(rand_seed)));
    }
    Ok(LlamaSampler::chain_simple(chain))
}

/// llama.cpp's grammar sampler for `g`: lazy on its trigger patterns, or
/// from the first token.
pub(super) fn grammar_sampler(
    model: &LlamaModel,
    g: &ToolGrammar,
) -> Result<LlamaSampler, RunnerError> {
    let sampler = match &g.triggers {
        Some(patterns) => {
            LlamaSampler::grammar_lazy_patterns(model, &g.gbnf, "root", patterns, &[])
        }
        None => LlamaSampler::grammar(model, &g.gbnf, "root"),
    };
    sampler.map_err(|e| RunnerError::Other {
        message: format!("llama.cpp refused the tool-call grammar: {e}"),
    })
}

fn rand_seed() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    nanos ^ std::process::id()
}
