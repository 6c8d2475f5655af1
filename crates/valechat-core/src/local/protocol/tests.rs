//! The protocol's JSON shapes.

use super::*;

#[test]
fn requests_and_replies_have_the_documented_shape() {
    let line = r#"{"id":4,"op":"generate","model":"m","messages":[{"role":"user","content":"hi"}],"sampling":{"temperature":0.5,"seed":7}}"#;
    let request: Request = serde_json::from_str(line).unwrap();
    assert_eq!(request.id, 4);
    let Op::Generate {
        sampling,
        max_output_tokens,
        ..
    } = request.op
    else {
        panic!("not a generate: {request:?}");
    };
    assert_eq!(sampling.temperature, Some(0.5));
    assert_eq!(sampling.seed, Some(7));
    assert_eq!(max_output_tokens, None);

    // `tool_choice`: absent means `auto` and `auto` is not written, so
    // a request without one is the same line as in protocol 3.
    let named = r#"{"id":5,"op":"generate","model":"m","messages":[],"tool_choice":{"type":"tool","name":"get_weather"}}"#;
    let request: Request = serde_json::from_str(named).unwrap();
    let Op::Generate { tool_choice, .. } = &request.op else {
        panic!("not a generate: {request:?}");
    };
    assert_eq!(*tool_choice, ToolChoice::Tool("get_weather".into()));
    let auto = Request {
        id: 6,
        op: Op::Generate {
            model: "m".into(),
            messages: Vec::new(),
            tools: Vec::new(),
            tool_choice: ToolChoice::Auto,
            sampling: Sampling::default(),
            max_output_tokens: None,
        },
    };
    let line = serde_json::to_string(&auto).unwrap();
    assert!(!line.contains("tool_choice"), "{line}");
    let required = serde_json::to_value(ToolChoice::Required).unwrap();
    assert_eq!(required, serde_json::json!({"type": "required"}));

    let error = Reply::Error {
        id: 4,
        error: RunnerError::ContextOverflow {
            model: "m".into(),
            input_tokens: 300,
            context_length: 256,
        },
    };
    let json = serde_json::to_value(&error).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"error": {"id": 4, "kind": "context_overflow", "model": "m", "input_tokens": 300, "context_length": 256}})
    );
    assert_eq!(
        serde_json::from_value::<Reply>(json).unwrap(),
        error,
        "an error line reads back as written"
    );
}
