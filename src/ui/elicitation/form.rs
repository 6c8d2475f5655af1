//! Form mode: a dialog with one row per requested field, defaults filled in
//! and required fields marked. Submit stays disabled until every field is
//! valid; a field the user changed shows its error in place. Submit answers
//! `accept` with the content, Decline `decline`, Cancel (also Escape and
//! closing the window) `cancel`. Enter submits when the form is valid.

use std::cell::Cell;
use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};
use rmcp::model::{ElicitResult, ElicitationAction};

use super::Answer;
use super::fields::FieldRow;
use crate::i18n::gettext_f;
use valechat_core::mcp::elicitation::ElicitationForm;

/// Most of the form's height before it scrolls, in pixels.
const MAX_FORM_HEIGHT: i32 = 420;

/// Fills `dialog` with `form` from `server_name`; returns how a response
/// becomes the answer.
pub(super) fn fill(
    dialog: &adw::MessageDialog,
    server_name: &str,
    form: ElicitationForm,
) -> Answer {
    let mut body = form.message.clone();
    if let Some(description) = form.description.as_deref().filter(|d| !d.trim().is_empty()) {
        body.push_str("\n\n");
        body.push_str(description.trim());
    }
    dialog.set_heading(Some(&gettext_f(
        "Request from {server}",
        &[("server", server_name)],
    )));
    dialog.set_body(&body);
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("decline", &gettext("Decline"));
    dialog.add_response("submit", &gettext("Submit"));
    dialog.set_response_appearance("submit", adw::ResponseAppearance::Suggested);
    dialog.set_default_response(Some("submit"));
    dialog.set_close_response("cancel");

    let rows: Rc<Vec<FieldRow>> = Rc::new(form.fields.iter().cloned().map(FieldRow::new).collect());
    let group = adw::PreferencesGroup::new();
    if let Some(title) = form.title.as_deref() {
        group.set_title(title);
    }
    for row in rows.iter() {
        group.add(row.widget());
    }
    let scroller = gtk::ScrolledWindow::builder()
        .child(&group)
        .hscrollbar_policy(gtk::PolicyType::Never)
        .propagate_natural_height(true)
        .max_content_height(MAX_FORM_HEIGHT)
        .width_request(360)
        .build();
    dialog.set_extra_child(Some(&scroller));

    // Rows the user changed show their errors; untouched ones only block
    // Submit (a fresh form is not covered in red).
    let touched: Rc<Vec<Cell<bool>>> = Rc::new(rows.iter().map(|_| Cell::new(false)).collect());
    let refresh = {
        let (dialog, rows, touched) = (dialog.downgrade(), rows.clone(), touched.clone());
        move || {
            let mut valid = true;
            for (row, touched) in rows.iter().zip(touched.iter()) {
                let result = row.check();
                valid &= result.is_ok();
                row.show_error(result.err().as_ref().filter(|_| touched.get()));
            }
            if let Some(dialog) = dialog.upgrade() {
                dialog.set_response_enabled("submit", valid);
            }
        }
    };
    let refresh: Rc<dyn Fn()> = Rc::new(refresh);
    for (i, row) in rows.iter().enumerate() {
        let (refresh, touched) = (refresh.clone(), touched.clone());
        row.connect_changed(Rc::new(move || {
            if let Some(flag) = touched.get(i) {
                flag.set(true);
            }
            refresh();
        }));
    }
    refresh();

    // Typing starts in the first entry.
    let focus_rows = rows.clone();
    dialog.connect_map(move |_| {
        let _ = focus_rows.iter().any(FieldRow::grab_focus);
    });
    Box::new(move |_, response| match response {
        "submit" => {
            let values: Vec<_> = rows.iter().map(FieldRow::value).collect();
            form.accept(&values).unwrap_or_else(|e| {
                // Submit is disabled while a field is invalid, so this
                // only happens if a value changed in between: cancel.
                tracing::warn!("elicitation form submitted while invalid: {e}");
                ElicitResult::new(ElicitationAction::Cancel)
            })
        }
        "decline" => ElicitResult::new(ElicitationAction::Decline),
        _ => ElicitResult::new(ElicitationAction::Cancel),
    })
}
