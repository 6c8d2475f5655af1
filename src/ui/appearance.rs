//! Appearance preferences: the light/dark style and the size of the
//! conversation text, kept in GSettings (keys `color-scheme` and
//! `font-scale`, see [`crate::ui::settings`]).
//!
//! The style goes to `AdwStyleManager:color-scheme` (follow the system, or
//! force light or dark); high contrast stays the system's choice. The font
//! scale becomes a `font-size` percentage on the `.conversation-view` style
//! class (the message list), through a CSS provider of its own on the
//! default display, so the rest of the window keeps the system size. Without
//! the GSettings schema the choices apply but are not remembered.

use std::cell::OnceCell;

use relm4::adw;
use relm4::gtk;
use relm4::gtk::prelude::*;

use crate::ui::settings::{COLOR_SCHEME, FONT_SCALE, settings};

/// Smallest font scale offered (80 %).
pub const MIN_FONT_SCALE: f64 = 0.8;
/// Largest font scale offered (200 %).
pub const MAX_FONT_SCALE: f64 = 2.0;
/// Style class of the widget whose text the font scale applies to.
pub const CONVERSATION_VIEW_CLASS: &str = "conversation-view";

/// The light/dark style choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Follow the system (`"default"` in GSettings).
    System,
    /// Always light (`"light"`).
    Light,
    /// Always dark (`"dark"`).
    Dark,
}

impl Style {
    /// Every style, in the order the Preferences list shows them.
    pub const ALL: [Style; 3] = [Style::System, Style::Light, Style::Dark];

    /// The GSettings value: `"default"`, `"light"` or `"dark"`.
    pub fn key(self) -> &'static str {
        match self {
            Style::System => "default",
            Style::Light => "light",
            Style::Dark => "dark",
        }
    }

    /// The style for a GSettings value; unknown values follow the system.
    pub fn from_key(key: &str) -> Style {
        match key {
            "light" => Style::Light,
            "dark" => Style::Dark,
            _ => Style::System,
        }
    }

    fn color_scheme(self) -> adw::ColorScheme {
        match self {
            Style::System => adw::ColorScheme::Default,
            Style::Light => adw::ColorScheme::ForceLight,
            Style::Dark => adw::ColorScheme::ForceDark,
        }
    }
}

/// Clamps `scale` to [`MIN_FONT_SCALE`]–[`MAX_FONT_SCALE`] (1.0 for NaN).
pub fn clamp_font_scale(scale: f64) -> f64 {
    if scale.is_nan() {
        1.0
    } else {
        scale.clamp(MIN_FONT_SCALE, MAX_FONT_SCALE)
    }
}

/// The style sheet that scales the conversation text by `scale`
/// (clamped), e.g. `.conversation-view { font-size: 125%; }` for 1.25.
pub fn font_css(scale: f64) -> String {
    let percent = (clamp_font_scale(scale) * 100.0).round();
    format!(".{CONVERSATION_VIEW_CLASS} {{ font-size: {percent}%; }}")
}

thread_local! {
    static FONT_PROVIDER: OnceCell<gtk::CssProvider> = const { OnceCell::new() };
}

/// Applies the stored style and font scale; call once at start-up, after
/// the display is open.
pub fn init() {
    apply_style(style());
    apply_font_scale(font_scale());
}

/// The stored style ([`Style::System`] without the schema).
pub fn style() -> Style {
    settings().map_or(Style::System, |s| Style::from_key(&s.string(COLOR_SCHEME)))
}

/// Applies `style` and stores it.
pub fn set_style(style: Style) {
    apply_style(style);
    if let Some(settings) = settings()
        && let Err(e) = settings.set_string(COLOR_SCHEME, style.key())
    {
        tracing::warn!("could not store the style {:?}: {e}", style.key());
    }
}

/// The stored font scale, clamped (1.0 without the schema).
pub fn font_scale() -> f64 {
    clamp_font_scale(settings().map_or(1.0, |s| s.double(FONT_SCALE)))
}

/// Applies font scale `scale` (clamped) and stores it.
pub fn set_font_scale(scale: f64) {
    let scale = clamp_font_scale(scale);
    apply_font_scale(scale);
    if let Some(settings) = settings()
        && let Err(e) = settings.set_double(FONT_SCALE, scale)
    {
        tracing::warn!("could not store the font scale {scale}: {e}");
    }
}

fn apply_style(style: Style) {
    adw::StyleManager::default().set_color_scheme(style.color_scheme());
}

fn apply_font_scale(scale: f64) {
    let Some(display) = gtk::gdk::Display::default() else {
        return;
    };
    FONT_PROVIDER.with(|cell| {
        let provider = cell.get_or_init(|| {
            let provider = gtk::CssProvider::new();
            gtk::style_context_add_provider_for_display(
                &display,
                &provider,
                gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
            );
            provider
        });
        provider.load_from_data(&font_css(scale));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_round_trip_through_their_keys() {
        for style in Style::ALL {
            assert_eq!(Style::from_key(style.key()), style);
        }
        assert_eq!(Style::from_key("sepia"), Style::System);
    }

    #[test]
    fn font_css_is_a_clamped_percentage() {
        assert_eq!(font_css(1.25), ".conversation-view { font-size: 125%; }");
        assert_eq!(font_css(0.3), ".conversation-view { font-size: 80%; }");
        assert_eq!(font_css(9.0), ".conversation-view { font-size: 200%; }");
        assert_eq!(
            font_css(f64::NAN),
            ".conversation-view { font-size: 100%; }"
        );
    }
}
