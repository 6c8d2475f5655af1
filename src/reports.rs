//! Rendered spending reports: the daily-spend chart and the monthly PDF.
//!
//! Lives outside [`valechat_core`] because cairo-rs 0.22 (the version gtk4
//! 0.11 uses) depends on glib, which the core may not import (DESIGN.md,
//! Layers). It holds no GTK widgets: the billing page draws the same chart
//! on a `gtk::DrawingArea`'s cairo context, and the CLI writes the PDF
//! (`valechat usage --pdf FILE --month YYYY-MM`) without a display.
//!
//! Files: `data` (what a report shows, loaded from the store), `names`
//! (providers by their display names), `format` (limit titles, alert
//! texts, percentages, periods), `chart` (plotters over cairo through `plotters-cairo`),
//! `pdf` (A4 pages on cairo's PDF surface).

pub mod chart;
pub mod data;
pub mod format;
pub mod names;
pub mod pdf;

pub use chart::{ChartColors, ChartError, draw_daily_chart};
pub use data::{BillingReport, ChartSpan, month_start};
pub use names::{ProviderNames, display_name};
pub use pdf::{PdfError, write_pdf};
