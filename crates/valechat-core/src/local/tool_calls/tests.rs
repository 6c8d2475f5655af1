use super::*;

fn call(name: &str, arguments: &str) -> Piece {
    Piece::Call(ParsedCall {
        name: name.into(),
        arguments: arguments.into(),
        id: None,
    })
}

fn text(t: &str) -> Piece {
    Piece::Text(t.into())
}

/// Appends `new` to `pieces`, merging adjacent texts.
fn add(pieces: &mut Vec<Piece>, new: Vec<Piece>) {
    for piece in new {
        match (pieces.last_mut(), piece) {
            (Some(Piece::Text(last)), Piece::Text(t)) => last.push_str(&t),
            (_, piece) => pieces.push(piece),
        }
    }
}

/// Feeds `chunks` one by one, then finishes; adjacent texts are merged.
fn parse(format: ToolCallFormat, chunks: &[&str]) -> Vec<Piece> {
    let mut parser = ToolCallParser::new(format);
    let mut pieces: Vec<Piece> = Vec::new();
    for chunk in chunks {
        add(&mut pieces, parser.push(chunk));
    }
    add(&mut pieces, parser.finish());
    pieces
}

/// Every split of `whole` into three chunks gives `expected`.
fn every_split(format: ToolCallFormat, whole: &str, expected: &[Piece]) {
    let bounds: Vec<usize> = (0..=whole.len())
        .filter(|&i| whole.is_char_boundary(i))
        .collect();
    for &a in &bounds {
        for &b in bounds.iter().filter(|&&b| b >= a) {
            let chunks = [&whole[..a], &whole[a..b], &whole[b..]];
            assert_eq!(parse(format, &chunks), expected, "split {chunks:?}");
        }
    }
}

#[test]
fn formats_are_detected_from_the_template() {
    let qwen = include_str!("../runtime/testdata/qwen2.5-instruct.jinja");
    let llama = include_str!("../runtime/testdata/llama3.2-instruct.jinja");
    assert_eq!(ToolCallFormat::detect(qwen), Some(ToolCallFormat::Hermes));
    assert_eq!(
        ToolCallFormat::detect(llama),
        Some(ToolCallFormat::Llama3Json)
    );
    let mistral = "{%- if tools %}[AVAILABLE_TOOLS]{{ tools|tojson }}[/AVAILABLE_TOOLS]{% endif %}{%- for m in messages %}{%- if m.tool_calls %}[TOOL_CALLS]{{ m.tool_calls|tojson }}{% endif %}{% endfor %}";
    assert_eq!(
        ToolCallFormat::detect(mistral),
        Some(ToolCallFormat::Mistral)
    );
    let chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}";
    assert_eq!(ToolCallFormat::detect(chatml), None);
}

#[test]
fn hermes_calls_are_split_from_the_text_at_every_chunk_boundary() {
    let whole = "Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"now\", \"arguments\": {}}\n</tool_call>";
    every_split(
        ToolCallFormat::Hermes,
        whole,
        &[
            text("Let me look.\n"),
            call("get_weather", r#"{"city":"Paris"}"#),
            call("now", "{}"),
        ],
    );
}

#[test]
fn hermes_text_that_only_looks_like_a_marker_is_shown() {
    assert_eq!(
        parse(ToolCallFormat::Hermes, &["a <tool", "_c", " b <"]),
        [text("a <tool_c b <")]
    );
}

#[test]
fn hermes_malformed_json_is_kept_as_text() {
    let whole = "<tool_call>{\"name\": \"x\", \"arguments\": {</tool_call> after";
    assert_eq!(parse(ToolCallFormat::Hermes, &[whole]), [text(whole)]);
    // No name, and arguments that are not an object.
    let noname = "<tool_call>{\"arguments\": {}}</tool_call>";
    assert_eq!(parse(ToolCallFormat::Hermes, &[noname]), [text(noname)]);
    let list = "<tool_call>{\"name\": \"x\", \"arguments\": [1]}</tool_call>";
    assert_eq!(parse(ToolCallFormat::Hermes, &[list]), [text(list)]);
}

#[test]
fn hermes_unclosed_call_at_the_end_is_a_call_if_its_json_is_whole() {
    assert_eq!(
        parse(
            ToolCallFormat::Hermes,
            &["<tool_call>\n{\"name\": \"now\", \"arguments\": \"{\\\"tz\\\": \\\"UTC\\\"}\"}\n"]
        ),
        [call("now", r#"{"tz":"UTC"}"#)]
    );
    assert_eq!(
        parse(ToolCallFormat::Hermes, &["<tool_call>\n{\"name\": \"now\""]),
        [text("<tool_call>\n{\"name\": \"now\"")]
    );
}

#[test]
fn llama3_json_calls_with_and_without_the_python_tag() {
    let whole = "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}";
    every_split(
        ToolCallFormat::Llama3Json,
        whole,
        &[call("get_weather", r#"{"city":"Paris"}"#)],
    );
    let tagged = "<|python_tag|>{\"type\": \"function\", \"name\": \"a\", \"parameters\": {}}; {\"name\": \"b\", \"parameters\": {\"n\": 1}}";
    every_split(
        ToolCallFormat::Llama3Json,
        tagged,
        &[call("a", "{}"), call("b", r#"{"n":1}"#)],
    );
}

#[test]
fn llama3_plain_replies_stream_as_they_come() {
    let mut parser = ToolCallParser::new(ToolCallFormat::Llama3Json);
    assert_eq!(parser.push("Hello"), [text("Hello")]);
    assert_eq!(parser.push(" {\"name\""), [text(" {\"name\"")]);
    assert_eq!(parser.finish(), Vec::<Piece>::new());
    // A JSON reply that is not a call is text once it differs.
    assert_eq!(
        parse(ToolCallFormat::Llama3Json, &["{\"na", "mes\": 1}"]),
        [text("{\"names\": 1}")]
    );
    // A call cut short is shown as written.
    let cut = "{\"name\": \"x\", \"parameters\": {\"q\"";
    assert_eq!(parse(ToolCallFormat::Llama3Json, &[cut]), [text(cut)]);
}

#[test]
fn mistral_calls_after_the_marker() {
    let whole = "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"abcDEF123\"}, {\"name\": \"now\", \"arguments\": {}}]";
    let first = Piece::Call(ParsedCall {
        name: "get_weather".into(),
        arguments: r#"{"city":"Paris"}"#.into(),
        id: Some("abcDEF123".into()),
    });
    every_split(ToolCallFormat::Mistral, whole, &[first, call("now", "{}")]);
    let bad = "Sure [TOOL_CALLS][{\"name\": 3}]";
    assert_eq!(parse(ToolCallFormat::Mistral, &[bad]), [text(bad)]);
}
