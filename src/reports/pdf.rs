//! The monthly PDF report on cairo's PDF surface, A4 portrait: the month
//! and the generation date, the totals, spend against every limit, the
//! daily chart, and tables by provider, model and conversation. Text uses
//! cairo's "toy" font API (sans-serif), so the PDF's text can be extracted
//! (`pdftotext`) and every amount is the exact decimal, formatted by
//! [`format_usd`]; counts, the month and dates are in the user's locale
//! too ([`valechat_core::format`]).

use std::path::Path;

use chrono::{DateTime, Local};
use gettextrs::gettext;

use super::chart::{ChartColors, draw_daily_chart};
use super::data::BillingReport;
use super::format::{format_percent, limit_title, period_name};
use crate::i18n::gettext_f;
use valechat_core::format::{format_count, format_date_time, format_integer, format_usd};
use valechat_core::ledger::UsageGroup;

/// A4 width in PostScript points.
pub const A4_WIDTH: f64 = 595.276;
/// A4 height in PostScript points.
pub const A4_HEIGHT: f64 = 841.89;
const MARGIN: f64 = 48.0;
const CHART_HEIGHT: f64 = 220.0;

/// The PDF could not be written.
#[derive(Debug, thiserror::Error)]
#[error("could not write the PDF report {path}: {reason}")]
pub struct PdfError {
    /// The file asked for.
    pub path: String,
    /// What cairo (or the chart) reported.
    pub reason: String,
}

/// Writes `report` as an A4 PDF at `path` (replacing the file), dated
/// `generated` (local time).
///
/// # Errors
/// [`PdfError`] when the file cannot be created or cairo fails.
pub fn write_pdf(
    path: &Path,
    report: &BillingReport,
    generated: DateTime<Local>,
) -> Result<(), PdfError> {
    let fail = |reason: String| PdfError {
        path: path.display().to_string(),
        reason,
    };
    let surface =
        cairo::PdfSurface::new(A4_WIDTH, A4_HEIGHT, path).map_err(|e| fail(e.to_string()))?;
    let cr = cairo::Context::new(&surface).map_err(|e| fail(e.to_string()))?;
    let mut page = Page { cr: &cr, y: MARGIN };
    render(&mut page, report, generated).map_err(fail)?;
    cr.show_page().map_err(|e| fail(e.to_string()))?;
    surface.finish();
    surface.status().map_err(|e| fail(e.to_string()))
}

/// Lays the report out, page after page.
fn render(
    page: &mut Page<'_>,
    report: &BillingReport,
    generated: DateTime<Local>,
) -> Result<(), String> {
    let month = period_name(&report.month.key);
    page.text(
        &gettext_f("ValeChat spending report — {month}", &[("month", &month)]),
        20.0,
        true,
    )?;
    page.text(
        &gettext_f(
            "Generated {date}",
            &[("date", &format_date_time(generated.timestamp_millis()))],
        ),
        10.0,
        false,
    )?;
    page.gap(12.0);

    let totals = &report.totals;
    page.text(&gettext("Totals"), 14.0, true)?;
    page.text(
        &gettext_f(
            "Total spent: {amount}",
            &[("amount", &format_usd(totals.cost_usd))],
        ),
        11.0,
        false,
    )?;
    page.text(
        &gettext_f(
            "Requests: {requests} · input tokens: {input} · output tokens: {output}",
            &[
                ("requests", &format_count(totals.requests)),
                ("input", &format_integer(totals.tokens.input)),
                ("output", &format_integer(totals.tokens.output)),
            ],
        ),
        11.0,
        false,
    )?;
    page.gap(12.0);

    page.text(&gettext("Spending limits"), 14.0, true)?;
    if report.limits.is_empty() {
        page.text(&gettext("No spending limits are set."), 11.0, false)?;
    }
    for status in &report.limits {
        let limit = &status.usage.limit;
        let kind = if limit.hard {
            gettext("hard")
        } else {
            gettext("soft")
        };
        let mut line = gettext_f(
            "{limit} ({kind}, {period}): {spent} of {amount} ({percent}), {remaining} left",
            &[
                ("limit", &limit_title(limit, &report.names)),
                ("kind", &kind),
                ("period", &period_name(&status.usage.period.key)),
                ("spent", &format_usd(status.usage.spent)),
                ("amount", &format_usd(limit.amount_usd)),
                ("percent", &format_percent(status.fraction)),
                ("remaining", &format_usd(status.usage.remaining())),
            ],
        );
        if let Some(projected) = status.projected {
            line.push_str(&gettext_f(
                "; at this pace {amount} by the end of the period",
                &[("amount", &format_usd(projected.round_dp(2)))],
            ));
        }
        page.wrapped(&line, 10.0)?;
    }
    page.gap(12.0);

    page.text(&gettext("Daily spend by provider"), 14.0, true)?;
    page.ensure(CHART_HEIGHT)?;
    page.cr.save().map_err(|e| e.to_string())?;
    page.cr.translate(MARGIN, page.y);
    draw_daily_chart(
        page.cr,
        (A4_WIDTH - 2.0 * MARGIN) as u32,
        CHART_HEIGHT as u32,
        &report.daily,
        ChartColors::PRINT,
    )
    .map_err(|e| e.to_string())?;
    page.cr.restore().map_err(|e| e.to_string())?;
    page.y += CHART_HEIGHT + 12.0;

    page.table(
        &gettext("By provider"),
        &gettext("Provider"),
        &report.by_provider,
    )?;
    page.table(&gettext("By model"), &gettext("Model"), &report.by_model)?;
    page.table(
        &gettext("By conversation"),
        &gettext("Conversation"),
        &report.by_conversation,
    )?;
    Ok(())
}

