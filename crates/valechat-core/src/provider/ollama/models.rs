//! What Ollama says about its models: installed models (`/api/tags`), one
//! model's details (`/api/show`) and download progress (`/api/pull`), as
//! ValeChat's types, with the mapping from Ollama's JSON (`docs/api.md`,
//! "List Local Models", "Show Model Information", "Pull a Model").

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::stream::{Flow, LineMapper};
use super::wire::{PullLine, ShowReply, Tag, TagDetails, TagList, error_text};
use crate::provider::error::quote;
use crate::provider::{ModelInfo, ProviderError};

/// A model installed on the Ollama server (one entry of `/api/tags`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledModel {
    /// Name to send as `model` (`llama3:latest`, `codellama:13b`).
    pub name: String,
    /// Size on disk in bytes (0 when the server does not say).
    pub size_bytes: u64,
    /// Parameter count label as Ollama prints it (`8.0B`, `13B`).
    pub parameter_size: Option<String>,
    /// Quantization level (`Q4_0`, `Q4_K_M`).
    pub quantization: Option<String>,
    /// Model family (`llama`, `gemma3`).
    pub family: Option<String>,
}

/// Details of one model (`/api/show`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelDetails {
    /// The model asked about.
    pub name: String,
    /// Context window the model was trained for, in tokens (the
    /// `<architecture>.context_length` entry of `model_info`); `None` when
    /// the server does not report it.
    pub context_length: Option<u64>,
    /// Parameter count label (`8.0B`).
    pub parameter_size: Option<String>,
    /// Quantization level (`Q4_0`).
    pub quantization: Option<String>,
    /// Model family (`llama`).
    pub family: Option<String>,
    /// What the model can do, as Ollama names it (`completion`, `tools`,
    /// `vision`, `thinking`, `embedding`…); empty when the server is too old
    /// to say.
    pub capabilities: Vec<String>,
}

impl ModelDetails {
    /// Whether the server lists `capability` (e.g. `"tools"`, `"vision"`).
    #[must_use]
    pub fn has_capability(&self, capability: &str) -> bool {
        self.capabilities.iter().any(|c| c == capability)
    }
}

/// One step of a model download (one line of `/api/pull`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullProgress {
    /// What the server is doing, as it says it (`pulling manifest`,
    /// `pulling 6a0746a1ec1a`, `verifying sha256 digest`, `writing manifest`,
    /// `success`); not translated.
    pub status: String,
    /// Digest of the layer being downloaded, when the step is a download.
    pub digest: Option<String>,
    /// Bytes of that layer downloaded so far; `None` before the first byte
    /// (Ollama omits `completed` until then) and for steps that are not downloads.
    pub completed_bytes: Option<u64>,
    /// Size of that layer in bytes; `None` for steps that are not downloads.
    pub total_bytes: Option<u64>,
}

impl PullProgress {
    /// Whether this is the final `success` step.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.status == SUCCESS
    }

    /// How much of the current layer is downloaded, in [0, 1]: completed ÷
    /// total bytes; `None` when the step has no known total (not a
    /// download, or a zero-byte layer). A step reporting a total but no
    /// completed bytes yet is 0.
    #[must_use]
    pub fn fraction(&self) -> Option<f64> {
        let total = self.total_bytes.filter(|t| *t > 0)?;
        let done = self.completed_bytes.unwrap_or(0).min(total);
        // Byte counts below 2^53 convert exactly; larger ones lose only
        // precision a progress bar cannot show.
        #[allow(clippy::cast_precision_loss)]
        let fraction = done as f64 / total as f64;
        Some(fraction)
    }
}

/// An installed model as a [`ModelInfo`], with what `/api/show` said when
/// `details` is known: context length and, when the server lists
/// capabilities at all, whether they include `tools` and `vision`.
#[must_use]
pub fn model_info(model: InstalledModel, details: Option<ModelDetails>) -> ModelInfo {
    let mut info = ModelInfo::new(model.name);
    if let Some(details) = details {
        info.context_length = details.context_length;
        if !details.capabilities.is_empty() {
            info.supports_tools = Some(details.has_capability("tools"));
            info.supports_vision = Some(details.has_capability("vision"));
        }
    }
    info
}

/// The status of the last line of a successful pull.
const SUCCESS: &str = "success";

/// Parses a `/api/tags` body into installed models, sorted by name.
///
/// # Errors
/// [`ProviderError::Malformed`] quoting the body when it is not `{"models":[…]}`.
pub fn parse_tags(text: &str) -> Result<Vec<InstalledModel>, ProviderError> {
    let list: TagList = serde_json::from_str(text).map_err(|e| {
        ProviderError::Malformed(format!(
            "model list is not {{\"models\":[{{\"name\",…}}]}} ({e}): {}",
            quote(text)
        ))
    })?;
    let mut models: Vec<InstalledModel> = list
        .models
        .unwrap_or_default()
        .into_iter()
        .filter_map(installed)
        .collect();
    models.sort_by(|a, b| a.name.cmp(&b.name));
    models.dedup_by(|a, b| a.name == b.name);
    Ok(models)
}

/// One `/api/tags` entry; `None` when it has no name at all.
fn installed(tag: Tag) -> Option<InstalledModel> {
    let name = Some(tag.name)
        .filter(|n| !n.is_empty())
        .or(tag.model)
        .filter(|n| !n.is_empty())?;
    let (parameter_size, quantization, family) = detail_fields(tag.details);
    Some(InstalledModel {
        name,
        size_bytes: tag.size.unwrap_or(0),
        parameter_size,
        quantization,
        family,
    })
}

