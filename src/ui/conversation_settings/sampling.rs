//! The "Sampling" rows of the conversation settings popover: top-p, top-k,
//! min-p, repeat penalty and seed ([`SamplingParameters`]), each optional.
//!
//! One `adw::ExpanderRow` with an enable switch (off: every parameter the
//! provider's default; on when the conversation has any set) holds a row
//! per parameter: a switch (off: the provider's default, nothing sent)
//! and a spin button over the range the parameter's doc comment gives. A parameter the conversation's provider
//! does not send ([`honoured`]) keeps its row, insensitive, with a subtitle
//! saying so; a value stored for it stays stored.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};

use valechat_core::model::SamplingParameters;
use valechat_core::provider::ProtocolKind;

/// One of the parameters, for [`honoured`] and the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parameter {
    /// `top_p`, (0, 1].
    TopP,
    /// `top_k`, ≥ 1.
    TopK,
    /// `min_p`, [0, 1].
    MinP,
    /// `repeat_penalty`, [0, 2] (1: none).
    RepeatPenalty,
    /// `seed`, 0 .. 2^32 − 1.
    Seed,
}

/// Whether a provider of protocol `kind` sends `parameter`, as each field
/// of [`SamplingParameters`] documents: top-p everywhere; top-k but not
/// on OpenAI-compatible servers; min-p and the repeat penalty on Ollama
/// and the local runner only; the seed everywhere but Anthropic. An
/// unknown protocol (`None`: no model chosen yet) honours everything.
#[must_use]
pub fn honoured(kind: Option<ProtocolKind>, parameter: Parameter) -> bool {
    let Some(kind) = kind else {
        return true;
    };
    match parameter {
        Parameter::TopP => true,
        Parameter::TopK => kind != ProtocolKind::OpenAiCompatible,
        Parameter::MinP | Parameter::RepeatPenalty => {
            matches!(kind, ProtocolKind::Ollama | ProtocolKind::Local)
        }
        Parameter::Seed => kind != ProtocolKind::Anthropic,
    }
}

/// One parameter's row: its switch and spin button.
#[derive(Debug)]
struct Field {
    parameter: Parameter,
    row: adw::ActionRow,
    subtitle: String,
    switch: gtk::Switch,
    spin: gtk::SpinButton,
}

/// The "Sampling" expander and its five rows.
#[derive(Debug)]
pub struct SamplingRows {
    expander: adw::ExpanderRow,
    fields: Vec<Field>,
}

impl SamplingRows {
    /// Builds the rows, every parameter off, all honoured.
    #[must_use]
    pub fn new() -> Self {
        let expander = adw::ExpanderRow::builder()
            .title(gettext("Sampling"))
            .subtitle(gettext(
                "How the next token is drawn; off: the provider's default",
            ))
            .show_enable_switch(true)
            .enable_expansion(false)
            .build();
        // Named for assistive technologies (libadwaita leaves it unnamed);
        // built before the rows, so it is the only switch yet.
        crate::ui::a11y::relabel_first::<gtk::Switch>(&expander, &gettext("Sampling"));
        // (parameter, title, subtitle, (min, max, step), digits, value when turned on)
        let specs = [
            (
                Parameter::TopP,
                gettext("Top P"),
                gettext("Draw among the likeliest tokens that add up to this share, 0.01–1"),
                (0.01, 1.0, 0.05),
                2,
                0.9,
            ),
            (
                Parameter::TopK,
                gettext("Top K"),
                gettext("Draw among this many of the likeliest tokens"),
                (1.0, 1000.0, 1.0),
                0,
                40.0,
            ),
            (
                Parameter::MinP,
                gettext("Min P"),
                gettext("Drop tokens less likely than this share of the likeliest, 0–1"),
                (0.0, 1.0, 0.01),
                2,
                0.05,
            ),
            (
                Parameter::RepeatPenalty,
                gettext("Repeat Penalty"),
                gettext("Penalty on tokens repeated from the last 64, 0–2; 1: none"),
                (0.0, 2.0, 0.05),
                2,
                1.1,
            ),
            (
                Parameter::Seed,
                gettext("Seed"),
                gettext("The same seed repeats a reply where the model allows it"),
                (0.0, f64::from(u32::MAX), 1.0),
                0,
                0.0,
            ),
        ];
        let fields = specs
            .into_iter()
            .map(
                |(parameter, title, subtitle, (min, max, step), digits, on)| {
                    let switch: gtk::Switch =
                        crate::ui::a11y::labelled("GtkSwitch", &title).unwrap_or_default();
                    switch.set_valign(gtk::Align::Center);
                    let spin: gtk::SpinButton =
                        crate::ui::a11y::labelled("GtkSpinButton", &title).unwrap_or_default();
                    spin.set_adjustment(&gtk::Adjustment::new(
                        on,
                        min,
                        max,
                        step,
                        step * 10.0,
                        0.0,
                    ));
                    spin.set_digits(digits);
                    spin.set_numeric(true);
                    spin.set_valign(gtk::Align::Center);
                    spin.set_sensitive(false);
                    switch
                        .bind_property("active", &spin, "sensitive")
                        .sync_create()
                        .build();
                    let row = adw::ActionRow::builder()
                        .title(title.as_str())
                        .subtitle(subtitle.as_str())
                        .build();
                    row.add_suffix(&spin);
                    row.add_suffix(&switch);
                    expander.add_row(&row);
                    Field {
                        parameter,
                        row,
                        subtitle,
                        switch,
                        spin,
                    }
                },
            )
            .collect();
        Self { expander, fields }
    }

