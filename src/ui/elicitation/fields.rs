//! One row per form field: an entry for text and numbers (a spin button for
//! integers with a default), a switch for booleans, a combo row for a single
//! choice and check boxes in an expander row for several. Each row reports
//! its [`FieldValue`] and shows its field's error in place of the
//! description.

use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};

use crate::i18n::gettext_f;
use crate::ui::a11y;
use valechat_core::mcp::elicitation::{Field, FieldError, FieldKind, FieldValue, TextFormat};

/// Integers beyond this magnitude lose precision in a spin button (`f64`).
const SPIN_LIMIT: f64 = 9_007_199_254_740_991.0;

/// The input widget of a row.
enum Input {
    Entry(gtk::Entry),
    Spin(gtk::SpinButton),
    Switch(gtk::Switch),
    /// The combo row and the option value of each item (`None`: the
    /// "nothing chosen" item).
    Combo(adw::ComboRow, Vec<Option<String>>),
    /// The check box and value of each option.
    Checks(Vec<(gtk::CheckButton, String)>),
}

/// A field's row in the form.
pub struct FieldRow {
    field: Field,
    row: adw::PreferencesRow,
    input: Input,
}

impl FieldRow {
    /// The row for `field`, showing its initial value (the default).
    pub fn new(field: Field) -> Self {
        let title = if field.required {
            gettext_f("{field} (required)", &[("field", &field.title)])
        } else {
            field.title.clone()
        };
        let initial = field.initial_value();
        let (row, input) = match (&field.kind, &initial) {
            (FieldKind::Boolean { .. }, FieldValue::Bool(on)) => {
                let switch =
                    a11y::labelled::<gtk::Switch>("GtkSwitch", &field.title).unwrap_or_default();
                switch.set_active(*on);
                switch.set_valign(gtk::Align::Center);
                let row = action_row(&title);
                row.add_suffix(&switch);
                row.set_activatable_widget(Some(&switch));
                (row.upcast(), Input::Switch(switch))
            }
            (
                FieldKind::Integer {
                    minimum,
                    maximum,
                    default: Some(default),
                },
                _,
            ) => {
                let low = minimum.map_or(-SPIN_LIMIT, |m| m as f64);
                let high = maximum.map_or(SPIN_LIMIT, |m| m as f64);
                let spin = a11y::labelled::<gtk::SpinButton>("GtkSpinButton", &field.title)
                    .unwrap_or_default();
                spin.set_adjustment(&gtk::Adjustment::new(
                    *default as f64,
                    low,
                    high,
                    1.0,
                    10.0,
                    0.0,
                ));
                spin.set_numeric(true);
                spin.set_valign(gtk::Align::Center);
                enter_activates_default(&spin);
                let row = action_row(&title);
                row.add_suffix(&spin);
                (row.upcast(), Input::Spin(spin))
            }
            (FieldKind::Choice { options, default }, _) => {
                let mut values: Vec<Option<String>> = Vec::new();
                let mut labels: Vec<String> = Vec::new();
                if !field.required {
                    values.push(None);
                    labels.push(gettext("None"));
                } else if default.is_none() {
                    values.push(None);
                    labels.push(gettext("Choose…"));
                }
                for option in options {
                    values.push(Some(option.value.clone()));
                    labels.push(option.title.clone());
                }
                let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
                let row = adw::ComboRow::builder()
                    .title(title.as_str())
                    .model(&gtk::StringList::new(&labels))
                    .build();
                let selected = values.iter().position(|v| v == default).unwrap_or(0);
                row.set_selected(u32::try_from(selected).unwrap_or(0));
                (row.clone().upcast(), Input::Combo(row, values))
            }
            (
                FieldKind::MultiChoice {
                    options, default, ..
                },
                _,
            ) => {
                let row = adw::ExpanderRow::builder()
                    .title(title.as_str())
                    .expanded(true)
                    .build();
                let checks = options
                    .iter()
                    .map(|option| {
                        let check =
                            a11y::labelled::<gtk::CheckButton>("GtkCheckButton", &option.title)
                                .unwrap_or_default();
                        check.set_active(default.contains(&option.value));
                        let item = adw::ActionRow::builder()
                            .title(option.title.as_str())
                            .build();
                        item.add_prefix(&check);
                        item.set_activatable_widget(Some(&check));
                        row.add_row(&item);
                        (check, option.value.clone())
                    })
                    .collect();
                (row.upcast(), Input::Checks(checks))
            }
            (kind, initial) => {
                let entry =
                    a11y::labelled::<gtk::Entry>("GtkEntry", &field.title).unwrap_or_default();
                if let FieldValue::Text(text) = initial {
                    entry.set_text(text);
                }
                describe_entry(&entry, kind);
                entry.set_valign(gtk::Align::Center);
                entry.set_hexpand(true);
                entry.set_activates_default(true);
                let row = action_row(&title);
                row.add_suffix(&entry);
                (row.upcast(), Input::Entry(entry))
            }
        };
        let this = Self { field, row, input };
        this.show_error(None);
        this
    }

