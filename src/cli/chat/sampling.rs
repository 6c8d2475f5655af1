//! `chat --top-p --top-k --min-p --repeat-penalty --seed`: the sampling
//! parameters beyond the temperature, kept for later messages like it.

use clap::Args;
use valechat_core::provider::SamplingParameters;

/// Sampling options of `chat`; each protocol sends those it has a field for.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct SamplingArgs {
    /// Nucleus sampling, (0, 1]: draw among the likeliest tokens whose
    /// probabilities add up to this (OpenAI, Anthropic, Gemini, Ollama,
    /// models on this computer).
    #[arg(long, value_name = "P")]
    pub top_p: Option<f32>,
    /// Draw among the K likeliest tokens (Anthropic, Gemini, Ollama, models
    /// on this computer).
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub top_k: Option<u32>,
    /// Drop tokens less likely than P × the likeliest one, [0, 1] (Ollama,
    /// models on this computer).
    #[arg(long, value_name = "P")]
    pub min_p: Option<f32>,
    /// Penalty on repeated tokens, 1.0 = none, up to 2.0 (Ollama, models on
    /// this computer).
    #[arg(long, value_name = "PENALTY")]
    pub repeat_penalty: Option<f32>,
    /// Random seed, for reproducible replies (OpenAI, Gemini, Ollama, models
    /// on this computer).
    #[arg(long)]
    pub seed: Option<u32>,
}

impl SamplingArgs {
    /// Whether any option was given.
    #[must_use]
    pub fn any(&self) -> bool {
        self.top_p.is_some()
            || self.top_k.is_some()
            || self.min_p.is_some()
            || self.repeat_penalty.is_some()
            || self.seed.is_some()
    }

    /// `current` with the options given in place of its values.
    #[must_use]
    pub fn apply(&self, current: SamplingParameters) -> SamplingParameters {
        SamplingParameters {
            top_p: self.top_p.or(current.top_p),
            top_k: self.top_k.or(current.top_k),
            min_p: self.min_p.or(current.min_p),
            repeat_penalty: self.repeat_penalty.or(current.repeat_penalty),
            seed: self.seed.or(current.seed),
        }
    }
}