/// A cursor down the current page.
struct Page<'a> {
    cr: &'a cairo::Context,
    /// Top of the next line, points from the page top.
    y: f64,
}

impl Page<'_> {
    /// Starts a new page when `height` points do not fit on this one.
    fn ensure(&mut self, height: f64) -> Result<(), String> {
        if self.y + height > A4_HEIGHT - MARGIN {
            self.cr.show_page().map_err(|e| e.to_string())?;
            self.y = MARGIN;
        }
        Ok(())
    }

    fn gap(&mut self, points: f64) {
        self.y += points;
    }

    fn font(&self, size: f64, bold: bool) {
        let weight = if bold {
            cairo::FontWeight::Bold
        } else {
            cairo::FontWeight::Normal
        };
        self.cr
            .select_font_face("sans-serif", cairo::FontSlant::Normal, weight);
        self.cr.set_font_size(size);
        self.cr.set_source_rgb(0.14, 0.12, 0.19);
    }

    /// One line of text at the left margin.
    fn text(&mut self, text: &str, size: f64, bold: bool) -> Result<(), String> {
        self.ensure(size * 1.5)?;
        self.font(size, bold);
        self.y += size * 1.5;
        self.cr.move_to(MARGIN, self.y - size * 0.4);
        self.cr.show_text(text).map_err(|e| e.to_string())
    }

    /// A paragraph wrapped at word boundaries to the text width.
    fn wrapped(&mut self, text: &str, size: f64) -> Result<(), String> {
        self.font(size, false);
        let width = A4_WIDTH - 2.0 * MARGIN;
        let mut line = String::new();
        for word in text.split(' ') {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && self.width(&candidate) > width {
                self.text(&line, size, false)?;
                line = word.to_owned();
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            self.text(&line, size, false)?;
        }
        Ok(())
    }

    fn width(&self, text: &str) -> f64 {
        self.cr.text_extents(text).map_or(0.0, |e| e.x_advance())
    }

    /// A titled table: name, requests, input and output tokens, cost.
    fn table(&mut self, title: &str, name: &str, groups: &[UsageGroup]) -> Result<(), String> {
        self.gap(6.0);
        self.ensure(14.0 * 1.5 + 10.0 * 1.5 * 2.0)?;
        self.text(title, 14.0, true)?;
        if groups.is_empty() {
            return self.text(&gettext("No usage in this month."), 10.0, false);
        }
        let header = [
            name.to_owned(),
            gettext("Requests"),
            gettext("Input tokens"),
            gettext("Output tokens"),
            gettext("Cost"),
        ];
        self.row(&header, true)?;
        for group in groups {
            let t = &group.totals;
            self.row(
                &[
                    group.key.clone(),
                    format_count(t.requests),
                    format_integer(t.tokens.input),
                    format_integer(t.tokens.output),
                    format_usd(t.cost_usd),
                ],
                false,
            )?;
        }
        Ok(())
    }

    /// One table row: the first cell left-aligned (shortened to fit), the
    /// others right-aligned in fixed columns.
    fn row(&mut self, cells: &[String; 5], bold: bool) -> Result<(), String> {
        const SIZE: f64 = 10.0;
        const RIGHT_EDGES: [f64; 4] = [310.0, 395.0, 480.0, A4_WIDTH - MARGIN];
        self.ensure(SIZE * 1.5)?;
        self.font(SIZE, bold);
        self.y += SIZE * 1.5;
        let baseline = self.y - SIZE * 0.4;
        let first = self.fit(&cells[0], RIGHT_EDGES[0] - 60.0 - MARGIN);
        self.cr.move_to(MARGIN, baseline);
        self.cr.show_text(&first).map_err(|e| e.to_string())?;
        for (cell, right) in cells[1..].iter().zip(RIGHT_EDGES) {
            self.cr.move_to(right - self.width(cell), baseline);
            self.cr.show_text(cell).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// `text` shortened with an ellipsis to at most `width` points.
    fn fit(&self, text: &str, width: f64) -> String {
        if self.width(text) <= width {
            return text.to_owned();
        }
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let candidate: String = chars.iter().collect::<String>() + "…";
            if self.width(&candidate) <= width {
                return candidate;
            }
        }
        "…".to_owned()
    }
}
