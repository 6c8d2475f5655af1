//! PDF → the text layer, one [`Passage`] per page with text.
//!
//! `pdf-extract` over `lopdf`: both pure Rust (no poppler, no C library,
//! no glib in the core), released through 2025 and widely used (the
//! crates.io alternatives: `lopdf`'s own `extract_text` ignores font
//! encodings and `ToUnicode` maps, so accented text comes out wrong;
//! `pdf_oxide` is younger and far larger). `pdf-extract` follows font
//! encodings, `ToUnicode` character maps and Type 1 and CFF encodings, and lays the
//! page's text out in reading order. `lopdf` is used directly to tell an
//! encrypted file (a password it cannot open with the empty one) apart
//! from a damaged one, and to count pages.
//!
//! A PDF whose pages hold no text at all is [`DocumentError::NoTextLayer`]
//! (a scan: text recognition is not done). `pdf-extract` (and `lopdf`
//! while loading) panics on some malformed files; a panic is caught and
//! reported as [`DocumentError::Malformed`].

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use lopdf::Document;

use super::{Extracted, Format, Passage};
use crate::documents::DocumentError;

/// The text layer of the PDF `bytes`, page by page.
///
/// # Errors
/// [`DocumentError::Encrypted`], [`DocumentError::NoTextLayer`],
/// [`DocumentError::Malformed`].
pub fn extract(path: &Path, bytes: &[u8]) -> Result<Extracted, DocumentError> {
    let malformed = |detail: String| DocumentError::Malformed {
        path: path.to_owned(),
        format: "PDF",
        detail,
    };
    let encrypted = || DocumentError::Encrypted {
        path: path.to_owned(),
    };
    let loaded = catch_unwind(|| Document::load_mem(bytes))
        .map_err(|_| malformed("the PDF reader failed on the file's structure".into()))?;
    let mut document = match loaded {
        Ok(document) => document,
        Err(lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword) => return Err(encrypted()),
        Err(e) => return Err(malformed(e.to_string())),
    };
    if document.is_encrypted() && document.decrypt("").is_err() {
        return Err(encrypted());
    }
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    let mut passages = Vec::new();
    for page in &pages {
        let text = page_text(&document, *page).map_err(malformed)?;
        if !text.trim().is_empty() {
            passages.push(Passage {
                text: tidy(&text),
                page: Some(*page),
                first_line: 1,
            });
        }
    }
    if passages.is_empty() && !pages.is_empty() {
        return Err(DocumentError::NoTextLayer {
            path: path.to_owned(),
            pages: pages.len(),
        });
    }
    Ok(Extracted {
        format: Format::Pdf,
        passages,
    })
}

/// The text of page `page` (from 1), or what went wrong.
fn page_text(document: &Document, page: u32) -> Result<String, String> {
    let mut text = String::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut output = pdf_extract::PlainTextOutput::new(&mut text);
        pdf_extract::output_doc_page(document, &mut output, page)
    }));
    match result {
        Ok(Ok(())) => Ok(text),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("the PDF reader failed on page {page}")),
    }
}

/// A page's text without its leading blank lines and trailing white
/// space on each line.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.trim_start_matches(['\n', '\r']).lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
