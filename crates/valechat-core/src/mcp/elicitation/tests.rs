#![allow(
    clippy::needless_pass_by_value,
    reason = "test helpers take the `json!` values they are given"
)]
//! Parsing and validation of elicitation requests, on schemas as servers
//! send them (the form is server-everything's `trigger-elicitation-request`).

use rmcp::model::{ElicitRequestParams, ElicitationAction};
use serde_json::{Value, json};

use super::*;

fn parse(value: Value) -> Result<Elicitation, ElicitationError> {
    let params: ElicitRequestParams = serde_json::from_value(value).unwrap();
    Elicitation::parse(params)
}

fn form(properties: Value, required: &[&str]) -> ElicitationForm {
    let request = json!({
        "mode": "form",
        "message": "Fill this in",
        "requestedSchema": {"type": "object", "properties": properties, "required": required},
    });
    match parse(request).unwrap() {
        Elicitation::Form(form) => form,
        other @ Elicitation::Url(_) => panic!("not a form: {other:?}"),
    }
}

fn field(schema: Value, required: bool) -> Field {
    let names: &[&str] = if required { &["f"] } else { &[] };
    form(json!({ "f": schema }), names).fields.remove(0)
}

fn text(s: &str) -> FieldValue {
    FieldValue::Text(s.to_owned())
}

/// The schema server-everything sends, in its order (a string: `json!`
/// would sort the keys).
fn everything() -> ElicitationForm {
    let request = r#"{
        "mode": "form",
        "message": "Fill this in",
        "requestedSchema": {"type": "object", "required": ["name"], "properties": {
            "name": {"title": "String", "type": "string", "description": "Your full, legal name"},
            "check": {"title": "Boolean", "type": "boolean"},
            "firstLine": {"type": "string", "default": "It was a dark and stormy night."},
            "email": {"type": "string", "format": "email"},
            "integer": {"type": "integer", "minimum": 1, "maximum": 100, "default": 42},
            "number": {"type": "number", "minimum": 0, "maximum": 1000, "default": 2.5},
            "untitled": {"type": "string", "enum": ["Monica", "Rachel"], "default": "Monica"},
            "multi": {"type": "array", "minItems": 1, "maxItems": 2,
                      "items": {"type": "string", "enum": ["Guitar", "Piano", "Drums"]},
                      "default": ["Guitar"]},
            "titled": {"type": "string", "oneOf": [
                {"const": "hero-1", "title": "Superman"}, {"const": "hero-2", "title": "Wonder Woman"}],
                "default": "hero-2"},
            "titledMulti": {"type": "array", "items": {"anyOf": [
                {"const": "fish-1", "title": "Tuna"}, {"const": "fish-2", "title": "Salmon"}]}},
            "legacy": {"type": "string", "enum": ["pet-1", "pet-2"], "enumNames": ["Cats", "Dogs"],
                       "default": "pet-1"}
        }}
    }"#;
    let params: ElicitRequestParams = serde_json::from_str(request).unwrap();
    match Elicitation::parse(params).unwrap() {
        Elicitation::Form(form) => form,
        other @ Elicitation::Url(_) => panic!("not a form: {other:?}"),
    }
}

#[test]
fn fields_keep_the_server_order_titles_and_required_marks() {
    let form = everything();
    let names: Vec<&str> = form.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "name",
            "check",
            "firstLine",
            "email",
            "integer",
            "number",
            "untitled",
            "multi",
            "titled",
            "titledMulti",
            "legacy"
        ]
    );
    assert_eq!(form.message, "Fill this in");
    assert_eq!(form.fields[0].title, "String");
    assert_eq!(
        form.fields[0].description.as_deref(),
        Some("Your full, legal name")
    );
    assert!(form.fields[0].required);
    assert!(!form.fields[1].required);
    // Without a title the property name is the label.
    assert_eq!(form.fields[2].title, "firstLine");
}

#[test]
fn every_kind_is_typed_with_its_constraints() {
    let form = everything();
    let kind = |name: &str| {
        form.fields
            .iter()
            .find(|f| f.name == name)
            .unwrap()
            .kind
            .clone()
    };
    assert_eq!(
        kind("email"),
        FieldKind::Text {
            format: Some(TextFormat::Email),
            min_length: None,
            max_length: None,
            default: None
        }
    );
    assert_eq!(
        kind("integer"),
        FieldKind::Integer {
            minimum: Some(1),
            maximum: Some(100),
            default: Some(42)
        }
    );
    assert_eq!(
        kind("number"),
        FieldKind::Number {
            minimum: Some(0.0),
            maximum: Some(1000.0),
            default: Some(2.5)
        }
    );
    assert_eq!(kind("check"), FieldKind::Boolean { default: None });
    let FieldKind::Choice { options, default } = kind("titled") else {
        panic!("titled")
    };
    assert_eq!(
        options[1],
        Choice {
            value: "hero-2".into(),
            title: "Wonder Woman".into()
        }
    );
    assert_eq!(default.as_deref(), Some("hero-2"));
    let FieldKind::Choice { options, .. } = kind("legacy") else {
        panic!("legacy")
    };
    assert_eq!(
        options[1],
        Choice {
            value: "pet-2".into(),
            title: "Dogs".into()
        }
    );
    let FieldKind::Choice { options, .. } = kind("untitled") else {
        panic!("untitled")
    };
    assert_eq!(options[0].title, "Monica");
    let FieldKind::MultiChoice {
        options,
        min_items,
        max_items,
        default,
    } = kind("multi")
    else {
        panic!("multi")
    };
    assert_eq!(options.len(), 3);
    assert_eq!((min_items, max_items), (Some(1), Some(2)));
    assert_eq!(default, ["Guitar"]);
    let FieldKind::MultiChoice { options, .. } = kind("titledMulti") else {
        panic!("titledMulti")
    };
    assert_eq!(
        options[0],
        Choice {
            value: "fish-1".into(),
            title: "Tuna".into()
        }
    );
}

