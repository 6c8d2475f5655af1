//! Images for the attachment tests: a real 2×2 PNG and a request whose
//! user message carries it.

use valechat_core::provider::{Attachment, ChatMessage, ChatRequest};

/// A valid 2×2 RGB PNG (73 bytes).
pub const PNG_2X2: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a,
    0x73, 0x00, 0x00, 0x00, 0x12, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xc0,
    0x00, 0xc2, 0x0c, 0xff, 0x81, 0x00, 0x00, 0x1f, 0xee, 0x05, 0xfb, 0x0b, 0xd9, 0x68, 0x8b, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// [`PNG_2X2`] in standard base64, as every protocol sends it.
pub const PNG_2X2_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAAMIM/4EAAB/uBfsL2WiLAAAAAElFTkSuQmCC";

/// [`PNG_2X2`] as an attachment named `dot.png`.
pub fn png_attachment() -> Attachment {
    Attachment::new("dot.png", PNG_2X2).expect("a valid PNG")
}

/// `model` asked "What colour?" about [`PNG_2X2`], after an earlier
/// image-only user turn and a text reply (so both the text+image and the
/// image-only shapes are on the wire).
pub fn image_request(model: &str) -> ChatRequest {
    ChatRequest {
        model: model.into(),
        messages: vec![
            ChatMessage::user_with_attachments("", vec![png_attachment()]),
            ChatMessage::assistant("A small picture."),
            ChatMessage::user_with_attachments("What colour?", vec![png_attachment()]),
        ],
        ..ChatRequest::default()
    }
}
