//! Independent token counting, to check what providers report (issue 5,
//! Usage meter) and to estimate a request before it is sent.
//!
//! OpenAI's models use published BPE tokenizers, counted here with
//! `tiktoken-rs`: `o200k_base` for GPT-4o, GPT-4.1, GPT-4.5, GPT-5 and the
//! o-series, `cl100k_base` for GPT-4 and GPT-3.5, `o200k_harmony` for
//! gpt-oss. A chat request adds framing per OpenAI's cookbook
//! ("How to count tokens with tiktoken", `num_tokens_from_messages`): 3 tokens
//! per message plus the role and content, and 3 tokens priming the reply.
//! Tool calls of an assistant turn count their name and JSON arguments plus 1
//! token each (the heuristic `tiktoken-rs` uses). Tool definitions are not
//! counted (OpenAI does not document their framing), so a request with tools
//! counts low.
//!
//! Other families (Claude, Gemini, Mistral, Llama…) use tokenizers that are
//! not published for offline use: their count is [`CountMethod::Unknown`] and
//! its number is [`estimate_tokens`] (characters ÷ 4), good only for a
//! pre-flight estimate, never for verification.
//!
//! Each BPE is built once per process (a [`OnceLock`]; building one takes
//! tens of milliseconds) and shared by all threads.

use std::sync::OnceLock;

use rust_decimal::Decimal;
use tiktoken_rs::CoreBPE;

use crate::provider::ChatMessage;

/// Framing tokens per message (OpenAI cookbook, current models).
const TOKENS_PER_MESSAGE: u64 = 3;
/// Tokens priming the reply (`<|start|>assistant<|message|>`).
const REPLY_PRIMING: u64 = 3;
/// Tokens added per tool call in an assistant turn (tiktoken-rs heuristic).
const TOOL_CALL_OVERHEAD: u64 = 1;
/// A discrepancy over this many percent is flagged (issue 5).
pub const TOLERANCE_PERCENT: Decimal = Decimal::from_parts(5, 0, 0, false, 0);

/// A tokenizer ValeChat can run locally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tokenizer {
    /// `o200k_base`: GPT-4o, GPT-4.1, GPT-4.5, GPT-5, o1/o3/o4.
    O200kBase,
    /// `cl100k_base`: GPT-4, GPT-3.5.
    Cl100kBase,
    /// `o200k_harmony`: gpt-oss.
    O200kHarmony,
}

impl Tokenizer {
    /// The tokenizer of `model`, if it is an OpenAI family whose tokenizer is
    /// published. A vendor prefix (`openai/gpt-4o` on OpenRouter or Groq) and
    /// a fine-tune prefix (`ft:gpt-4o-mini:…`) are ignored.
    #[must_use]
    pub fn for_model(model: &str) -> Option<Self> {
        let bare = model.rsplit('/').next().unwrap_or(model);
        match tiktoken_rs::tokenizer::get_tokenizer(bare)? {
            tiktoken_rs::tokenizer::Tokenizer::O200kBase => Some(Self::O200kBase),
            tiktoken_rs::tokenizer::Tokenizer::Cl100kBase => Some(Self::Cl100kBase),
            tiktoken_rs::tokenizer::Tokenizer::O200kHarmony => Some(Self::O200kHarmony),
            _ => None,
        }
    }

