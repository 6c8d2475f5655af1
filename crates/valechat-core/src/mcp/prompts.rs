//! Prompts of the running servers, for the composer's `/` menu: listing
//! every ready server's prompts, completing their arguments, and turning a
//! `prompts/get` result into a draft (MCP spec 2025-11-25, "Prompts" and
//! "Completion").
//!
//! A draft is one user message: the text of every text content, in order,
//! separated by blank lines; images become image attachments; embedded
//! resources and resource links (read at once) become resource
//! attachments; audio is left out.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rmcp::model::{ContentBlock, GetPromptResult, Prompt};

use super::resources::attachment;
use super::{CompletionTarget, Completions, McpError, McpServers};
use crate::provider::{Attachment, ResourceAttachment};

/// A prompt offered by a server.
#[derive(Debug, Clone)]
pub struct PromptEntry {
    /// Server id.
    pub server_id: String,
    /// The prompt as listed (name, title, description, arguments).
    pub prompt: Prompt,
}

impl PromptEntry {
    /// Whether the prompt has arguments to ask for.
    #[must_use]
    pub fn has_arguments(&self) -> bool {
        self.prompt
            .arguments
            .as_ref()
            .is_some_and(|a| !a.is_empty())
    }

    /// `server: prompt — description` as the menu shows it.
    #[must_use]
    pub fn label(&self) -> String {
        match self.prompt.description.as_deref().filter(|d| !d.is_empty()) {
            Some(description) => {
                format!("{}: {} — {description}", self.server_id, self.prompt.name)
            }
            None => format!("{}: {}", self.server_id, self.prompt.name),
        }
    }
}

/// What a prompt gives the composer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromptDraft {
    /// The text of the prompt's messages, blank lines between.
    pub text: String,
    /// Images of the messages.
    pub images: Vec<Attachment>,
    /// Embedded resources and read resource links.
    pub resources: Vec<ResourceAttachment>,
}

impl McpServers {
    /// Every prompt of every ready server, by server id then prompt name; a
    /// server that fails to list is left out (logged).
    pub async fn list_all_prompts(&self) -> Vec<PromptEntry> {
        let mut out = Vec::new();
        for id in self.ready_ids() {
            let Some(connection) = self.connection(&id) else {
                continue;
            };
            match connection.list_prompts().await {
                Ok(mut prompts) => {
                    prompts.sort_by(|a, b| a.name.cmp(&b.name));
                    out.extend(prompts.into_iter().map(|prompt| PromptEntry {
                        server_id: id.clone(),
                        prompt,
                    }));
                }
                Err(e) => tracing::debug!(server = %id, "no prompts: {e}"),
            }
        }
        out
    }

    /// Suggestions from `completion/complete` on `server_id` (see
    /// [`McpConnection::complete`](super::McpConnection::complete)).
    ///
    /// # Errors
    /// [`McpError::Closed`] when the server is not ready, then those of
    /// `complete`.
    pub async fn complete(
        &self,
        server_id: &str,
        target: CompletionTarget<'_>,
        argument: &str,
        value: &str,
        context: &[(&str, &str)],
    ) -> Result<Completions, McpError> {
        let connection = self.ready(server_id, "completion/complete")?;
        connection.complete(target, argument, value, context).await
    }

    /// Gets prompt `name` of `server_id` with `arguments` (name → value)
    /// and turns it into a draft (see the module doc).
    ///
    /// # Errors
    /// [`McpError::Closed`] when the server is not ready, then those of
    /// [`McpConnection::get_prompt`](super::McpConnection::get_prompt) and of
    /// reading a linked resource; [`McpError::Protocol`] for an image that is
    /// not a valid PNG, JPEG, WebP or GIF in base64.
    pub async fn prompt_draft(
        &self,
        server_id: &str,
        name: &str,
        arguments: &[(String, String)],
    ) -> Result<PromptDraft, McpError> {
        let request = format!("prompts/get {name}");
        let connection = self.ready(server_id, &request)?;
        let args = arguments
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        let result = connection.get_prompt(name, args).await?;
        self.draft(server_id, &request, result).await
    }

    async fn draft(
        &self,
        server_id: &str,
        request: &str,
        result: GetPromptResult,
    ) -> Result<PromptDraft, McpError> {
        let mut draft = PromptDraft::default();
        let mut texts = Vec::new();
        for message in result.messages {
            match message.content {
                ContentBlock::Text(text) => texts.push(text.text),
                ContentBlock::Image(image) => {
                    let bad = |reason: String| McpError::Protocol {
                        server: server_id.to_owned(),
                        request: request.to_owned(),
                        reason,
                    };
                    let data = STANDARD
                        .decode(image.data.trim())
                        .map_err(|e| bad(format!("an image is not base64: {e}")))?;
                    let number = draft.images.len() + 1;
                    let image = Attachment::new(format!("Prompt image {number}"), data)
                        .map_err(|e| bad(e.to_string()))?;
                    draft.images.push(image);
                }
                ContentBlock::Resource(embedded) => {
                    draft
                        .resources
                        .push(attachment(server_id, "", embedded.resource)?);
                }
                ContentBlock::ResourceLink(link) => {
                    let name = link.title.clone().unwrap_or_else(|| link.name.clone());
                    let read = self.read_attachments(server_id, &link.uri, &name).await?;
                    draft.resources.extend(read);
                }
                _ => {}
            }
        }
        draft.text = texts.join("\n\n");
        Ok(draft)
    }
}
