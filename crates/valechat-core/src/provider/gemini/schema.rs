//! Reduces a JSON Schema to the subset Gemini accepts in
//! `FunctionDeclaration.parameters`.
//!
//! Gemini's `Schema` (API reference, `Schema`: "a select subset of an
//! `OpenAPI` 3.0 schema object") rejects unknown members with HTTP 400
//! (`Invalid JSON payload received. Unknown name "additionalProperties"`).
//! Kept keywords, as documented: `type`, `format`, `title`, `description`,
//! `nullable`, `enum`, `maxItems`, `minItems`, `properties`, `required`,
//! `minProperties`, `maxProperties`, `minLength`, `maxLength`, `pattern`,
//! `example`, `anyOf`, `propertyOrdering`, `default`, `items`, `minimum`,
//! `maximum`. Everything else is dropped, notably `$schema`, `$id`, `$ref`,
//! `$defs` / `definitions`, `additionalProperties`, `const`, `oneOf`,
//! `allOf`, `not`, `exclusiveMinimum` / `exclusiveMaximum`, `examples`.
//! A JSON Schema type list with `"null"` (`["string","null"]`) becomes the
//! single type plus `nullable: true`; a list of several other types keeps
//! the first. Subschemas under `properties`, `items` and `anyOf` are
//! reduced the same way; property names are kept as they are.

use serde_json::{Map, Value};

/// Schema keywords Gemini's `Schema` object accepts.
const SUPPORTED: [&str; 22] = [
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "anyOf",
    "propertyOrdering",
    "default",
    "items",
    "minimum",
    "maximum",
];

/// `schema` reduced to Gemini's subset (see the module docs); a non-object
/// value is returned unchanged.
pub fn gemini_schema(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        if !SUPPORTED.contains(&key.as_str()) {
            continue;
        }
        let value = match key.as_str() {
            "properties" => match value {
                Value::Object(props) => Value::Object(
                    props
                        .iter()
                        .map(|(name, sub)| (name.clone(), gemini_schema(sub)))
                        .collect(),
                ),
                other => other.clone(),
            },
            "items" => gemini_schema(value),
            "anyOf" => match value {
                Value::Array(subs) => Value::Array(subs.iter().map(gemini_schema).collect()),
                other => other.clone(),
            },
            "type" => match value {
                Value::Array(types) => {
                    if types.iter().any(|t| t == "null") {
                        out.insert("nullable".into(), Value::Bool(true));
                    }
                    match types.iter().find(|t| *t != "null") {
                        Some(first) => first.clone(),
                        None => continue,
                    }
                }
                other => other.clone(),
            },
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unsupported_keywords_are_dropped_at_every_level() {
        let schema = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "$ref": {"type": "string", "const": "x"},
                "tags": {"type": "array", "items": {"type": "string", "examples": ["a"]}},
                "mode": {"anyOf": [{"type": "string", "oneOf": []}, {"type": "integer"}]},
                "limit": {"type": ["integer", "null"], "exclusiveMinimum": 0, "minimum": 1},
            },
            "required": ["tags"],
            "$defs": {"x": {}},
        });
        assert_eq!(
            gemini_schema(&schema),
            json!({
                "type": "object",
                "properties": {
                    "$ref": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "mode": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    "limit": {"type": "integer", "nullable": true, "minimum": 1},
                },
                "required": ["tags"],
            })
        );
    }

    #[test]
    fn a_type_list_of_only_null_drops_the_type() {
        assert_eq!(
            gemini_schema(&json!({"type": ["null"], "description": "d"})),
            json!({"nullable": true, "description": "d"})
        );
        assert_eq!(gemini_schema(&json!(true)), json!(true));
    }
}
