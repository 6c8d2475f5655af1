//! [`PriceNamespace`]: which shipped prices apply to an endpoint (a cloud
//! service by its API host, a server on this machine or the local network,
//! or any other endpoint), and [`paid_cloud_family`]: which model names
//! exist only as paid cloud models, so that a local proxy or a gateway
//! serving them is priced as the cloud service (issue 13, point 8).

use std::net::IpAddr;

use crate::provider::ProtocolKind;
use crate::store::Provider;

/// Which shipped prices apply to a configured provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PriceNamespace {
    /// A cloud service of the shipped table: one of the cloud preset ids
    /// (`openai`, `anthropic`, `gemini`, `mistral`, `openrouter`, `groq`,
    /// `deepseek`, `xai`) or a cloud host without a preset (`azure`,
    /// `azure_ai`, `together`, `fireworks`, `bedrock`, `vertex`).
    Cloud(&'static str),
    /// A server on this machine or the local network (Ollama, LM Studio,
    /// llama.cpp, vLLM…): free unless the user sets a price.
    Local,
    /// Any other endpoint: only the user's prices apply.
    Custom,
}

/// API hosts of the cloud services and their namespace.
const CLOUD_HOSTS: &[(&str, &str)] = &[
    ("api.openai.com", "openai"),
    ("api.anthropic.com", "anthropic"),
    ("generativelanguage.googleapis.com", "gemini"),
    ("api.mistral.ai", "mistral"),
    ("openrouter.ai", "openrouter"),
    ("api.groq.com", "groq"),
    ("api.deepseek.com", "deepseek"),
    ("api.x.ai", "xai"),
    ("api.together.xyz", "together"),
    ("api.together.ai", "together"),
    ("api.fireworks.ai", "fireworks"),
    ("aiplatform.googleapis.com", "vertex"),
];

/// Host suffixes of the cloud services whose API hosts carry the account
/// or the region (`my-co.openai.azure.com`,
/// `bedrock-runtime.eu-west-1.amazonaws.com`,
/// `europe-west4-aiplatform.googleapis.com`), and their namespace in the
/// shipped table (`tools/gen-prices.py`).
const CLOUD_HOST_SUFFIXES: &[(&str, &str)] = &[
    (".openai.azure.com", "azure"),
    (".cognitiveservices.azure.com", "azure"),
    (".services.ai.azure.com", "azure_ai"),
    (".models.ai.azure.com", "azure_ai"),
    (".inference.ai.azure.com", "azure_ai"),
    ("-aiplatform.googleapis.com", "vertex"),
];

/// The namespace of a cloud API host (lower case), if it is one.
fn cloud_namespace(host: &str) -> Option<&'static str> {
    if let Some((_, ns)) = CLOUD_HOSTS.iter().find(|(h, _)| *h == host) {
        return Some(ns);
    }
    if let Some((_, ns)) = CLOUD_HOST_SUFFIXES.iter().find(|(s, _)| host.ends_with(s)) {
        return Some(ns);
    }
    // Bedrock: `bedrock-runtime[-fips].<region>.amazonaws.com`.
    let bedrock = (host.starts_with("bedrock-runtime.")
        || host.starts_with("bedrock-runtime-fips."))
        && host.ends_with(".amazonaws.com");
    bedrock.then_some("bedrock")
}

impl PriceNamespace {
    /// The namespace of an endpoint: Ollama's native protocol and hosts on
    /// this machine or a private network (`localhost`, `*.local`, loopback,
    /// RFC 1918, link-local and IPv6 unique-local addresses) are
    /// [`Local`](Self::Local); the API hosts of the cloud presets map to
    /// their preset id; anything else (or an unparsable URL) is
    /// [`Custom`](Self::Custom).
    #[must_use]
    #[allow(
        clippy::case_sensitive_file_extension_comparisons,
        reason = "host names, not file names: `.local` and `.localhost` are DNS suffixes"
    )]
    pub fn for_endpoint(kind: ProtocolKind, base_url: &str) -> Self {
        if matches!(kind, ProtocolKind::Ollama | ProtocolKind::Local) {
            return Self::Local;
        }
        let Ok(url) = url::Url::parse(base_url) else {
            return Self::Custom;
        };
        match url.host() {
            Some(url::Host::Domain(host)) => {
                let host = host.to_ascii_lowercase();
                if let Some(ns) = cloud_namespace(&host) {
                    Self::Cloud(ns)
                } else if host == "localhost"
                    // Host names, not file names: a case-sensitive suffix is
                    // what a lowercased host needs.
                    || host.ends_with(".localhost")
                    || host.ends_with(".local")
                {
                    Self::Local
                } else {
                    Self::Custom
                }
            }
            Some(url::Host::Ipv4(ip)) if is_local(IpAddr::V4(ip)) => Self::Local,
            Some(url::Host::Ipv6(ip)) if is_local(IpAddr::V6(ip)) => Self::Local,
            _ => Self::Custom,
        }
    }

    /// The namespace of a stored provider (its `kind` and `base_url`).
    #[must_use]
    pub fn for_provider(provider: &Provider) -> Self {
        match ProtocolKind::parse(&provider.kind) {
            Some(kind) => Self::for_endpoint(kind, &provider.base_url),
            None => Self::Custom,
        }
    }
}

/// Whether `ip` is on this machine or a private network.
fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified()
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || v6.to_ipv4_mapped().is_some_and(|v4| is_local(IpAddr::V4(v4)))
        }
    }
}

