//! Checking what the user entered in an elicitation form and building the
//! answer's `content` object (MCP 2025-11-25: the content must match the
//! requested schema; optional fields left empty are omitted).

use gettextrs::gettext;
use rmcp::model::{ElicitResult, ElicitationAction};
use serde_json::{Map, Value};

use super::{ElicitationForm, Field, FieldKind, TextFormat};
use crate::i18n::gettext_f;

/// What a front end holds for one field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// The text typed in (strings, numbers and integers); empty = no value.
    Text(String),
    /// A switch or check box.
    Bool(bool),
    /// The chosen option's value of a single select; `None` = nothing chosen.
    Choice(Option<String>),
    /// The values of the ticked options of a multi-select.
    Choices(Vec<String>),
}

/// Why a field's value is not acceptable. [`std::fmt::Display`] gives a
/// translated sentence to show next to the field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldError {
    /// A required field is empty.
    Required,
    /// Shorter than `minLength` (characters).
    TooShort(u32),
    /// Longer than `maxLength` (characters).
    TooLong(u32),
    /// Not an email address.
    NotEmail,
    /// Not an absolute URI.
    NotUri,
    /// Not a `YYYY-MM-DD` date.
    NotDate,
    /// Not an RFC 3339 date and time.
    NotDateTime,
    /// Not a number.
    NotNumber,
    /// Not a whole number.
    NotInteger,
    /// Below `minimum` (as written in the schema).
    BelowMinimum(String),
    /// Above `maximum` (as written in the schema).
    AboveMaximum(String),
    /// A value that is not one of the options.
    NotAnOption(String),
    /// Fewer ticked options than `minItems`.
    TooFewChoices(u64),
    /// More ticked options than `maxItems`.
    TooManyChoices(u64),
    /// The front end passed a value of the wrong shape (a bug).
    WrongShape,
}

/// The fields of a form that failed, as `(property name, error)`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid form: {}", .0.iter().map(|(n, e)| format!("{n}: {e}")).collect::<Vec<_>>().join("; "))]
pub struct InvalidForm(pub Vec<(String, FieldError)>);

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            Self::Required => gettext("Required"),
            Self::TooShort(n) => {
                gettext_f("At least {count} characters", &[("count", &n.to_string())])
            }
            Self::TooLong(n) => {
                gettext_f("At most {count} characters", &[("count", &n.to_string())])
            }
            Self::NotEmail => gettext("Not an email address"),
            Self::NotUri => gettext("Not a full address such as https://example.com"),
            Self::NotDate => gettext("Not a date such as 2026-01-31"),
            Self::NotDateTime => gettext("Not a date and time such as 2026-01-31T09:30:00Z"),
            Self::NotNumber => gettext("Not a number"),
            Self::NotInteger => gettext("Not a whole number"),
            Self::BelowMinimum(min) => gettext_f("Must be at least {min}", &[("min", min)]),
            Self::AboveMaximum(max) => gettext_f("Must be at most {max}", &[("max", max)]),
            Self::NotAnOption(value) => {
                gettext_f("“{value}” is not one of the options", &[("value", value)])
            }
            Self::TooFewChoices(n) => {
                gettext_f("Choose at least {count}", &[("count", &n.to_string())])
            }
            Self::TooManyChoices(n) => {
                gettext_f("Choose at most {count}", &[("count", &n.to_string())])
            }
            Self::WrongShape => gettext("This value does not fit the field"),
        };
        f.write_str(&text)
    }
}

impl Field {
    /// What the front end shows first: the default, else empty / off /
    /// nothing chosen.
    #[must_use]
    pub fn initial_value(&self) -> FieldValue {
        match &self.kind {
            FieldKind::Text { default, .. } => {
                FieldValue::Text(default.clone().unwrap_or_default())
            }
            FieldKind::Number { default, .. } => {
                FieldValue::Text(default.map(|d| d.to_string()).unwrap_or_default())
            }
            FieldKind::Integer { default, .. } => {
                FieldValue::Text(default.map(|d| d.to_string()).unwrap_or_default())
            }
            FieldKind::Boolean { default } => FieldValue::Bool(default.unwrap_or(false)),
            FieldKind::Choice { default, .. } => FieldValue::Choice(default.clone()),
            FieldKind::MultiChoice { default, .. } => FieldValue::Choices(default.clone()),
        }
    }

    /// Checks `value`: `Ok(Some(json))` to send, `Ok(None)` for an optional
    /// field left empty (omitted from `content`).
    ///
    /// # Errors
    /// The first [`FieldError`] found.
    pub fn validate(&self, value: &FieldValue) -> Result<Option<Value>, FieldError> {
        let empty = match value {
            FieldValue::Text(text) => text.trim().is_empty(),
            FieldValue::Choice(choice) => choice.is_none(),
            FieldValue::Bool(_) | FieldValue::Choices(_) => false,
        };
        if empty {
            return if self.required {
                Err(FieldError::Required)
            } else {
                Ok(None)
            };
        }
        match (&self.kind, value) {
            (
                FieldKind::Text {
                    format,
                    min_length,
                    max_length,
                    ..
                },
                FieldValue::Text(text),
            ) => text_value(text, *format, *min_length, *max_length).map(Some),
            (
                FieldKind::Number {
                    minimum, maximum, ..
                },
                FieldValue::Text(text),
            ) => number_value(text, *minimum, *maximum).map(Some),
            (
                FieldKind::Integer {
                    minimum, maximum, ..
                },
                FieldValue::Text(text),
            ) => integer_value(text, *minimum, *maximum).map(Some),
            (FieldKind::Boolean { .. }, FieldValue::Bool(on)) => Ok(Some(Value::Bool(*on))),
            (FieldKind::Choice { options, .. }, FieldValue::Choice(Some(choice))) => {
                if options.iter().any(|o| &o.value == choice) {
                    Ok(Some(Value::String(choice.clone())))
                } else {
                    Err(FieldError::NotAnOption(choice.clone()))
                }
            }
            (
                FieldKind::MultiChoice {
                    options,
                    min_items,
                    max_items,
                    ..
                },
                FieldValue::Choices(chosen),
            ) => choices_value(options, chosen, *min_items, *max_items).map(Some),
            _ => Err(FieldError::WrongShape),
        }
    }
}

