//! The note under a reply that failed or was cut short: a translated
//! sentence ("The reply failed: The server had a problem (HTTP 503). Try
//! again later.") and, on a dimmed line of its own, the server's or the
//! system's words as they came (the detail of
//! [`valechat_core::chat::UserError`]), so an English server message is
//! not mixed into a translated sentence.

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use crate::i18n::gettext_f;
use valechat_core::chat::UserError;
use valechat_core::store::MessageStatus;

/// Longest a detail is shown, in lines (a server may answer with a whole
/// HTML page); the full text is in the tooltip.
const DETAIL_LINES: i32 = 4;

/// The two labels of the note.
#[derive(Debug)]
pub struct StatusView {
    /// The sentence; styled `error` when the reply failed.
    pub sentence: gtk::Label,
    /// The detail, dimmed and selectable.
    pub detail: gtk::Label,
}

impl StatusView {
    /// Hidden labels, to be appended to the row in this order.
    pub fn new() -> Self {
        let sentence = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .selectable(true)
            .css_classes(["caption"])
            .visible(false)
            .build();
        let detail = gtk::Label::builder()
            .xalign(0.0)
            .wrap(true)
            .wrap_mode(gtk::pango::WrapMode::WordChar)
            .lines(DETAIL_LINES)
            .ellipsize(gtk::pango::EllipsizeMode::End)
            .selectable(true)
            .css_classes(["caption", "dim-label", "message-error-detail"])
            .visible(false)
            .build();
        Self { sentence, detail }
    }

    /// Shows the note for a reply in `status` that stored `error` (the
    /// form of [`UserError::stored`]), or hides it.
    pub fn render(&self, status: MessageStatus, error: Option<&str>) {
        let error = error.map(UserError::from_stored);
        let sentence = match (status, &error) {
            (MessageStatus::Failed, Some(e)) => Some(gettext_f(
                "The reply failed: {error}",
                &[("error", &e.sentence)],
            )),
            (MessageStatus::Failed, None) => Some(gettext("The reply failed.")),
            (MessageStatus::Incomplete, Some(e)) => Some(gettext_f(
                "The reply was interrupted: {error}",
                &[("error", &e.sentence)],
            )),
            (MessageStatus::Incomplete, None) => {
                Some(gettext("The reply was stopped before it ended."))
            }
            _ => None,
        };
        self.sentence.set_visible(sentence.is_some());
        if let Some(sentence) = &sentence {
            self.sentence.set_label(sentence);
        }
        if status == MessageStatus::Failed {
            self.sentence.add_css_class("error");
        } else {
            self.sentence.remove_css_class("error");
        }
        let detail = error.and_then(|e| e.detail).filter(|_| sentence.is_some());
        self.detail.set_visible(detail.is_some());
        self.detail.set_label(detail.as_deref().unwrap_or_default());
        self.detail.set_tooltip_text(detail.as_deref());
    }
}