/// Routing prefixes a proxy may put before a cloud model's name
/// (`openai/gpt-4o` in `LiteLLM`, `anthropic/claude-…`, `google/gemini-…`).
const VENDOR_PREFIXES: &[&str] = &[
    "openai/",
    "azure/",
    "anthropic/",
    "gemini/",
    "google/",
    "vertex_ai/",
    "xai/",
    "x-ai/",
];

/// The cloud namespace whose shipped prices apply to `model` when a local
/// or custom endpoint serves it, and the name to look up: only names that
/// exist as paid cloud models and never as open weights — OpenAI's
/// `gpt-…` (not the open-weight `gpt-oss`), `chatgpt-…`, `o1`/`o3`/`o4…`;
/// Anthropic's `claude-…`; Google's `gemini-…` (not the open-weight
/// `gemma`); xAI's `grok-…`. A routing prefix (`openai/gpt-4o`) is
/// removed first. `None` for anything else (Llama, Qwen, Mistral, Gemma…).
#[must_use]
pub fn paid_cloud_family(model: &str) -> Option<(&'static str, &str)> {
    let name = VENDOR_PREFIXES
        .iter()
        .find_map(|p| model.strip_prefix(p))
        .unwrap_or(model);
    let lower = name.to_ascii_lowercase();
    let reasoning = ["o1", "o3", "o4"]
        .iter()
        .any(|p| lower == *p || lower.starts_with(&format!("{p}-")));
    let ns = if (lower.starts_with("gpt-") && !lower.starts_with("gpt-oss"))
        || lower.starts_with("chatgpt-")
        || reasoning
    {
        "openai"
    } else if lower.starts_with("claude-") {
        "anthropic"
    } else if lower.starts_with("gemini-") {
        "gemini"
    } else if lower.starts_with("grok-") {
        "xai"
    } else {
        return None;
    };
    Some((ns, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::presets::PRESETS;

    #[test]
    fn every_preset_maps_to_its_namespace_or_local() {
        for preset in PRESETS {
            let ns = PriceNamespace::for_endpoint(preset.kind, preset.base_url);
            if preset.needs_key {
                assert_eq!(ns, PriceNamespace::Cloud(preset.id), "{}", preset.id);
            } else {
                assert_eq!(ns, PriceNamespace::Local, "{}", preset.id);
            }
        }
    }

    #[test]
    fn endpoints_by_host() {
        let ns = |url| PriceNamespace::for_endpoint(ProtocolKind::OpenAiCompatible, url);
        assert_eq!(ns("http://127.0.0.1:8080/v1"), PriceNamespace::Local);
        assert_eq!(ns("http://192.168.1.20:8000/v1"), PriceNamespace::Local);
        assert_eq!(ns("http://[::1]:1234/v1"), PriceNamespace::Local);
        assert_eq!(ns("http://gpu-box.local:8000/v1"), PriceNamespace::Local);
        assert_eq!(
            ns("https://API.OpenAI.com/v1"),
            PriceNamespace::Cloud("openai")
        );
        assert_eq!(
            ns("https://api.together.xyz/v1"),
            PriceNamespace::Cloud("together")
        );
        assert_eq!(
            ns("https://api.fireworks.ai/inference/v1"),
            PriceNamespace::Cloud("fireworks")
        );
        assert_eq!(
            ns("https://my-co.openai.azure.com/openai/v1"),
            PriceNamespace::Cloud("azure")
        );
        assert_eq!(
            ns("https://bedrock-runtime.eu-west-1.amazonaws.com/openai/v1"),
            PriceNamespace::Cloud("bedrock")
        );
        assert_eq!(
            ns(
                "https://europe-west4-aiplatform.googleapis.com/v1/projects/p/locations/europe-west4/endpoints/openapi"
            ),
            PriceNamespace::Cloud("vertex")
        );
        assert_eq!(ns("https://llm.corp.example/v1"), PriceNamespace::Custom);
        assert_eq!(
            ns("https://evil-openai.azure.com.example/v1"),
            PriceNamespace::Custom
        );
        assert_eq!(ns("https://8.8.8.8/v1"), PriceNamespace::Custom);
        assert_eq!(ns("not a url"), PriceNamespace::Custom);
    }

    #[test]
    fn paid_cloud_names_are_recognised_and_open_weights_are_not() {
        assert_eq!(paid_cloud_family("gpt-4o"), Some(("openai", "gpt-4o")));
        assert_eq!(
            paid_cloud_family("openai/gpt-4o"),
            Some(("openai", "gpt-4o"))
        );
        assert_eq!(paid_cloud_family("o3-mini"), Some(("openai", "o3-mini")));
        assert_eq!(
            paid_cloud_family("claude-sonnet-4-5"),
            Some(("anthropic", "claude-sonnet-4-5"))
        );
        assert_eq!(
            paid_cloud_family("gemini-2.5-flash"),
            Some(("gemini", "gemini-2.5-flash"))
        );
        assert_eq!(paid_cloud_family("grok-4"), Some(("xai", "grok-4")));
        for open in [
            "gpt-oss-20b",
            "llama3.2:3b",
            "qwen2.5-coder",
            "mistral-7b-instruct",
            "gemma3:4b",
            "o1x",
            "deepseek-r1",
        ] {
            assert_eq!(paid_cloud_family(open), None, "{open}");
        }
    }
}
