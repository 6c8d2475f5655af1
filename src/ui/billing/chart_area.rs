//! The 30-day chart on a `gtk::DrawingArea`: the same plotters drawing as
//! the PDF ([`crate::reports::draw_daily_chart`]), in the widget's
//! foreground colour over its own background (light, dark, high contrast).

use std::cell::RefCell;
use std::rc::Rc;

use relm4::gtk;
use relm4::gtk::prelude::*;

use crate::reports::{ChartColors, draw_daily_chart};
use crate::ui::a11y;
use valechat_core::ledger::DailySeries;

/// The drawing area and the series it shows.
#[derive(Debug, Clone)]
pub struct ChartArea {
    /// The widget (240 px high, as wide as the page).
    pub widget: gtk::DrawingArea,
    series: Rc<RefCell<DailySeries>>,
}

impl ChartArea {
    /// An empty chart whose accessible label is `label`.
    pub fn new(label: &str) -> Self {
        let widget: gtk::DrawingArea = a11y::labelled("GtkDrawingArea", label).unwrap_or_default();
        widget.set_content_height(240);
        widget.set_hexpand(true);
        let series = Rc::new(RefCell::new(DailySeries::default()));
        let shown = Rc::clone(&series);
        widget.set_draw_func(move |area, cr, width, height| {
            #[allow(deprecated)] // GtkWidget::color() is GTK 4.10; we target 4.8.
            let fg = area.style_context().color();
            let colors = ChartColors {
                foreground: (channel(fg.red()), channel(fg.green()), channel(fg.blue())),
                background: None,
            };
            let (w, h) = (
                u32::try_from(width).unwrap_or(0),
                u32::try_from(height).unwrap_or(0),
            );
            if let Err(e) = draw_daily_chart(cr, w, h, &shown.borrow(), colors) {
                tracing::warn!("{e}");
            }
        });
        Self { widget, series }
    }

    /// Shows `series` (redraws).
    pub fn set_series(&self, series: DailySeries) {
        *self.series.borrow_mut() = series;
        self.widget.queue_draw();
    }
}

/// A colour channel 0.0–1.0 as 0–255.
fn channel(value: f32) -> u8 {
    // Clamped to 0..=255 first, so the cast cannot truncate.
    (value.clamp(0.0, 1.0) * 255.0).round() as u8
}
