//! The daily-spend chart: one stacked bar per local day, one colour per
//! provider, drawn with plotters on any cairo context through
//! `plotters-cairo` (the billing page's `gtk::DrawingArea` and the PDF page
//! use the same function).
//!
//! Amounts become `f64` only here, for placing pixels; every figure printed
//! next to the chart comes from the exact decimals.

use chrono::Datelike;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_cairo::CairoBackend;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use valechat_core::format::{format_day_month, format_usd};

use valechat_core::ledger::DailySeries;

/// Colours of one rendering, 8-bit sRGB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartColors {
    /// Axes, labels and the legend's text.
    pub foreground: (u8, u8, u8),
    /// Filled behind the chart; `None` leaves the surface as it is (the
    /// widget's own background shows through).
    pub background: Option<(u8, u8, u8)>,
}

impl ChartColors {
    /// Black on white, for print.
    pub const PRINT: Self = Self {
        foreground: (0x24, 0x1f, 0x31),
        background: Some((0xff, 0xff, 0xff)),
    };
}

/// Provider colours in order (GNOME palette: blue, green, orange, purple,
/// red, brown, yellow, dark grey), repeating after eight providers.
pub const PALETTE: [(u8, u8, u8); 8] = [
    (0x35, 0x84, 0xe4),
    (0x33, 0xd1, 0x7a),
    (0xff, 0x78, 0x00),
    (0x91, 0x41, 0xac),
    (0xe0, 0x1b, 0x24),
    (0x98, 0x6a, 0x44),
    (0xf6, 0xd3, 0x2d),
    (0x5e, 0x5c, 0x64),
];

/// The chart could not be drawn (a cairo failure, e.g. a finished surface).
#[derive(Debug, thiserror::Error)]
#[error("could not draw the daily spend chart ({width}×{height}): {reason}")]
pub struct ChartError {
    /// Width asked for, in surface units.
    pub width: u32,
    /// Height asked for, in surface units.
    pub height: u32,
    /// What plotters or cairo reported.
    pub reason: String,
}

/// Draws `series` into the `width`×`height` rectangle at the origin of
/// `cr` (translate the context first to place it elsewhere). Days run left
/// to right, oldest first; the y axis is USD per day.
///
/// # Errors
/// [`ChartError`] when cairo refuses to draw.
pub fn draw_daily_chart(
    cr: &cairo::Context,
    width: u32,
    height: u32,
    series: &DailySeries,
    colors: ChartColors,
) -> Result<(), ChartError> {
    let fail = |reason: String| ChartError {
        width,
        height,
        reason,
    };
    // plotters-cairo scales its size to the context's clip extents: clip to
    // the chart's rectangle so it draws at 1:1 whatever the surface is.
    cr.save().map_err(|e| fail(e.to_string()))?;
    cr.rectangle(0.0, 0.0, f64::from(width), f64::from(height));
    cr.clip();
    let drawn = CairoBackend::new(cr, (width, height))
        .map_err(|e| e.to_string())
        .and_then(|backend| {
            let root = backend.into_drawing_area();
            draw_on(&root, series, colors).map_err(|e| e.to_string())?;
            root.present().map_err(|e| e.to_string())
        });
    cr.restore().map_err(|e| fail(e.to_string()))?;
    drawn.map_err(fail)
}

/// The drawing proper; plotters' error type is generic over the backend.
fn draw_on(
    root: &DrawingArea<CairoBackend<'_>, Shift>,
    series: &DailySeries,
    colors: ChartColors,
) -> Result<(), Box<dyn std::error::Error>> {
    let fg = rgb(colors.foreground);
    if let Some(bg) = colors.background {
        root.fill(&rgb(bg))?;
    }
    let days = series.days.len();
    let totals: Vec<f64> = (0..days)
        .map(|i| {
            let day: Decimal = series.providers.iter().map(|(_, costs)| costs[i]).sum();
            day.to_f64().unwrap_or(0.0)
        })
        .collect();
    let top = totals.iter().copied().fold(0.0_f64, f64::max);
    let y_max = if top > 0.0 { top * 1.4 } else { 1.0 };
    let n = i32::try_from(days.max(1)).unwrap_or(i32::MAX);
    let label_style = ("sans-serif", 12).into_font().color(&fg);

    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(64)
        .build_cartesian_2d(0..n, 0.0..y_max)?;
    let labels = series.days.clone();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(fg.mix(0.0))
        .bold_line_style(fg.mix(0.2))
        .axis_style(fg.mix(0.6))
        .x_labels(6)
        .y_labels(5)
        .x_label_style(label_style.clone())
        .y_label_style(label_style.clone())
        .x_label_formatter(&|i| {
            usize::try_from(*i)
                .ok()
                .and_then(|i| labels.get(i))
                .map(|d| format_day_month(d.year(), d.month(), d.day()))
                .unwrap_or_default()
        })
        .y_label_formatter(&|v| {
            rust_decimal::Decimal::try_from(*v).map_or_else(|_| String::new(), format_usd)
        })
        .draw()?;

    let mut base = vec![0.0_f64; days];
    for (index, (provider, costs)) in series.providers.iter().enumerate() {
        let color = rgb(PALETTE[index % PALETTE.len()]);
        let bars: Vec<Rectangle<(i32, f64)>> = costs
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_zero())
            .map(|(i, cost)| {
                let x = i32::try_from(i).unwrap_or(i32::MAX);
                let y0 = base[i];
                let y1 = y0 + cost.to_f64().unwrap_or(0.0);
                base[i] = y1;
                let mut bar = Rectangle::new([(x, y0), (x + 1, y1)], color.filled());
                bar.set_margin(0, 0, 2, 2);
                bar
            })
            .collect();
        chart
            .draw_series(bars)?
            .label(provider.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled()));
    }
    if !series.providers.is_empty() {
        let mut legend = chart.configure_series_labels();
        legend
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(label_style)
            .border_style(fg.mix(0.3));
        if let Some(bg) = colors.background {
            legend.background_style(rgb(bg).mix(0.9));
        }
        legend.draw()?;
    }
    Ok(())
}

fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}