    /// The tokenizer's name as tiktoken calls it (`o200k_base`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::O200kBase => "o200k_base",
            Self::Cl100kBase => "cl100k_base",
            Self::O200kHarmony => "o200k_harmony",
        }
    }

    /// The shared BPE, built on first use; `None` if building failed (the
    /// failure is logged once and counting falls back to an estimate).
    fn bpe(self) -> Option<&'static CoreBPE> {
        static O200K: OnceLock<Option<CoreBPE>> = OnceLock::new();
        static CL100K: OnceLock<Option<CoreBPE>> = OnceLock::new();
        static HARMONY: OnceLock<Option<CoreBPE>> = OnceLock::new();
        let (cell, build): (_, fn() -> anyhow::Result<CoreBPE>) = match self {
            Self::O200kBase => (&O200K, tiktoken_rs::o200k_base),
            Self::Cl100kBase => (&CL100K, tiktoken_rs::cl100k_base),
            Self::O200kHarmony => (&HARMONY, tiktoken_rs::o200k_harmony),
        };
        cell.get_or_init(|| match build() {
            Ok(bpe) => Some(bpe),
            Err(error) => {
                tracing::warn!(tokenizer = self.name(), %error, "cannot build tokenizer");
                None
            }
        })
        .as_ref()
    }

    /// Tokens of `text` as ordinary text (special-token markup in user text
    /// is counted as the characters it is).
    fn count(self, text: &str) -> Option<u64> {
        let n = self.bpe()?.encode_ordinary(text).len();
        Some(u64::try_from(n).unwrap_or(u64::MAX))
    }
}

/// How a [`TokenCount`] was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountMethod {
    /// Counted with the model's own tokenizer (its name, e.g. `o200k_base`).
    Exact(&'static str),
    /// The tokenizer is unknown: the number is [`estimate_tokens`]'s.
    Unknown,
}

/// A token count of ValeChat's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenCount {
    /// Tokens (exact or estimated, see `method`).
    pub tokens: u64,
    /// How `tokens` was obtained.
    pub method: CountMethod,
}

/// Counts the input tokens of a chat request of `messages` to `model`, as
/// the module doc describes: exact for OpenAI families, an estimate marked
/// [`CountMethod::Unknown`] otherwise.
#[must_use]
pub fn count_input_tokens(model: &str, messages: &[ChatMessage]) -> TokenCount {
    let exact = Tokenizer::for_model(model).and_then(|tokenizer| {
        let mut total = REPLY_PRIMING;
        for message in messages {
            total = total
                .saturating_add(TOKENS_PER_MESSAGE)
                .saturating_add(tokenizer.count(message.role.as_str())?)
                .saturating_add(tokenizer.count(&message.content)?);
            if let Some(name) = &message.tool_name {
                total = total.saturating_add(tokenizer.count(name)?);
            }
            for call in &message.tool_calls {
                let arguments = call.arguments_object().to_string();
                total = total
                    .saturating_add(tokenizer.count(&call.name)?)
                    .saturating_add(tokenizer.count(&arguments)?)
                    .saturating_add(TOOL_CALL_OVERHEAD);
            }
        }
        Some(TokenCount {
            tokens: total,
            method: CountMethod::Exact(tokenizer.name()),
        })
    });
    exact.unwrap_or_else(|| {
        let text_tokens = messages.iter().fold(0u64, |sum, m| {
            sum.saturating_add(TOKENS_PER_MESSAGE)
                .saturating_add(estimate_tokens(&m.content))
        });
        TokenCount {
            tokens: text_tokens.saturating_add(REPLY_PRIMING),
            method: CountMethod::Unknown,
        }
    })
}

/// Counts the tokens of plain `text` (e.g. a reply) for `model`: exact for
/// OpenAI families, else [`estimate_tokens`] marked [`CountMethod::Unknown`].
#[must_use]
pub fn count_text_tokens(model: &str, text: &str) -> TokenCount {
    match Tokenizer::for_model(model).and_then(|t| Some((t, t.count(text)?))) {
        Some((tokenizer, tokens)) => TokenCount {
            tokens,
            method: CountMethod::Exact(tokenizer.name()),
        },
        None => TokenCount {
            tokens: estimate_tokens(text),
            method: CountMethod::Unknown,
        },
    }
}

/// A rough token estimate for when the tokenizer is unknown: Unicode
/// characters ÷ 4, rounded up (OpenAI's rule of thumb for English text; an
/// estimate, never exact).
#[must_use]
pub fn estimate_tokens(text: &str) -> u64 {
    let chars = u64::try_from(text.chars().count()).unwrap_or(u64::MAX);
    chars.div_ceil(4)
}

