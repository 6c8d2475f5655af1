//! `.docx` (Office Open XML, ECMA-376) and `.odt` (ODF text,
//! OASIS ODF 1.3) → their text.
//!
//! A small reader over `zip` + `quick-xml` rather than a crate: the
//! crates.io readers (`docx-rs`, `docx-rust`, `dotext`) either build and
//! write documents (a whole object model for what is a walk over one XML
//! part), or are unmaintained; none reads both formats. Both keep the
//! body in one XML part (`word/document.xml`, `content.xml`); the text is
//! in `w:t` / `text:p` and `text:h` elements. Paragraphs and headings end
//! a line; tabs, line breaks and ODF's `text:s` (runs of spaces) are kept.
//! The part is read through a limit (`MAX_PART_BYTES`, 200 MiB) so a zip bomb
//! does not fill the memory.

use std::io::{Cursor, Read};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::Format;
use crate::documents::DocumentError;

/// Largest XML part read once decompressed, in bytes (200 MiB).
const MAX_PART_BYTES: u64 = 200 * 1024 * 1024;

/// The text of the `.docx` or `.odt` file `bytes`.
///
/// # Errors
/// [`DocumentError::Malformed`] when it is not a zip archive, lacks its
/// body part, or the part is not well-formed XML.
pub fn extract(path: &Path, format: Format, bytes: &[u8]) -> Result<String, DocumentError> {
    let (label, part) = match format {
        Format::Odt => ("OpenDocument text", "content.xml"),
        _ => ("Word document", "word/document.xml"),
    };
    let malformed = |detail: String| DocumentError::Malformed {
        path: path.to_owned(),
        format: label,
        detail,
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| malformed(e.to_string()))?;
    let mut xml = String::new();
    archive
        .by_name(part)
        .map_err(|e| malformed(format!("{part}: {e}")))?
        .take(MAX_PART_BYTES)
        .read_to_string(&mut xml)
        .map_err(|e| malformed(format!("{part}: {e}")))?;
    let names = match format {
        Format::Odt => Names::ODT,
        _ => Names::DOCX,
    };
    body_text(&xml, &names).map_err(malformed)
}

/// The element names (local names) a format keeps its text in.
struct Names {
    /// Elements whose text is the document's.
    text: &'static [&'static str],
    /// Elements that end a line when they end.
    paragraph: &'static [&'static str],
    /// Empty elements that stand for a tab.
    tab: &'static str,
    /// Empty elements that stand for a line break.
    line_break: &'static str,
    /// ODF's `text:s` (`text:c` spaces), none in Office Open XML.
    spaces: Option<&'static str>,
}

impl Names {
    const DOCX: Self = Self {
        text: &["t"],
        paragraph: &["p"],
        tab: "tab",
        line_break: "br",
        spaces: None,
    };
    const ODT: Self = Self {
        text: &["p", "h", "span", "a"],
        paragraph: &["p", "h"],
        tab: "tab",
        line_break: "line-break",
        spaces: Some("s"),
    };
}

/// Walks `xml` and collects the text of the elements `names` gives.
fn body_text(xml: &str, names: &Names) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    // How many text-holding elements are open: text outside them (page
    // styles, field codes) is not the document's.
    let mut inside = 0usize;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) if names.text.contains(&e.local_name().as_ref()) => inside += 1,
            Event::End(e) => {
                let name = e.local_name();
                if names.text.contains(&name.as_ref()) {
                    inside = inside.saturating_sub(1);
                }
                if names.paragraph.contains(&name.as_ref()) {
                    out.push('\n');
                }
            }
            Event::Empty(e) => {
                let name = e.local_name();
                let name = name.as_ref();
                if name == names.tab {
                    out.push('\t');
                } else if name == names.line_break || names.paragraph.contains(&name) {
                    out.push('\n');
                } else if Some(name) == names.spaces {
                    let count = e
                        .try_get_attribute("text:c")
                        .ok()
                        .flatten()
                        .and_then(|a| a.value.parse::<usize>().ok())
                        .unwrap_or(1);
                    out.push_str(&" ".repeat(count.min(1000)));
                }
            }
            Event::Text(t) if inside > 0 => out.push_str(&t.xml10_content()),
            Event::CData(t) if inside > 0 => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if inside > 0 => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else if let Some(s) =
                    quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                {
                    out.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docx_paragraphs_tabs_and_entities() {
        let xml = r#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>Fish &amp; chips</w:t><w:tab/><w:t xml:space="preserve"> at </w:t></w:r><w:r><w:t>noon</w:t></w:r></w:p><w:p><w:r><w:t>Second</w:t></w:r></w:p><w:sectPr><w:pgSz/></w:sectPr></w:body></w:document>"#;
        assert_eq!(
            body_text(xml, &Names::DOCX).unwrap(),
            "Fish & chips\t at noon\nSecond\n"
        );
    }

    #[test]
    fn odt_headings_spans_and_spaces() {
        let xml = r#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text><text:h text:outline-level="1">Title</text:h><text:p>a<text:s text:c="3"/>b <text:span>c</text:span></text:p></office:text></office:body></office:document-content>"#;
        assert_eq!(body_text(xml, &Names::ODT).unwrap(), "Title\na   b c\n");
    }
}
