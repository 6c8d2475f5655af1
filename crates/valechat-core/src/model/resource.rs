//! MCP resources attached to a user message: [`ResourceAttachment`] (what
//! was read from which server) and how the model sees it.
//!
//! The model gets a resource as text appended to the user message, one
//! block per resource (MCP spec 2025-11-25, "Resources", `TextResourceContents`
//! / `BlobResourceContents`):
//!
//! ```text
//! <resource uri="demo://resource/static/document/1.md" mimeType="text/markdown">
//! …the text…
//! </resource>
//! ```
//!
//! A blob that is a PNG, JPEG, WebP or GIF image (sniffed from its bytes)
//! becomes an image part of the message instead ([`ResourceAttachment::image`]),
//! and the block says so; any other blob is not sent: the block carries a
//! note with its size in bytes.

use super::attachment::{Attachment, MAX_ATTACHMENT_BYTES, sniff_image_type};
use bytes::Bytes;

/// What a resource holds, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceBody {
    /// `TextResourceContents.text`.
    Text(String),
    /// `BlobResourceContents.blob`, decoded from base64.
    Blob(Bytes),
}

/// A resource read from an MCP server and attached to a user message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceAttachment {
    /// Id of the server it was read from (`everything`).
    pub server_id: String,
    /// The resource's URI (`demo://resource/static/document/1.md`).
    pub uri: String,
    /// Name shown to the user (the resource's title or name, else the URI).
    pub name: String,
    /// MIME type the server gave, if any (`text/markdown`).
    pub mime_type: Option<String>,
    /// The contents.
    pub body: ResourceBody,
}

impl ResourceAttachment {
    /// Size of the contents in bytes (UTF-8 for text).
    pub fn size(&self) -> usize {
        match &self.body {
            ResourceBody::Text(text) => text.len(),
            ResourceBody::Blob(data) => data.len(),
        }
    }

    /// The blob as an image part when it is a PNG, JPEG, WebP or GIF of at
    /// most 20 MiB; `None` for text and other blobs.
    pub fn image(&self) -> Option<Attachment> {
        match &self.body {
            ResourceBody::Blob(data) if data.len() <= MAX_ATTACHMENT_BYTES => {
                sniff_image_type(data).map(|mime| Attachment {
                    name: self.name.clone(),
                    mime_type: mime.to_owned(),
                    data: data.clone(),
                })
            }
            _ => None,
        }
    }

    /// The `<resource …>` block the model reads (see the module doc).
    pub fn model_text(&self) -> String {
        let mime = self
            .mime_type
            .as_deref()
            .map(|m| format!(" mimeType=\"{}\"", escape_attribute(m)))
            .unwrap_or_default();
        let head = format!("<resource uri=\"{}\"{mime}>", escape_attribute(&self.uri));
        let body = match &self.body {
            ResourceBody::Text(text) => text.clone(),
            ResourceBody::Blob(data) if self.image().is_some() => {
                format!("[image of {} bytes, attached to this message]", data.len())
            }
            ResourceBody::Blob(data) => {
                format!("[binary contents of {} bytes, not included]", data.len())
            }
        };
        format!("{head}\n{body}\n</resource>")
    }
}

/// `text` followed by the model blocks of `resources` (blank line between).
pub fn with_resources(text: &str, resources: &[ResourceAttachment]) -> String {
    let mut out = text.to_owned();
    for resource in resources {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&resource.model_text());
    }
    out
}

fn escape_attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(body: ResourceBody) -> ResourceAttachment {
        ResourceAttachment {
            server_id: "s".into(),
            uri: "demo://a\"b".into(),
            name: "a".into(),
            mime_type: Some("text/plain".into()),
            body,
        }
    }

    #[test]
    fn text_is_wrapped_in_a_resource_block() {
        let r = resource(ResourceBody::Text("hello".into()));
        assert_eq!(
            r.model_text(),
            "<resource uri=\"demo://a&quot;b\" mimeType=\"text/plain\">\nhello\n</resource>"
        );
        assert_eq!(
            with_resources("look", std::slice::from_ref(&r)),
            format!("look\n\n{}", r.model_text())
        );
        assert!(r.image().is_none());
    }

    #[test]
    fn binary_blobs_are_a_note_and_images_an_image_part() {
        let r = resource(ResourceBody::Blob(Bytes::from_static(b"\0\x01\x02")));
        assert!(r.model_text().contains("binary contents of 3 bytes"));
        assert!(r.image().is_none());
        let png = resource(ResourceBody::Blob(Bytes::from_static(
            b"\x89PNG\r\n\x1a\n....",
        )));
        let image = png.image().expect("a PNG blob is an image");
        assert_eq!(image.mime_type, "image/png");
        assert!(png.model_text().contains("image of 12 bytes"));
    }
}