    /// The expander, to add to the popover's list.
    #[must_use]
    pub fn widget(&self) -> &adw::ExpanderRow {
        &self.expander
    }

    /// Shows `parameters`; the expander is on and open when any is set.
    pub fn show(&self, parameters: &SamplingParameters) {
        for field in &self.fields {
            let value = match field.parameter {
                Parameter::TopP => parameters.top_p.map(f64::from),
                Parameter::TopK => parameters.top_k.map(f64::from),
                Parameter::MinP => parameters.min_p.map(f64::from),
                Parameter::RepeatPenalty => parameters.repeat_penalty.map(f64::from),
                Parameter::Seed => parameters.seed.map(f64::from),
            };
            field.switch.set_active(value.is_some());
            if let Some(value) = value {
                field.spin.set_value(value);
            }
        }
        self.expander.set_enable_expansion(!parameters.is_empty());
        self.expander.set_expanded(!parameters.is_empty());
    }

    /// The parameters whose switch is on, with their spin buttons' values
    /// (text typed and not yet confirmed is taken too); none while the
    /// expander's switch is off.
    #[must_use]
    pub fn read(&self) -> SamplingParameters {
        let mut parameters = SamplingParameters::default();
        if !self.expander.enables_expansion() {
            return parameters;
        }
        for field in &self.fields {
            if !field.switch.is_active() {
                continue;
            }
            field.spin.update();
            let value = field.spin.value();
            // The spin ranges keep each value inside its type's range.
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            match field.parameter {
                Parameter::TopP => parameters.top_p = Some(value as f32),
                Parameter::TopK => parameters.top_k = Some(value.round() as u32),
                Parameter::MinP => parameters.min_p = Some(value as f32),
                Parameter::RepeatPenalty => parameters.repeat_penalty = Some(value as f32),
                Parameter::Seed => parameters.seed = Some(value.round() as u32),
            }
        }
        parameters
    }

    /// Makes the rows of the parameters a provider of protocol `kind` does
    /// not send insensitive, with a subtitle saying so.
    pub fn set_kind(&self, kind: Option<ProtocolKind>) {
        for field in &self.fields {
            let honoured = honoured(kind, field.parameter);
            // The switch too: assistive technologies read each widget's own
            // sensitivity.
            field.row.set_sensitive(honoured);
            field.switch.set_sensitive(honoured);
            if honoured {
                field.row.set_subtitle(&field.subtitle);
            } else {
                field
                    .row
                    .set_subtitle(&gettext("Not used by this conversation's provider"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Parameter, honoured};
    use valechat_core::provider::ProtocolKind;

    #[test]
    fn each_protocol_honours_the_fields_it_sends() {
        let openai = Some(ProtocolKind::OpenAiCompatible);
        let anthropic = Some(ProtocolKind::Anthropic);
        assert!(honoured(openai, Parameter::TopP));
        assert!(!honoured(openai, Parameter::TopK));
        assert!(honoured(openai, Parameter::Seed));
        assert!(honoured(anthropic, Parameter::TopK));
        assert!(!honoured(anthropic, Parameter::Seed));
        assert!(!honoured(Some(ProtocolKind::Gemini), Parameter::MinP));
        for p in [Parameter::MinP, Parameter::RepeatPenalty, Parameter::TopK] {
            assert!(honoured(Some(ProtocolKind::Ollama), p));
            assert!(honoured(Some(ProtocolKind::Local), p));
            assert!(honoured(None, p));
        }
    }
}
