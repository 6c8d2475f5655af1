//! Each format from a committed fixture, and each kind of bad input as
//! its own error with a sentence for the user.

use valechat_core::documents::chunk::chunk;
use valechat_core::documents::{DocumentError, Format, MAX_FILE_BYTES, extract_file};

use super::fixture;

/// The whole text of a fixture, passages joined.
fn text_of(name: &str) -> (Format, String) {
    let extracted = extract_file(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let text = extracted
        .passages
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("");
    (extracted.format, text)
}

#[test]
fn plain_text_code_and_markdown() {
    let (format, text) = text_of("plain.txt");
    assert_eq!(format, Format::Text);
    assert!(
        text.contains("High water at the north pier is at 06:12."),
        "{text}"
    );
    let (format, text) = text_of("tide.py");
    assert_eq!(format, Format::Code);
    assert!(text.starts_with("def high_water(pier):\n"), "{text}");
    let (format, text) = text_of("notes.md");
    assert_eq!(format, Format::Markdown);
    assert!(
        text.contains("## Cleat hitch\n"),
        "Markdown kept as Markdown: {text}"
    );
}

#[test]
fn legacy_encoding_is_decoded() {
    let (_, text) = text_of("latin1.txt");
    assert!(
        text.starts_with("Le café du port ouvre à sept heures."),
        "{text}"
    );
    assert!(text.contains("météo"), "{text}");
}

#[test]
fn html_main_text() {
    let (format, text) = text_of("page.html");
    assert_eq!(format, Format::Html);
    assert_eq!(
        text,
        "# Ferry timetable\n\nThe first ferry leaves the quay at 08:30.\nReturn at noon\nBicycles travel free\n"
    );
}

#[test]
fn pdf_text_per_page() {
    let extracted = extract_file(&fixture("text.pdf")).expect("text.pdf");
    assert_eq!(extracted.format, Format::Pdf);
    let pages: Vec<Option<u32>> = extracted.passages.iter().map(|p| p.page).collect();
    assert_eq!(pages, [Some(1), Some(2)]);
    assert!(
        extracted.passages[0]
            .text
            .contains("the lighthouse stands on the eastern cape"),
        "{:?}",
        extracted.passages[0]
    );
    assert!(
        extracted.passages[1]
            .text
            .contains("A café serves visitors in summer."),
        "{:?}",
        extracted.passages[1]
    );
    // Chunks keep their page.
    let chunks = chunk(&extracted);
    assert!(
        chunks
            .iter()
            .any(|c| c.page == Some(2) && c.text.contains("keeper")),
        "{chunks:?}"
    );
    assert!(chunks.iter().all(|c| c.page.is_some()));
}

#[test]
fn office_documents() {
    let (format, text) = text_of("sample.docx");
    assert_eq!(format, Format::Docx);
    assert_eq!(
        text,
        "\nHarbour opening hours\nThe harbour office opens at seven o'clock & closes at dusk.\nBoats\ttwelve moorings\n"
            .trim_start()
    );
    let (format, text) = text_of("sample.odt");
    assert_eq!(format, Format::Odt);
    assert_eq!(
        text,
        "Lighthouse keeping\nThe lamp is lit  at sunset and trimmed at midnight.\nOil is stored in the cellar.\n"
    );
}

#[test]
fn encrypted_pdf() {
    let error = extract_file(&fixture("encrypted.pdf")).unwrap_err();
    assert!(
        matches!(error, DocumentError::Encrypted { .. }),
        "{error:?}"
    );
    assert!(
        error.user_message().contains("encrypted"),
        "{}",
        error.user_message()
    );
    assert!(!error.is_skip());
}

#[test]
fn scanned_pdf_without_text() {
    let error = extract_file(&fixture("scanned.pdf")).unwrap_err();
    assert!(
        matches!(error, DocumentError::NoTextLayer { pages: 2, .. }),
        "{error:?}"
    );
    assert!(
        error.user_message().contains("OCR"),
        "{}",
        error.user_message()
    );
}

#[test]
fn binary_file() {
    let error = extract_file(&fixture("image.png")).unwrap_err();
    assert!(matches!(error, DocumentError::Binary { .. }), "{error:?}");
    assert!(error.is_skip());
}

#[test]
fn unreadable_encoding() {
    let error = extract_file(&fixture("unreadable.txt")).unwrap_err();
    assert!(matches!(error, DocumentError::Encoding { .. }), "{error:?}");
    assert!(
        error.user_message().contains("UTF-8"),
        "{}",
        error.user_message()
    );
}

#[test]
fn file_over_the_size_limit_is_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.txt");
    let file = std::fs::File::create(&path).expect("create");
    // Sparse: no disk space used.
    file.set_len(MAX_FILE_BYTES + 1).expect("set_len");
    let error = extract_file(&path).unwrap_err();
    assert!(
        matches!(error, DocumentError::TooLarge { size, .. } if size == MAX_FILE_BYTES + 1),
        "{error:?}"
    );
    assert!(
        error.user_message().contains("50.0 MiB"),
        "{}",
        error.user_message()
    );
}

#[test]
fn damaged_pdf() {
    let error = valechat_core::documents::extract_bytes(
        std::path::Path::new("broken.pdf"),
        b"%PDF-1.4\nthis is not a PDF body",
    )
    .unwrap_err();
    assert!(
        matches!(error, DocumentError::Malformed { format: "PDF", .. }),
        "{error:?}"
    );
}