impl ElicitationForm {
    /// Every field's [`Field::initial_value`], in field order.
    pub fn initial_values(&self) -> Vec<FieldValue> {
        self.fields.iter().map(Field::initial_value).collect()
    }

    /// The `content` object for `values` (one per field, in field order; a
    /// missing value counts as the field's initial value).
    ///
    /// # Errors
    /// [`InvalidForm`] listing every field that failed.
    pub fn content(&self, values: &[FieldValue]) -> Result<Map<String, Value>, InvalidForm> {
        let mut content = Map::new();
        let mut errors = Vec::new();
        for (i, field) in self.fields.iter().enumerate() {
            let initial;
            let value = if let Some(value) = values.get(i) {
                value
            } else {
                initial = field.initial_value();
                &initial
            };
            match field.validate(value) {
                Ok(Some(json)) => {
                    content.insert(field.name.clone(), json);
                }
                Ok(None) => {}
                Err(e) => errors.push((field.name.clone(), e)),
            }
        }
        if errors.is_empty() {
            Ok(content)
        } else {
            Err(InvalidForm(errors))
        }
    }

    /// The `accept` answer carrying [`Self::content`].
    ///
    /// # Errors
    /// [`InvalidForm`] as [`Self::content`].
    pub fn accept(&self, values: &[FieldValue]) -> Result<ElicitResult, InvalidForm> {
        let content = self.content(values)?;
        Ok(ElicitResult::new(ElicitationAction::Accept).with_content(Value::Object(content)))
    }
}

fn text_value(
    text: &str,
    format: Option<TextFormat>,
    min_length: Option<u32>,
    max_length: Option<u32>,
) -> Result<Value, FieldError> {
    // Formatted values never carry stray spaces; free text is kept as typed.
    let text = if format.is_some() { text.trim() } else { text };
    let length = text.chars().count();
    if let Some(min) = min_length.filter(|min| length < *min as usize) {
        return Err(FieldError::TooShort(min));
    }
    if let Some(max) = max_length.filter(|max| length > *max as usize) {
        return Err(FieldError::TooLong(max));
    }
    match format {
        Some(TextFormat::Email) if !is_email(text) => Err(FieldError::NotEmail),
        Some(TextFormat::Uri) if url::Url::parse(text).is_err() => Err(FieldError::NotUri),
        Some(TextFormat::Date) if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() => {
            Err(FieldError::NotDate)
        }
        Some(TextFormat::DateTime) if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
            Err(FieldError::NotDateTime)
        }
        _ => Ok(Value::String(text.to_owned())),
    }
}

/// `local@domain`: one `@`, both sides non-empty, no spaces, and a domain
/// that neither starts nor ends with a dot.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
}

fn number_value(
    text: &str,
    minimum: Option<f64>,
    maximum: Option<f64>,
) -> Result<Value, FieldError> {
    let number: f64 = text.trim().parse().map_err(|_| FieldError::NotNumber)?;
    if let Some(min) = minimum.filter(|min| number < *min) {
        return Err(FieldError::BelowMinimum(min.to_string()));
    }
    if let Some(max) = maximum.filter(|max| number > *max) {
        return Err(FieldError::AboveMaximum(max.to_string()));
    }
    // `parse` accepts "inf" and "NaN", which JSON cannot carry.
    serde_json::Number::from_f64(number)
        .map(Value::Number)
        .ok_or(FieldError::NotNumber)
}

fn integer_value(
    text: &str,
    minimum: Option<i64>,
    maximum: Option<i64>,
) -> Result<Value, FieldError> {
    let text = text.trim();
    let number: i64 = text.parse().map_err(|_| {
        if text.parse::<f64>().is_ok() {
            FieldError::NotInteger
        } else {
            FieldError::NotNumber
        }
    })?;
    if let Some(min) = minimum.filter(|min| number < *min) {
        return Err(FieldError::BelowMinimum(min.to_string()));
    }
    if let Some(max) = maximum.filter(|max| number > *max) {
        return Err(FieldError::AboveMaximum(max.to_string()));
    }
    Ok(Value::from(number))
}

fn choices_value(
    options: &[super::Choice],
    chosen: &[String],
    min_items: Option<u64>,
    max_items: Option<u64>,
) -> Result<Value, FieldError> {
    if let Some(bad) = chosen
        .iter()
        .find(|c| !options.iter().any(|o| &o.value == *c))
    {
        return Err(FieldError::NotAnOption(bad.clone()));
    }
    let count = chosen.len() as u64;
    if let Some(min) = min_items.filter(|min| count < *min) {
        return Err(FieldError::TooFewChoices(min));
    }
    if let Some(max) = max_items.filter(|max| count > *max) {
        return Err(FieldError::TooManyChoices(max));
    }
    // In option order, whatever order they were ticked in.
    let values = options
        .iter()
        .filter(|o| chosen.contains(&o.value))
        .map(|o| Value::String(o.value.clone()))
        .collect();
    Ok(Value::Array(values))
}
