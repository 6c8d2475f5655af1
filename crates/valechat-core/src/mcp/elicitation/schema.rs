//! From rmcp's restricted elicitation schema types (string with format,
//! number, integer, boolean, single- and multi-select enums) to
//! [`FieldKind`]s.

use rmcp::model::{
    EnumSchema, MultiSelectEnumSchema, PrimitiveSchemaDefinition, SingleSelectEnumSchema,
    StringFormat,
};

use super::{Choice, ElicitationError, FieldKind, TextFormat};

type Described = (Option<String>, Option<String>, FieldKind);

/// The title, description and kind of one property.
pub(super) fn field_kind(
    name: &str,
    definition: PrimitiveSchemaDefinition,
) -> Result<Described, ElicitationError> {
    let text = |s: Option<std::borrow::Cow<'static, str>>| s.map(String::from);
    Ok(match definition {
        PrimitiveSchemaDefinition::String(s) => (
            text(s.title),
            text(s.description),
            FieldKind::Text {
                format: s.format.map(text_format).transpose()?,
                min_length: s.min_length,
                max_length: s.max_length,
                default: s.default,
            },
        ),
        PrimitiveSchemaDefinition::Number(n) => (
            text(n.title),
            text(n.description),
            FieldKind::Number {
                minimum: n.minimum,
                maximum: n.maximum,
                default: n.default,
            },
        ),
        PrimitiveSchemaDefinition::Integer(i) => (
            text(i.title),
            text(i.description),
            FieldKind::Integer {
                minimum: i.minimum,
                maximum: i.maximum,
                default: i.default,
            },
        ),
        PrimitiveSchemaDefinition::Boolean(b) => (
            text(b.title),
            text(b.description),
            FieldKind::Boolean { default: b.default },
        ),
        PrimitiveSchemaDefinition::Enum(e) => enum_kind(name, e)?,
        other => {
            return Err(ElicitationError::Unsupported(format!(
                "property “{name}”: {other:?}"
            )));
        }
    })
}

fn text_format(format: StringFormat) -> Result<TextFormat, ElicitationError> {
    Ok(match format {
        StringFormat::Email => TextFormat::Email,
        StringFormat::Uri => TextFormat::Uri,
        StringFormat::Date => TextFormat::Date,
        StringFormat::DateTime => TextFormat::DateTime,
        other => {
            return Err(ElicitationError::Unsupported(format!(
                "string format {other:?}"
            )));
        }
    })
}

/// Untitled options: each value is its own label.
fn untitled(values: Vec<String>) -> Vec<Choice> {
    values
        .into_iter()
        .map(|value| Choice {
            title: value.clone(),
            value,
        })
        .collect()
}

fn titled(options: Vec<rmcp::model::ConstTitle>) -> Vec<Choice> {
    options
        .into_iter()
        .map(|o| Choice {
            value: o.const_,
            title: o.title,
        })
        .collect()
}

fn single(options: Vec<Choice>, default: Option<String>) -> FieldKind {
    let default = default.filter(|d| options.iter().any(|o| &o.value == d));
    FieldKind::Choice { options, default }
}

fn multi(
    options: Vec<Choice>,
    min: Option<u64>,
    max: Option<u64>,
    default: Option<Vec<String>>,
) -> FieldKind {
    let default = default
        .unwrap_or_default()
        .into_iter()
        .filter(|d| options.iter().any(|o| &o.value == d))
        .collect();
    FieldKind::MultiChoice {
        options,
        min_items: min,
        max_items: max,
        default,
    }
}

fn enum_kind(name: &str, schema: EnumSchema) -> Result<Described, ElicitationError> {
    let text = |s: Option<std::borrow::Cow<'static, str>>| s.map(String::from);
    Ok(match schema {
        EnumSchema::Single(SingleSelectEnumSchema::Untitled(s)) => (
            text(s.title),
            text(s.description),
            single(untitled(s.enum_), s.default),
        ),
        EnumSchema::Single(SingleSelectEnumSchema::Titled(s)) => (
            text(s.title),
            text(s.description),
            single(titled(s.one_of), s.default),
        ),
        EnumSchema::Multi(MultiSelectEnumSchema::Untitled(s)) => (
            text(s.title),
            text(s.description),
            multi(untitled(s.items.enum_), s.min_items, s.max_items, s.default),
        ),
        EnumSchema::Multi(MultiSelectEnumSchema::Titled(s)) => (
            text(s.title),
            text(s.description),
            multi(titled(s.items.any_of), s.min_items, s.max_items, s.default),
        ),
        EnumSchema::Legacy(s) => {
            let names = s.enum_names.unwrap_or_default();
            let options = s
                .enum_
                .into_iter()
                .enumerate()
                .map(|(i, value)| Choice {
                    title: names.get(i).cloned().unwrap_or_else(|| value.clone()),
                    value,
                })
                .collect();
            (
                text(s.title),
                text(s.description),
                single(options, s.default),
            )
        }
        other => {
            return Err(ElicitationError::Unsupported(format!(
                "enum property “{name}”: {other:?}"
            )));
        }
    })
}
