//! [`Draft`]: what the composer sends, and what comes back to it when a
//! send cannot start (text, images, MCP resources).

use valechat_core::provider::{Attachment, ResourceAttachment};

/// The user's next message as composed.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The typed text (may be empty when something is attached).
    pub text: String,
    /// Images, in the order added.
    pub images: Vec<Attachment>,
    /// MCP resources read from servers, in the order added.
    pub resources: Vec<ResourceAttachment>,
}
