//! Known servers: the presets the provider form and the CLI offer. Each is a
//! protocol plus a base URL; a user can still add any other endpoint.

use super::ProtocolKind;

/// A known server: what to call it, how to talk to it, where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// Short id used on the command line (`--preset ollama`).
    pub id: &'static str,
    /// Display name (a product name: not translated).
    pub name: &'static str,
    /// Wire protocol.
    pub kind: ProtocolKind,
    /// Base URL of the API (documented default of each service).
    pub base_url: &'static str,
    /// Whether the service needs an API key (local servers do not).
    pub needs_key: bool,
}

/// Presets in the order they are offered: cloud services first, then local servers.
#[rustfmt::skip]
pub const PRESETS: &[Preset] = &[
    Preset { id: "openai", name: "OpenAI", kind: ProtocolKind::OpenAiCompatible, base_url: "https://api.openai.com/v1", needs_key: true },
    Preset { id: "anthropic", name: "Anthropic", kind: ProtocolKind::Anthropic, base_url: "https://api.anthropic.com/v1", needs_key: true },
    Preset { id: "gemini", name: "Google Gemini", kind: ProtocolKind::Gemini, base_url: "https://generativelanguage.googleapis.com/v1beta", needs_key: true },
    Preset { id: "mistral", name: "Mistral", kind: ProtocolKind::OpenAiCompatible, base_url: "https://api.mistral.ai/v1", needs_key: true },
    Preset { id: "openrouter", name: "OpenRouter", kind: ProtocolKind::OpenAiCompatible, base_url: "https://openrouter.ai/api/v1", needs_key: true },
    Preset { id: "groq", name: "Groq", kind: ProtocolKind::OpenAiCompatible, base_url: "https://api.groq.com/openai/v1", needs_key: true },
    Preset { id: "deepseek", name: "DeepSeek", kind: ProtocolKind::OpenAiCompatible, base_url: "https://api.deepseek.com/v1", needs_key: true },
    Preset { id: "xai", name: "xAI", kind: ProtocolKind::OpenAiCompatible, base_url: "https://api.x.ai/v1", needs_key: true },
    Preset { id: "ollama", name: "Ollama", kind: ProtocolKind::Ollama, base_url: "http://localhost:11434", needs_key: false },
    Preset { id: "lmstudio", name: "LM Studio", kind: ProtocolKind::OpenAiCompatible, base_url: "http://localhost:1234/v1", needs_key: false },
    Preset { id: "llamacpp", name: "llama.cpp", kind: ProtocolKind::OpenAiCompatible, base_url: "http://localhost:8080/v1", needs_key: false },
    Preset { id: "vllm", name: "vLLM", kind: ProtocolKind::OpenAiCompatible, base_url: "http://localhost:8000/v1", needs_key: false },
];

/// The preset with this `id`, if any.
#[must_use]
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_urls_are_http() {
        for (i, p) in PRESETS.iter().enumerate() {
            assert!(
                PRESETS[i + 1..].iter().all(|q| q.id != p.id),
                "{} twice",
                p.id
            );
            assert!(url::Url::parse(p.base_url).is_ok(), "{}", p.base_url);
        }
        assert_eq!(
            find("anthropic").map(|p| p.kind),
            Some(ProtocolKind::Anthropic)
        );
        assert!(find("nope").is_none());
    }
}
