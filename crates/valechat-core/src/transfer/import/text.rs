//! Small helpers the source formats share: times, code fences, a message
//! with ValeChat's defaults, and the note left where an image was.

use crate::i18n::gettext_f;
use crate::model::archive::ArchivedMessage;

/// Unix seconds (maybe fractional) as UTC unix milliseconds.
#[allow(
    clippy::cast_possible_truncation,
    reason = "seconds since 1970 in milliseconds fit an i64 by far; `as` saturates"
)]
pub(super) fn seconds_to_ms(seconds: f64) -> i64 {
    (seconds * 1000.0).round() as i64
}

/// An ISO 8601 / RFC 3339 time (`2024-05-01T10:00:00.123456Z`) as UTC unix
/// milliseconds.
pub(super) fn iso_to_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// `text` in a fenced code block, the fence longer than any backtick run
/// inside.
pub(super) fn fence(language: &str, text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let ticks = "`".repeat(longest.max(2) + 1);
    format!(
        "{ticks}{language}\n{}\n{ticks}",
        text.trim_end_matches('\n')
    )
}

/// The note left in a message where the source had an image the export
/// does not contain.
pub(super) fn image_not_exported() -> String {
    format!(
        "*{}*",
        gettext_f("[An image that was not in the export]", &[])
    )
}

/// The title of a conversation that has none.
pub(super) fn untitled() -> String {
    gettext_f("Untitled conversation", &[])
}

/// A complete message with no model, usage, tool call or attachment.
pub(super) fn message(
    key: i64,
    parent: Option<i64>,
    role: &str,
    content: String,
    created_at: i64,
) -> ArchivedMessage {
    ArchivedMessage {
        key,
        parent,
        role: role.to_owned(),
        content,
        reasoning: String::new(),
        status: "complete".to_owned(),
        provider_id: None,
        model: None,
        finish_reason: None,
        error: None,
        input_tokens: None,
        output_tokens: None,
        created_at,
        updated_at: created_at,
        tool_calls: Vec::new(),
        attachments: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{fence, iso_to_ms, seconds_to_ms};

    #[test]
    fn times_become_milliseconds() {
        assert_eq!(seconds_to_ms(1_700_000_000.123_4), 1_700_000_000_123);
        assert_eq!(iso_to_ms("2024-05-01T10:00:00.5Z"), Some(1_714_557_600_500));
        assert_eq!(iso_to_ms("yesterday"), None);
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        assert_eq!(fence("py", "print(1)\n"), "```py\nprint(1)\n```");
        assert_eq!(fence("", "a ```` b"), "`````\na ```` b\n`````");
    }
}