/// Whether a provider's reported count agrees with ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Within [`TOLERANCE_PERCENT`] of each other.
    Agrees,
    /// Apart by more than [`TOLERANCE_PERCENT`]: `percent` is
    /// `(counted − reported) ÷ reported × 100`, rounded to one decimal
    /// (positive: we counted more); 100 when the provider reported 0.
    Differs {
        /// Signed difference in percent of the reported count.
        percent: Decimal,
    },
    /// Our count is an estimate ([`CountMethod::Unknown`]): nothing to check.
    Unverifiable,
}

impl Verification {
    /// Stable identifier for the database: `agrees`, `differs` or
    /// `unverifiable`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agrees => "agrees",
            Self::Differs { .. } => "differs",
            Self::Unverifiable => "unverifiable",
        }
    }
}

/// Checks `reported` tokens against `counted` with the 5 % rule of issue 5:
/// a difference over [`TOLERANCE_PERCENT`] of the reported count is flagged.
#[must_use]
pub fn verify(reported: u64, counted: &TokenCount) -> Verification {
    if counted.method == CountMethod::Unknown {
        return Verification::Unverifiable;
    }
    if reported == counted.tokens {
        return Verification::Agrees;
    }
    if reported == 0 {
        return Verification::Differs {
            percent: Decimal::ONE_HUNDRED,
        };
    }
    let difference = Decimal::from(counted.tokens) - Decimal::from(reported);
    let percent = difference * Decimal::ONE_HUNDRED / Decimal::from(reported);
    if percent.abs() > TOLERANCE_PERCENT {
        Verification::Differs {
            percent: percent.round_dp(1).normalize(),
        }
    } else {
        Verification::Agrees
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizers_by_family() {
        assert_eq!(Tokenizer::for_model("gpt-4o"), Some(Tokenizer::O200kBase));
        assert_eq!(
            Tokenizer::for_model("gpt-4o-2024-08-06"),
            Some(Tokenizer::O200kBase)
        );
        assert_eq!(
            Tokenizer::for_model("gpt-4.1-mini"),
            Some(Tokenizer::O200kBase)
        );
        assert_eq!(Tokenizer::for_model("gpt-5"), Some(Tokenizer::O200kBase));
        assert_eq!(Tokenizer::for_model("o3"), Some(Tokenizer::O200kBase));
        assert_eq!(
            Tokenizer::for_model("openai/gpt-4o"),
            Some(Tokenizer::O200kBase)
        );
        assert_eq!(Tokenizer::for_model("gpt-4"), Some(Tokenizer::Cl100kBase));
        assert_eq!(
            Tokenizer::for_model("gpt-3.5-turbo"),
            Some(Tokenizer::Cl100kBase)
        );
        assert_eq!(Tokenizer::for_model("claude-sonnet-4-5"), None);
        assert_eq!(Tokenizer::for_model("gemini-2.5-flash"), None);
        assert_eq!(Tokenizer::for_model("llama3.2:3b"), None);
    }

    #[test]
    fn estimate_rounds_up_by_characters() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("abcd"), 1);
        assert_eq!(estimate_tokens("abcde"), 2);
        assert_eq!(estimate_tokens("ééééé"), 2, "characters, not bytes");
    }

    #[test]
    fn five_percent_rule() {
        let exact = |tokens| TokenCount {
            tokens,
            method: CountMethod::Exact("o200k_base"),
        };
        assert_eq!(verify(100, &exact(105)), Verification::Agrees);
        assert_eq!(verify(100, &exact(95)), Verification::Agrees);
        assert_eq!(
            verify(100, &exact(106)),
            Verification::Differs {
                percent: Decimal::from(6)
            }
        );
        assert_eq!(
            verify(300, &exact(250)),
            Verification::Differs {
                percent: Decimal::new(-167, 1)
            }
        );
        assert_eq!(
            verify(0, &exact(3)),
            Verification::Differs {
                percent: Decimal::ONE_HUNDRED
            }
        );
        let unknown = TokenCount {
            tokens: 100,
            method: CountMethod::Unknown,
        };
        assert_eq!(verify(100, &unknown), Verification::Unverifiable);
    }
}
