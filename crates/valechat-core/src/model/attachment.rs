//! Images attached to a user message: [`Attachment`], its checks
//! ([`Attachment::new`] sniffs the type from the bytes and enforces the size
//! limit) and the typed [`AttachmentError`].
//!
//! The accepted types are those every vision-capable protocol ValeChat
//! speaks documents: PNG, JPEG, WebP and GIF (OpenAI "Images and vision",
//! Anthropic "Vision" — which reads only the first frame of an animated GIF —,
//! Gemini "Image understanding", Ollama `images`). The limit, 20 MiB per
//! image, is the smallest per-request image limit of those APIs (Gemini
//! inline data). The type is read from the file's magic number, never from its
//! name: a `.png` holding a JPEG is sent as `image/jpeg`, a renamed PDF is
//! refused.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Largest image accepted, in bytes (20 MiB).
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

/// The MIME types ValeChat sends, in the order the file chooser lists them.
pub const SUPPORTED_IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/webp", "image/gif"];

/// Why a file cannot be attached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    /// The bytes are not a PNG, JPEG, WebP or GIF image.
    #[error("“{name}” is not a PNG, JPEG, WebP or GIF image")]
    UnsupportedType {
        /// File name as given.
        name: String,
    },
    /// The image is larger than [`MAX_ATTACHMENT_BYTES`].
    #[error("“{name}” is {size} bytes; images may be at most {max} bytes")]
    TooLarge {
        /// File name as given.
        name: String,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes ([`MAX_ATTACHMENT_BYTES`]).
        max: usize,
    },
}

/// An image sent with a user message.
///
/// Built through [`Attachment::new`], which checks the type and size; the
/// fields are public so stored attachments can be rebuilt as they were
/// saved. Serialises as `{"name","mime_type","data"}` with `data` in
/// standard base64 (RFC 4648, with padding). Cloning is cheap: `data` is a
/// reference-counted [`Bytes`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// File name shown to the user (`photo.jpg`, `Pasted image.png`); never
    /// used to decide the type.
    pub name: String,
    /// One of [`SUPPORTED_IMAGE_TYPES`], sniffed from `data`.
    pub mime_type: String,
    /// The encoded image file as read from disk.
    #[serde(serialize_with = "to_base64", deserialize_with = "from_base64")]
    pub data: Bytes,
}

impl Attachment {
    /// Checks `data` and builds the attachment.
    ///
    /// # Errors
    /// [`AttachmentError::TooLarge`] over [`MAX_ATTACHMENT_BYTES`];
    /// [`AttachmentError::UnsupportedType`] when the magic number is not
    /// PNG, JPEG, WebP or GIF.
    pub fn new(name: impl Into<String>, data: impl Into<Bytes>) -> Result<Self, AttachmentError> {
        let name = name.into();
        let data = data.into();
        if data.len() > MAX_ATTACHMENT_BYTES {
            return Err(AttachmentError::TooLarge {
                name,
                size: data.len(),
                max: MAX_ATTACHMENT_BYTES,
            });
        }
        let Some(mime_type) = sniff_image_type(&data) else {
            return Err(AttachmentError::UnsupportedType { name });
        };
        Ok(Self {
            name,
            mime_type: mime_type.to_owned(),
            data,
        })
    }

    /// Re-checks an attachment built field by field (type sniffed again,
    /// size limit); the same errors as [`Attachment::new`].
    ///
    /// # Errors
    /// As [`Attachment::new`].
    pub fn validate(&self) -> Result<(), AttachmentError> {
        Self::new(self.name.clone(), self.data.clone()).map(|_| ())
    }

    /// `data` in standard base64, as every protocol sends it.
    pub fn base64(&self) -> String {
        STANDARD.encode(&self.data)
    }

    /// A `data:` URL (RFC 2397): `data:<mime>;base64,<data>` (OpenAI `image_url.url`).
    pub fn data_url(&self) -> String {
        format!("data:{};base64,{}", self.mime_type, self.base64())
    }
}

/// The image type of `data` from its magic number: `image/png`
/// (`89 50 4E 47 0D 0A 1A 0A`), `image/jpeg` (`FF D8 FF`), `image/gif`
/// (`GIF87a` / `GIF89a`), `image/webp` (`RIFF????WEBP`); `None` otherwise.
#[must_use]
pub fn sniff_image_type(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if data.len() >= 12 && data.starts_with(b"RIFF") && &data[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn to_base64<S: Serializer>(data: &Bytes, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&STANDARD.encode(data))
}

fn from_base64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Bytes, D::Error> {
    let text = String::deserialize(deserializer)?;
    STANDARD
        .decode(text.as_bytes())
        .map(Bytes::from)
        .map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn the_type_comes_from_the_bytes_not_the_name() {
        let jpeg = Attachment::new("picture.png", vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]).unwrap();
        assert_eq!(jpeg.mime_type, "image/jpeg");
        assert_eq!(
            Attachment::new("a.jpg", PNG).unwrap().mime_type,
            "image/png"
        );
        assert_eq!(sniff_image_type(b"GIF89a\x01\0"), Some("image/gif"));
        assert_eq!(
            sniff_image_type(b"RIFF\x10\0\0\0WEBPVP8 "),
            Some("image/webp")
        );
        assert_eq!(sniff_image_type(b"RIFF\x10\0\0\0WAVEfmt "), None);
        let pdf = Attachment::new("scan.png", &b"%PDF-1.7"[..]);
        assert_eq!(
            pdf,
            Err(AttachmentError::UnsupportedType {
                name: "scan.png".into()
            })
        );
        assert!(Attachment::new("empty.png", Vec::new()).is_err());
    }

    #[test]
    fn images_over_twenty_mebibytes_are_refused() {
        let mut big = PNG.to_vec();
        big.resize(MAX_ATTACHMENT_BYTES, 0);
        assert!(Attachment::new("ok.png", big.clone()).is_ok());
        big.push(0);
        let err = Attachment::new("big.png", big).unwrap_err();
        assert_eq!(
            err,
            AttachmentError::TooLarge {
                name: "big.png".into(),
                size: MAX_ATTACHMENT_BYTES + 1,
                max: MAX_ATTACHMENT_BYTES
            }
        );
    }

    #[test]
    fn serialises_data_as_base64_and_builds_a_data_url() {
        let image = Attachment::new("a.gif", &b"GIF87a"[..]).unwrap();
        let json = serde_json::to_value(&image).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"name": "a.gif", "mime_type": "image/gif", "data": "R0lGODdh"})
        );
        assert_eq!(serde_json::from_value::<Attachment>(json).unwrap(), image);
        assert_eq!(image.data_url(), "data:image/gif;base64,R0lGODdh");
    }
}
