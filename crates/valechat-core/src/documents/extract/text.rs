//! Plain text and source code: bytes → UTF-8 text.
//!
//! UTF-8 (with or without a byte-order mark) is read as it is; UTF-16 is
//! recognised by its byte-order mark. Anything else is a legacy encoding
//! guessed by `chardetng` (the detector Firefox uses for unlabelled
//! pages) and decoded by `encoding_rs`: Windows-1252, ISO-8859-x,
//! `Shift_JIS`, GBK… A guess that decodes with replacement characters is
//! [`DocumentError::Encoding`] rather than text with holes in it. Bytes
//! with NULs or many control characters are [`DocumentError::Binary`].
//! Line ends become `\n`.

use std::path::Path;

use encoding_rs::Encoding;

use crate::documents::DocumentError;

/// How many leading bytes are looked at to tell text from binary.
const SNIFF_BYTES: usize = 8192;

/// Share of control characters (other than tab, line feed, form feed and
/// carriage return) above which the sniffed bytes are binary, in percent.
const MAX_CONTROL_PERCENT: usize = 10;

/// `bytes` as UTF-8 text with `\n` line ends.
///
/// # Errors
/// [`DocumentError::Binary`] for bytes that are not text,
/// [`DocumentError::Encoding`] when the guessed encoding does not decode
/// them cleanly.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<String, DocumentError> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(DocumentError::Encoding {
                path: path.to_owned(),
                guessed: encoding.name(),
            });
        }
        return Ok(normalise_lines(&text));
    }
    if looks_binary(bytes) {
        return Err(DocumentError::Binary {
            path: path.to_owned(),
        });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(normalise_lines(text));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    // C1 controls are what a single-byte guess makes of the bytes it has
    // no letter for: the guess is wrong.
    let c1_controls = text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c));
    if had_errors || c1_controls || encoding == encoding_rs::UTF_8 {
        return Err(DocumentError::Encoding {
            path: path.to_owned(),
            guessed: encoding.name(),
        });
    }
    Ok(normalise_lines(&text))
}

/// Whether the first [`SNIFF_BYTES`] hold a NUL or more than
/// [`MAX_CONTROL_PERCENT`] control characters.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    controls * 100 > head.len() * MAX_CONTROL_PERCENT
}

/// `text` with `\r\n` and lone `\r` line ends as `\n`.
fn normalise_lines(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_is_detected_and_decoded() {
        let bytes = b"Le caf\xe9 de la gare est ferm\xe9 le dimanche, d\xe9sol\xe9.\n";
        let text = decode(Path::new("a.txt"), bytes).unwrap();
        assert_eq!(text, "Le café de la gare est fermé le dimanche, désolé.\n");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xff, 0xfe];
        for unit in "héllo\r\nworld".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(Path::new("a.txt"), &bytes).unwrap(), "héllo\nworld");
    }

    #[test]
    fn nul_bytes_are_binary() {
        let error = decode(Path::new("a.bin"), b"\x7fELF\x02\x01\x01\0\0\0").unwrap_err();
        assert!(matches!(error, DocumentError::Binary { .. }), "{error}");
    }
}