#[test]
fn defaults_fill_the_content_and_empty_optional_fields_are_omitted() {
    let form = everything();
    let mut values = form.initial_values();
    values[0] = text("Ada Lovelace");
    let content = form.content(&values).unwrap();
    assert_eq!(
        Value::Object(content),
        json!({
            "name": "Ada Lovelace", "check": false, "firstLine": "It was a dark and stormy night.",
            "integer": 42, "number": 2.5, "untitled": "Monica", "multi": ["Guitar"],
            "titled": "hero-2", "titledMulti": [], "legacy": "pet-1",
        })
    );
}

#[test]
fn a_required_field_left_empty_is_reported_by_name() {
    let form = everything();
    let err = form.content(&form.initial_values()).unwrap_err();
    assert_eq!(err.0, vec![("name".to_owned(), FieldError::Required)]);
    // Spaces only count as empty.
    let mut values = form.initial_values();
    values[0] = text("   ");
    assert_eq!(
        form.content(&values).unwrap_err().0[0].1,
        FieldError::Required
    );
}

#[test]
fn accept_carries_the_content() {
    let form = everything();
    let mut values = form.initial_values();
    values[0] = text("Grace");
    let result = form.accept(&values).unwrap();
    assert_eq!(result.action, ElicitationAction::Accept);
    assert_eq!(result.content.unwrap()["name"], "Grace");
}

#[test]
fn string_lengths_count_characters() {
    let f = field(
        json!({"type": "string", "minLength": 2, "maxLength": 3}),
        true,
    );
    assert_eq!(f.validate(&text("é")), Err(FieldError::TooShort(2)));
    assert_eq!(f.validate(&text("éé")), Ok(Some(json!("éé"))));
    assert_eq!(f.validate(&text("éééé")), Err(FieldError::TooLong(3)));
}

#[test]
fn string_formats_are_checked() {
    let email = field(json!({"type": "string", "format": "email"}), false);
    assert_eq!(
        email.validate(&text(" ada@example.com ")),
        Ok(Some(json!("ada@example.com")))
    );
    for bad in [
        "ada",
        "@example.com",
        "ada@",
        "a da@example.com",
        "ada@example.",
    ] {
        assert_eq!(
            email.validate(&text(bad)),
            Err(FieldError::NotEmail),
            "{bad}"
        );
    }
    let uri = field(json!({"type": "string", "format": "uri"}), false);
    assert_eq!(
        uri.validate(&text("https://example.com/x")),
        Ok(Some(json!("https://example.com/x")))
    );
    assert_eq!(uri.validate(&text("example.com")), Err(FieldError::NotUri));
    let date = field(json!({"type": "string", "format": "date"}), false);
    assert_eq!(
        date.validate(&text("2026-02-28")),
        Ok(Some(json!("2026-02-28")))
    );
    assert_eq!(date.validate(&text("2026-02-30")), Err(FieldError::NotDate));
    assert_eq!(date.validate(&text("28/02/2026")), Err(FieldError::NotDate));
    let stamp = field(json!({"type": "string", "format": "date-time"}), false);
    assert_eq!(
        stamp.validate(&text("2026-11-22T10:00:00+01:00")),
        Ok(Some(json!("2026-11-22T10:00:00+01:00")))
    );
    assert_eq!(
        stamp.validate(&text("2026-11-22 10:00")),
        Err(FieldError::NotDateTime)
    );
}

