//! The 30-day chart on a `gtk::DrawingArea`: the same plotters drawing as
//! the PDF ([`crate::reports::draw_daily_chart`]), in the widget's
//! foreground colour over its own background (light, dark, high contrast).
//! With no spending in the period it shows an `adw::StatusPage` ("No
//! Spending Yet") instead of empty axes.

use std::cell::RefCell;
use std::rc::Rc;

use gettextrs::gettext;
use relm4::gtk::prelude::*;
use relm4::{adw, gtk};

use crate::reports::{ChartColors, draw_daily_chart};
use crate::ui::a11y;
use valechat_core::ledger::DailySeries;

/// The drawing area, its empty state and the series it shows.
#[derive(Debug, Clone)]
pub struct ChartArea {
    /// The widget (240 px high, as wide as the page): a stack of the chart
    /// (`"chart"`) and the empty state (`"empty"`).
    pub widget: gtk::Stack,
    area: gtk::DrawingArea,
    series: Rc<RefCell<DailySeries>>,
}

impl ChartArea {
    /// An empty chart whose accessible label is `label`; it shows the
    /// empty state until a series with spending is set.
    pub fn new(label: &str) -> Self {
        let area: gtk::DrawingArea = a11y::labelled("GtkDrawingArea", label).unwrap_or_default();
        area.set_content_height(240);
        area.set_hexpand(true);
        let series = Rc::new(RefCell::new(DailySeries::default()));
        let shown = Rc::clone(&series);
        area.set_draw_func(move |area, cr, width, height| {
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
        let empty = adw::StatusPage::builder()
            .icon_name("x-office-spreadsheet-symbolic")
            .title(gettext("No Spending Yet"))
            .description(gettext("What replies cost shows here by day and provider."))
            .css_classes(["compact"])
            .height_request(240)
            .build();
        let widget = gtk::Stack::new();
        widget.add_named(&area, Some("chart"));
        widget.add_named(&empty, Some("empty"));
        widget.set_visible_child_name("empty");
        Self {
            widget,
            area,
            series,
        }
    }

    /// Shows `series` (redraws), or the empty state when nothing was spent
    /// in it.
    pub fn set_series(&self, series: DailySeries) {
        let spent = series
            .providers
            .iter()
            .any(|(_, costs)| costs.iter().any(|c| !c.is_zero()));
        *self.series.borrow_mut() = series;
        self.widget
            .set_visible_child_name(if spent { "chart" } else { "empty" });
        self.area.queue_draw();
    }
}

/// A colour channel 0.0–1.0 as 0–255.
fn channel(value: f32) -> u8 {
    // Clamped to 0..=255 first, so the cast cannot truncate.
    (value.clamp(0.0, 1.0) * 255.0).round() as u8
}
