use std::cell::RefCell;

use serde_json::json;

use super::*;

fn tool(name: &str) -> ToolDefinition {
    ToolDefinition {
        name: name.into(),
        description: String::new(),
        parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
    }
}

/// A converter that records the schemas it was given and answers with a
/// one-rule grammar.
fn recording(seen: &RefCell<Vec<Value>>) -> impl Fn(&str) -> Result<String, String> + '_ {
    move |schema| {
        seen.borrow_mut()
            .push(serde_json::from_str(schema).unwrap());
        Ok("root ::= object\nobject ::= \"{\" \"}\"".to_owned())
    }
}

#[test]
fn auto_is_lazy_on_the_formats_opening_marker() {
    let seen = RefCell::new(Vec::new());
    let tools = [tool("get_weather"), tool("get_time")];
    let hermes = build(
        ToolCallFormat::Hermes,
        &tools,
        &ToolChoice::Auto,
        None,
        recording(&seen),
    )
    .unwrap()
    .unwrap();
    assert_eq!(hermes.triggers, Some(vec!["<tool_call>".to_owned()]));
    assert!(
        hermes
            .gbnf
            .starts_with("root ::= tc-calls\ntc-calls ::= tc-block"),
        "{}",
        hermes.gbnf
    );
    assert!(
        hermes
            .gbnf
            .contains("\"<tool_call>\" tc-ws tool-call tc-ws \"</tool_call>\"")
    );
    // The converter's root became `tool-call`; one `root` rule remains.
    assert!(
        hermes.gbnf.contains("\ntool-call ::= object\n"),
        "{}",
        hermes.gbnf
    );
    assert_eq!(hermes.gbnf.matches("root ::=").count(), 1);
    // Both tools, each with its name as a constant.
    let schema = seen.borrow()[0].clone();
    let names: Vec<&Value> = schema["anyOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["properties"]["name"]["const"])
        .collect();
    assert_eq!(names, [&json!("get_weather"), &json!("get_time")]);
    assert_eq!(
        schema["anyOf"][0]["properties"]["arguments"],
        tools[0].parameters
    );

    let mistral = build(
        ToolCallFormat::Mistral,
        &tools,
        &ToolChoice::Auto,
        None,
        recording(&seen),
    )
    .unwrap()
    .unwrap();
    assert_eq!(mistral.triggers, Some(vec![r"\[TOOL_CALLS\]".to_owned()]));
    let llama = build(
        ToolCallFormat::Llama3Json,
        &tools,
        &ToolChoice::Auto,
        None,
        recording(&seen),
    )
    .unwrap()
    .unwrap();
    assert!(
        llama
            .gbnf
            .contains("\ntc-calls ::= \"<|python_tag|>\"? tool-call")
    );
    assert_eq!(
        seen.borrow()[2]["anyOf"][1]["required"],
        json!(["name", "parameters"])
    );
}

#[test]
fn the_name_comes_first() {
    let schema = call_schema(ToolCallFormat::Mistral, &tool("get_weather"));
    let name = schema.find("\"name\"").unwrap();
    let arguments = schema.find("\"arguments\"").unwrap();
    let id = schema.find("\"id\"").unwrap();
    assert!(name < arguments && arguments < id, "{schema}");
    let parsed: Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(
        parsed["properties"]["name"],
        json!({"const": "get_weather"})
    );
    assert_eq!(parsed["required"], json!(["name", "arguments"]));
}

#[test]
fn required_and_a_named_tool_hold_from_the_first_token() {
    let seen = RefCell::new(Vec::new());
    let tools = [tool("get_weather"), tool("get_time")];
    let required = build(
        ToolCallFormat::Hermes,
        &tools,
        &ToolChoice::Required,
        None,
        recording(&seen),
    )
    .unwrap()
    .unwrap();
    assert_eq!(required.triggers, None);
    let named = build(
        ToolCallFormat::Hermes,
        &tools,
        &ToolChoice::Tool("get_time".into()),
        None,
        recording(&seen),
    )
    .unwrap()
    .unwrap();
    assert_eq!(named.triggers, None);
    // Only the named tool's call: one schema, no `anyOf`.
    assert_eq!(
        seen.borrow()[1]["properties"]["name"]["const"],
        json!("get_time")
    );
    assert!(seen.borrow()[1].get("anyOf").is_none());
}

#[test]
fn none_or_no_tools_build_no_grammar() {
    let never = |_: &str| -> Result<String, String> { panic!("not converted") };
    assert_eq!(
        build(
            ToolCallFormat::Hermes,
            &[tool("a")],
            &ToolChoice::None,
            None,
            never
        ),
        Ok(None)
    );
    assert_eq!(
        build(ToolCallFormat::Hermes, &[], &ToolChoice::Auto, None, never),
        Ok(None)
    );
}

#[test]
fn a_refused_schema_names_its_tool() {
    let tools = [tool("fine"), tool("odd")];
    let convert = |schema: &str| {
        if schema.contains("\"odd\"") {
            Err("ffi error -3".to_owned())
        } else {
            Ok("root ::= \"{}\"".to_owned())
        }
    };
    let err = build(
        ToolCallFormat::Hermes,
        &tools,
        &ToolChoice::Auto,
        None,
        convert,
    )
    .unwrap_err();
    assert_eq!(
        err,
        GrammarError::Schema {
            tool: "odd".into(),
            message: "ffi error -3".into()
        }
    );
    assert!(err.to_string().contains("the tool odd"), "{err}");
}

#[test]
fn a_thinking_model_reasons_before_a_required_call() {
    let seen = RefCell::new(Vec::new());
    let tools = [tool("a")];
    let build_with = |choice: &ToolChoice, thinking| {
        build(
            ToolCallFormat::Hermes,
            &tools,
            choice,
            thinking,
            recording(&seen),
        )
        .unwrap()
        .unwrap()
        .gbnf
    };
    let may = build_with(&ToolChoice::Required, Some(ThinkingStart::MayOpen));
    assert!(
        may.starts_with(
            "root ::= (\"<think>\" tc-think \"</think>\" tc-ws)? tc-calls\ntc-think ::= "
        ),
        "{may}"
    );
    let opened = build_with(&ToolChoice::Required, Some(ThinkingStart::Opened));
    assert!(
        opened.starts_with("root ::= tc-think \"</think>\" tc-ws tc-calls\n"),
        "{opened}"
    );
    // Lazy: the trigger comes after any reasoning anyway.
    let lazy = build_with(&ToolChoice::Auto, Some(ThinkingStart::Opened));
    assert!(lazy.starts_with("root ::= tc-calls\n"), "{lazy}");
}