/// Parses a `/api/show` body for `model`.
///
/// # Errors
/// [`ProviderError::Malformed`] quoting the body when it is not a JSON object.
pub fn parse_show(model: &str, text: &str) -> Result<ModelDetails, ProviderError> {
    let reply: ShowReply = serde_json::from_str(text).map_err(|e| {
        ProviderError::Malformed(format!(
            "model details for {model:?} are not an /api/show object ({e}): {}",
            quote(text)
        ))
    })?;
    let context_length = reply.model_info.as_ref().and_then(context_length);
    let (parameter_size, quantization, family) = detail_fields(reply.details);
    Ok(ModelDetails {
        name: model.to_owned(),
        context_length,
        parameter_size,
        quantization,
        family,
        capabilities: reply.capabilities.unwrap_or_default(),
    })
}

/// `<general.architecture>.context_length`, else the first key ending in
/// `.context_length` (in key order) that holds a positive integer.
fn context_length(info: &serde_json::Map<String, Value>) -> Option<u64> {
    let positive = |v: &Value| v.as_u64().filter(|n| *n > 0);
    let by_architecture = info
        .get("general.architecture")
        .and_then(Value::as_str)
        .and_then(|arch| info.get(&format!("{arch}.context_length")))
        .and_then(positive);
    by_architecture.or_else(|| {
        info.iter()
            .filter(|(k, _)| k.ends_with(".context_length"))
            .find_map(|(_, v)| positive(v))
    })
}

/// (parameter size, quantization, family), blanks as `None`.
fn detail_fields(details: Option<TagDetails>) -> (Option<String>, Option<String>, Option<String>) {
    let details = details.unwrap_or_default();
    let keep = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    (
        keep(details.parameter_size),
        keep(details.quantization_level),
        keep(details.family),
    )
}

/// State of one `/api/pull` stream: ends at status `success`.
#[derive(Debug, Default)]
pub struct PullMapper {
    succeeded: bool,
}

impl PullMapper {
    /// A mapper for a new pull.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl LineMapper for PullMapper {
    type Item = PullProgress;

    fn push_line(
        &mut self,
        line: &str,
        out: &mut Vec<PullProgress>,
    ) -> Result<Flow, ProviderError> {
        let parsed: PullLine = serde_json::from_str(line).map_err(|e| {
            ProviderError::Malformed(format!(
                "a line of the pull stream is not an Ollama status object ({e}): {}",
                quote(line)
            ))
        })?;
        if let Some(error) = &parsed.error {
            return Err(ProviderError::Stream {
                message: error_text(error),
            });
        }
        let progress = PullProgress {
            status: parsed.status.unwrap_or_default(),
            digest: parsed.digest.filter(|d| !d.is_empty()),
            completed_bytes: parsed.completed,
            total_bytes: parsed.total,
        };
        self.succeeded = progress.is_success();
        out.push(progress);
        Ok(if self.succeeded {
            Flow::End
        } else {
            Flow::Continue
        })
    }

    fn is_complete(&self) -> bool {
        self.succeeded
    }

    fn finish(&mut self, _out: &mut Vec<PullProgress>) {}

    fn early_end_message(&self) -> String {
        "the server closed the pull stream before status \"success\"".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_length_prefers_the_architecture_key() {
        let info: serde_json::Map<String, Value> = serde_json::from_str(
            r#"{"clip.context_length":0,"general.architecture":"llama",
                "aaa.context_length":77,"llama.context_length":8192}"#,
        )
        .unwrap();
        assert_eq!(context_length(&info), Some(8192));
        let info: serde_json::Map<String, Value> =
            serde_json::from_str(r#"{"x.context_length":"big","qwen2.context_length":32768}"#)
                .unwrap();
        assert_eq!(context_length(&info), Some(32768));
        assert_eq!(context_length(&serde_json::Map::new()), None);
    }

    #[test]
    fn tags_tolerate_nulls_and_missing_names() {
        let models = parse_tags(
            r#"{"models":[{"name":"","model":"b:1"},{"name":"a","details":null},{"size":3}]}"#,
        )
        .unwrap();
        let names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a", "b:1"]);
        assert_eq!(models[0].size_bytes, 0);
        assert!(parse_tags(r#"{"models":null}"#).unwrap().is_empty());
        assert!(matches!(
            parse_tags("<html>"),
            Err(ProviderError::Malformed(_))
        ));
    }

    #[test]
    fn pull_lines_map_and_end_at_success() {
        let mut mapper = PullMapper::new();
        let mut out = Vec::new();
        let flow = mapper
            .push_line(r#"{"status":"pulling manifest"}"#, &mut out)
            .unwrap();
        assert_eq!(flow, Flow::Continue);
        assert!(!mapper.is_complete());
        let flow = mapper
            .push_line(r#"{"status":"success"}"#, &mut out)
            .unwrap();
        assert_eq!(flow, Flow::End);
        assert!(mapper.is_complete() && out[1].is_success());
        assert_eq!(
            mapper.push_line(
                r#"{"error":"pull model manifest: file does not exist"}"#,
                &mut out
            ),
            Err(ProviderError::Stream {
                message: "pull model manifest: file does not exist".into()
            })
        );
    }
}
