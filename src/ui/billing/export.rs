//! Export CSV… and Export PDF Report…: a native save dialog (portal-aware
//! `gtk::FileChooserNative`), then the file is written off the main loop.

use std::path::{Path, PathBuf};

use chrono::{Local, NaiveDate};
use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use crate::core::ledger::{Period, write_csv};
use crate::core::store::Store;
use crate::reports::{BillingReport, ChartSpan, write_pdf};

/// Opens a save dialog titled `title` over `parent`, proposing `name`;
/// `chosen` receives the path when the person accepts. The returned dialog
/// must be kept alive until it answers.
pub fn ask_path(
    parent: &impl IsA<gtk::Window>,
    title: &str,
    name: &str,
    chosen: impl Fn(PathBuf) + 'static,
) -> gtk::FileChooserNative {
    let dialog = gtk::FileChooserNative::new(
        Some(title),
        Some(parent),
        gtk::FileChooserAction::Save,
        Some(&gettext("_Export")),
        Some(&gettext("_Cancel")),
    );
    dialog.set_modal(true);
    dialog.set_current_name(name);
    dialog.connect_response(move |dialog, response| {
        if response == gtk::ResponseType::Accept {
            if let Some(path) = dialog.file().and_then(|f| f.path()) {
                chosen(path);
            }
        }
    });
    dialog.show();
    dialog
}

/// Writes every usage record of `month` as CSV to `path`.
///
/// # Errors
/// A message for people naming the file and what failed.
pub async fn export_csv(store: Store, month: Period, path: PathBuf) -> Result<PathBuf, String> {
    let records = store
        .list_usage(month.start_ms, month.end_ms)
        .await
        .map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::create(&path).map_err(|e| failed(&path, &e))?;
        write_csv(&mut file, &records).map_err(|e| failed(&path, &e))?;
        Ok(path)
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Writes the PDF report of the month containing `month_day` to `path`.
///
/// # Errors
/// A message for people naming the file and what failed.
pub async fn export_pdf(
    store: Store,
    month_day: NaiveDate,
    path: PathBuf,
) -> Result<PathBuf, String> {
    let now = chrono::Utc::now().timestamp_millis();
    let report = BillingReport::load(&store, month_day, now, &Local, ChartSpan::WholeMonth)
        .await
        .map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(move || {
        write_pdf(&path, &report, Local::now()).map_err(|e| e.to_string())?;
        Ok(path)
    })
    .await
    .map_err(|e| e.to_string())?
}

fn failed(path: &Path, error: &dyn std::fmt::Display) -> String {
    crate::i18n::gettext_f(
        "Could not write {file}: {error}",
        &[
            ("file", &path.display().to_string()),
            ("error", &error.to_string()),
        ],
    )
}