#[test]
fn numbers_and_integers_respect_their_range() {
    let n = field(
        json!({"type": "number", "minimum": 0.5, "maximum": 10}),
        true,
    );
    assert_eq!(n.validate(&text("2.25")), Ok(Some(json!(2.25))));
    assert_eq!(
        n.validate(&text("0.25")),
        Err(FieldError::BelowMinimum("0.5".into()))
    );
    assert_eq!(
        n.validate(&text("11")),
        Err(FieldError::AboveMaximum("10".into()))
    );
    assert_eq!(n.validate(&text("ten")), Err(FieldError::NotNumber));
    assert_eq!(n.validate(&text("NaN")), Err(FieldError::NotNumber));
    let i = field(
        json!({"type": "integer", "minimum": -3, "maximum": 3}),
        true,
    );
    assert_eq!(i.validate(&text(" -3 ")), Ok(Some(json!(-3))));
    assert_eq!(i.validate(&text("1.5")), Err(FieldError::NotInteger));
    assert_eq!(i.validate(&text("x")), Err(FieldError::NotNumber));
    assert_eq!(
        i.validate(&text("4")),
        Err(FieldError::AboveMaximum("3".into()))
    );
    assert_eq!(i.validate(&text("")), Err(FieldError::Required));
}

#[test]
fn booleans_default_to_off_unless_the_schema_says_otherwise() {
    let off = field(json!({"type": "boolean"}), false);
    assert_eq!(off.initial_value(), FieldValue::Bool(false));
    let on = field(json!({"type": "boolean", "default": true}), false);
    assert_eq!(on.initial_value(), FieldValue::Bool(true));
    assert_eq!(
        on.validate(&FieldValue::Bool(false)),
        Ok(Some(json!(false)))
    );
    assert_eq!(on.validate(&text("true")), Err(FieldError::WrongShape));
}

#[test]
fn single_choices_must_be_options_and_bad_defaults_are_dropped() {
    let f = field(
        json!({"type": "string", "enum": ["a", "b"], "default": "zzz"}),
        true,
    );
    assert_eq!(f.initial_value(), FieldValue::Choice(None));
    assert_eq!(
        f.validate(&FieldValue::Choice(None)),
        Err(FieldError::Required)
    );
    assert_eq!(
        f.validate(&FieldValue::Choice(Some("b".into()))),
        Ok(Some(json!("b")))
    );
    assert_eq!(
        f.validate(&FieldValue::Choice(Some("c".into()))),
        Err(FieldError::NotAnOption("c".into()))
    );
    let optional = field(json!({"type": "string", "enum": ["a"]}), false);
    assert_eq!(optional.validate(&FieldValue::Choice(None)), Ok(None));
}

#[test]
fn multi_choices_count_items_and_keep_option_order() {
    let f = field(
        json!({"type": "array", "minItems": 1, "maxItems": 2,
               "items": {"type": "string", "enum": ["x", "y", "z"]}, "default": ["y", "nope"]}),
        false,
    );
    assert_eq!(f.initial_value(), FieldValue::Choices(vec!["y".into()]));
    let pick = |v: &[&str]| FieldValue::Choices(v.iter().map(|s| (*s).to_owned()).collect());
    assert_eq!(f.validate(&pick(&["z", "x"])), Ok(Some(json!(["x", "z"]))));
    assert_eq!(f.validate(&pick(&[])), Err(FieldError::TooFewChoices(1)));
    assert_eq!(
        f.validate(&pick(&["x", "y", "z"])),
        Err(FieldError::TooManyChoices(2))
    );
    assert_eq!(
        f.validate(&pick(&["w"])),
        Err(FieldError::NotAnOption("w".into()))
    );
}

#[test]
fn errors_read_as_sentences() {
    assert_eq!(FieldError::TooShort(3).to_string(), "At least 3 characters");
    assert_eq!(
        FieldError::BelowMinimum("1".into()).to_string(),
        "Must be at least 1"
    );
    let err = InvalidForm(vec![("name".into(), FieldError::Required)]);
    assert_eq!(err.to_string(), "invalid form: name: Required");
}

#[test]
fn url_mode_shows_the_host_and_refuses_non_web_urls() {
    let request = |url: &str| {
        parse(json!({"mode": "url", "message": "Sign in", "url": url, "elicitationId": "e-1"}))
    };
    let Elicitation::Url(url) = request("https://auth.example.com:8443/login?x=1").unwrap() else {
        panic!("not a URL request");
    };
    assert_eq!(url.host, "auth.example.com");
    assert_eq!(url.url, "https://auth.example.com:8443/login?x=1");
    assert_eq!(url.elicitation_id, "e-1");
    assert_eq!(url.message, "Sign in");
    assert!(matches!(
        request("file:///etc/passwd"),
        Err(ElicitationError::UnsafeUrl { .. })
    ));
    assert!(matches!(
        request("javascript:alert(1)"),
        Err(ElicitationError::UnsafeUrl { .. })
    ));
    assert!(matches!(
        request("not a url"),
        Err(ElicitationError::BadUrl { .. })
    ));
}

#[test]
fn legacy_requests_without_mode_are_forms() {
    let request = json!({
        "message": "Old style",
        "requestedSchema": {"type": "object", "properties": {"n": {"type": "integer"}}},
    });
    let Elicitation::Form(form) = parse(request).unwrap() else {
        panic!("not a form")
    };
    assert_eq!(form.message, "Old style");
    assert_eq!(
        form.fields[0].kind,
        FieldKind::Integer {
            minimum: None,
            maximum: None,
            default: None
        }
    );
}
