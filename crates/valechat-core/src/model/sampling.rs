//! Sampling parameters beyond the temperature, as a conversation keeps them
//! and a chat request carries them; each protocol sends the ones it has.

use serde::{Deserialize, Serialize};

/// How the next token is drawn, beyond the temperature; `None` leaves the
/// server's (or llama.cpp's) default. Each field says which wire field
/// carries it; a protocol without the field does not send it.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct SamplingParameters {
    /// Nucleus sampling: draw among the most likely tokens whose
    /// probabilities add up to `top_p`, in (0, 1]. OpenAI-compatible and
    /// Anthropic `top_p`, Gemini `generationConfig.topP`, Ollama
    /// `options.top_p`, the local runner's top-p sampler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f32>,
    /// Draw among the `top_k` most likely tokens (≥ 1). Anthropic `top_k`,
    /// Gemini `generationConfig.topK`, Ollama `options.top_k`, the local
    /// runner's top-k sampler; OpenAI's API has no such field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    /// Drop tokens less likely than `min_p` × the most likely one, in
    /// [0, 1]. Ollama `options.min_p`, the local runner's min-p sampler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_p: Option<f32>,
    /// Penalty on tokens repeated from the last 64 (1.0: none; 0–2).
    /// Ollama `options.repeat_penalty`, the local runner's penalties
    /// sampler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_penalty: Option<f32>,
    /// Random seed, for reproducible replies where the server honours it.
    /// OpenAI-compatible `seed`, Gemini `generationConfig.seed`, Ollama
    /// `options.seed`, the local runner's sampler seed; Anthropic has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u32>,
}

impl SamplingParameters {
    /// Whether no parameter is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The parameters brought into their ranges: top-p to (0, 1] (0 or less
    /// becomes unset), min-p to [0, 1], the repeat penalty to [0, 2], top-k
    /// at least 1 (0 becomes unset); NaN becomes unset.
    #[must_use]
    pub fn clamped(self) -> Self {
        let finite = |v: Option<f32>| v.filter(|v| v.is_finite());
        Self {
            top_p: finite(self.top_p).filter(|p| *p > 0.0).map(|p| p.min(1.0)),
            top_k: self.top_k.filter(|k| *k > 0),
            min_p: finite(self.min_p).map(|p| p.clamp(0.0, 1.0)),
            repeat_penalty: finite(self.repeat_penalty).map(|p| p.clamp(0.0, 2.0)),
            seed: self.seed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SamplingParameters;

    #[test]
    fn values_out_of_range_are_brought_in_or_unset() {
        let p = SamplingParameters {
            top_p: Some(1.5),
            top_k: Some(0),
            min_p: Some(-0.2),
            repeat_penalty: Some(f32::NAN),
            seed: Some(42),
        }
        .clamped();
        assert_eq!(
            p,
            SamplingParameters {
                top_p: Some(1.0),
                top_k: None,
                min_p: Some(0.0),
                repeat_penalty: None,
                seed: Some(42),
            }
        );
        assert_eq!(
            SamplingParameters {
                top_p: Some(0.0),
                ..SamplingParameters::default()
            }
            .clamped(),
            SamplingParameters::default()
        );
        assert!(SamplingParameters::default().is_empty());
    }
}
