//! Export CSV… and Export PDF Report…: a native save dialog (portal-aware
//! `gtk::FileChooserNative`), then the file is written off the main loop.

use std::path::{Path, PathBuf};

use chrono::{Local, NaiveDate};
use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use crate::reports::{BillingReport, ChartSpan, write_pdf};
use crate::ui::file_chooser;
use valechat_core::ledger::write_csv;
use valechat_core::store::Store;

/// Opens a save dialog titled `title` over `parent`, proposing `name`;
/// `chosen` receives the path when the person accepts. The returned dialog
/// must be kept alive until it answers.
pub fn ask_path(
    parent: &impl IsA<gtk::Window>,
    title: &str,
    name: &str,
    chosen: impl Fn(PathBuf) + 'static,
) {
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
        if response == gtk::ResponseType::Accept
            && let Some(path) = dialog.file().and_then(|f| f.path())
        {
            chosen(path);
        }
    });
    file_chooser::show_until_answered(&dialog);
}

/// Which usage records Export CSV… writes, chosen in its save dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvRange {
    /// The current local month.
    ThisMonth,
    /// The previous local month.
    LastMonth,
    /// The last 30 days, up to now.
    Last30Days,
    /// The current local year.
    ThisYear,
    /// Every record.
    Everything,
}

impl CsvRange {
    const ALL: [Self; 5] = [
        Self::ThisMonth,
        Self::LastMonth,
        Self::Last30Days,
        Self::ThisYear,
        Self::Everything,
    ];

    fn id(self) -> &'static str {
        match self {
            Self::ThisMonth => "this-month",
            Self::LastMonth => "last-month",
            Self::Last30Days => "last-30-days",
            Self::ThisYear => "this-year",
            Self::Everything => "everything",
        }
    }

    fn label(self) -> String {
        match self {
            Self::ThisMonth => gettext("This month"),
            Self::LastMonth => gettext("Last month"),
            Self::Last30Days => gettext("Last 30 days"),
            Self::ThisYear => gettext("This year"),
            Self::Everything => gettext("Everything"),
        }
    }

    /// The range as `[from, until)` UTC milliseconds, for the local
    /// calendar at `now`.
    pub fn bounds(self, now: chrono::DateTime<Local>) -> (i64, i64) {
        use chrono::{Datelike, TimeZone};
        let start_of = |y: i32, m: u32| {
            Local
                .with_ymd_and_hms(y, m, 1, 0, 0, 0)
                .earliest()
                .map_or(0, |t| t.timestamp_millis())
        };
        let (y, m) = (now.year(), now.month());
        let next = |y: i32, m: u32| if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        let now_ms = now.timestamp_millis();
        match self {
            Self::ThisMonth => {
                let (ny, nm) = next(y, m);
                (start_of(y, m), start_of(ny, nm))
            }
            Self::LastMonth => {
                let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
                (start_of(py, pm), start_of(y, m))
            }
            Self::Last30Days => (now_ms - 30 * 86_400_000, now_ms + 1),
            Self::ThisYear => (start_of(y, 1), start_of(y + 1, 1)),
            Self::Everything => (0, i64::MAX),
        }
    }
}

/// [`ask_path`] for Export CSV…, with a "Usage from" choice of range;
/// `chosen` receives the path and the range.
pub fn ask_csv_path(
    parent: &impl IsA<gtk::Window>,
    title: &str,
    name: &str,
    chosen: impl Fn(PathBuf, CsvRange) + 'static,
) {
    let dialog = gtk::FileChooserNative::new(
        Some(title),
        Some(parent),
        gtk::FileChooserAction::Save,
        Some(&gettext("_Export")),
        Some(&gettext("_Cancel")),
    );
    dialog.set_modal(true);
    dialog.set_current_name(name);
    let labels: Vec<String> = CsvRange::ALL.iter().map(|r| r.label()).collect();
    let options: Vec<(&str, &str)> = CsvRange::ALL
        .iter()
        .zip(&labels)
        .map(|(r, l)| (r.id(), l.as_str()))
        .collect();
    dialog.add_choice("range", gettext("Usage from"), &options);
    dialog.set_choice("range", CsvRange::ThisMonth.id());
    dialog.connect_response(move |dialog, response| {
        if response != gtk::ResponseType::Accept {
            return;
        }
        let range = dialog
            .choice("range")
            .and_then(|id| CsvRange::ALL.into_iter().find(|r| r.id() == id.as_str()))
            .unwrap_or(CsvRange::ThisMonth);
        if let Some(path) = dialog.file().and_then(|f| f.path()) {
            chosen(path, range);
        }
    });
    file_chooser::show_until_answered(&dialog);
}

/// Writes every usage record in `[from_ms, until_ms)` as CSV to `path`.
///
/// # Errors
/// A message for people naming the file and what failed.
pub async fn export_csv(
    store: Store,
    (from_ms, until_ms): (i64, i64),
    path: PathBuf,
) -> Result<PathBuf, String> {
    let records = store
        .list_usage(from_ms, until_ms)
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn ranges_follow_the_local_calendar() {
        let now = Local
            .with_ymd_and_hms(2026, 1, 15, 12, 0, 0)
            .single()
            .expect("a plain local time");
        let day = |y, m, d| {
            Local
                .with_ymd_and_hms(y, m, d, 0, 0, 0)
                .earliest()
                .expect("midnight")
                .timestamp_millis()
        };
        assert_eq!(
            CsvRange::ThisMonth.bounds(now),
            (day(2026, 1, 1), day(2026, 2, 1))
        );
        assert_eq!(
            CsvRange::LastMonth.bounds(now),
            (day(2025, 12, 1), day(2026, 1, 1))
        );
        assert_eq!(
            CsvRange::ThisYear.bounds(now),
            (day(2026, 1, 1), day(2027, 1, 1))
        );
        let (from, until) = CsvRange::Last30Days.bounds(now);
        assert_eq!(until - from, 30 * 86_400_000 + 1);
        assert_eq!(CsvRange::Everything.bounds(now), (0, i64::MAX));
    }
}