    /// The row to add to the form's group.
    pub fn widget(&self) -> &adw::PreferencesRow {
        &self.row
    }

    /// What the row holds now.
    pub fn value(&self) -> FieldValue {
        match &self.input {
            Input::Entry(entry) => FieldValue::Text(entry.text().into()),
            Input::Spin(spin) => FieldValue::Text(format!("{:.0}", spin.value())),
            Input::Switch(switch) => FieldValue::Bool(switch.is_active()),
            Input::Combo(row, values) => FieldValue::Choice(
                usize::try_from(row.selected())
                    .ok()
                    .and_then(|i| values.get(i).cloned().flatten()),
            ),
            Input::Checks(checks) => FieldValue::Choices(
                checks
                    .iter()
                    .filter(|(check, _)| check.is_active())
                    .map(|(_, value)| value.clone())
                    .collect(),
            ),
        }
    }

    /// Checks the row's value against its field.
    pub fn check(&self) -> Result<(), FieldError> {
        self.field.validate(&self.value()).map(|_| ())
    }

    /// Shows `error` under the title (in the error colour), or the field's
    /// description when there is none.
    pub fn show_error(&self, error: Option<&FieldError>) {
        let subtitle = match error {
            Some(error) => error.to_string(),
            None => self.field.description.clone().unwrap_or_default(),
        };
        if let Some(row) = self.row.downcast_ref::<adw::ActionRow>() {
            row.set_subtitle(&subtitle);
        } else if let Some(row) = self.row.downcast_ref::<adw::ExpanderRow>() {
            row.set_subtitle(&subtitle);
        }
        if error.is_some() {
            self.row.add_css_class("error");
        } else {
            self.row.remove_css_class("error");
        }
    }

    /// Calls `changed` whenever the user changes the value.
    pub fn connect_changed(&self, changed: Rc<dyn Fn()>) {
        match &self.input {
            Input::Entry(entry) => {
                entry.connect_changed(move |_| changed());
            }
            Input::Spin(spin) => {
                spin.connect_value_changed(move |_| changed());
            }
            Input::Switch(switch) => {
                switch.connect_active_notify(move |_| changed());
            }
            Input::Combo(row, _) => {
                row.connect_selected_notify(move |_| changed());
            }
            Input::Checks(checks) => {
                for (check, _) in checks {
                    let changed = changed.clone();
                    check.connect_toggled(move |_| changed());
                }
            }
        }
    }

    /// Moves the keyboard focus to the row's entry, if it has one.
    pub fn grab_focus(&self) -> bool {
        match &self.input {
            Input::Entry(entry) => entry.grab_focus(),
            _ => false,
        }
    }
}

/// Enter in `spin` submits the form (GTK 4.8's spin button has neither
/// `activates-default` nor an `activate` signal in the bindings).
fn enter_activates_default(spin: &gtk::SpinButton) {
    let keys = gtk::EventControllerKey::new();
    keys.set_propagation_phase(gtk::PropagationPhase::Capture);
    let weak = spin.downgrade();
    keys.connect_key_pressed(move |_, key, _, _| {
        let enter = matches!(key, gtk::gdk::Key::Return | gtk::gdk::Key::KP_Enter);
        match weak.upgrade().filter(|_| enter) {
            Some(spin) => {
                spin.update();
                spin.activate_default();
                gtk::glib::Propagation::Stop
            }
            None => gtk::glib::Propagation::Proceed,
        }
    });
    spin.add_controller(keys);
}

fn action_row(title: &str) -> adw::ActionRow {
    adw::ActionRow::builder().title(title).build()
}

/// The keyboard and placeholder that suit the field's kind.
fn describe_entry(entry: &gtk::Entry, kind: &FieldKind) {
    let (purpose, placeholder) = match kind {
        FieldKind::Text {
            format: Some(TextFormat::Email),
            ..
        } => (gtk::InputPurpose::Email, gettext("name@example.com")),
        FieldKind::Text {
            format: Some(TextFormat::Uri),
            ..
        } => (gtk::InputPurpose::Url, gettext("https://example.com")),
        FieldKind::Text {
            format: Some(TextFormat::Date),
            ..
        } => (gtk::InputPurpose::FreeForm, gettext("YYYY-MM-DD")),
        FieldKind::Text {
            format: Some(TextFormat::DateTime),
            ..
        } => (gtk::InputPurpose::FreeForm, gettext("YYYY-MM-DDThh:mm:ssZ")),
        FieldKind::Number { .. } => (gtk::InputPurpose::Number, String::new()),
        FieldKind::Integer { .. } => (gtk::InputPurpose::Digits, String::new()),
        _ => (gtk::InputPurpose::FreeForm, String::new()),
    };
    entry.set_input_purpose(purpose);
    if !placeholder.is_empty() {
        entry.set_placeholder_text(Some(&placeholder));
    }
}
