//! OpenAI Chat Completions stream bodies built in tests (the recorded
//! fixtures cover the documented shapes; these vary the content).

use super::Reply;

/// One `chat.completion.chunk` SSE event with `delta` and `finish_reason`.
pub fn chunk(delta: serde_json::Value, finish: Option<&str>) -> Vec<u8> {
    let chunk = serde_json::json!({
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    });
    format!("data: {chunk}\n\n").into_bytes()
}

/// A reply asking for `calls` (id, name, arguments JSON text), each call's
/// arguments split in two chunks as OpenAI streams them, ending with
/// `finish_reason: tool_calls` and `[DONE]`.
pub fn tool_call_reply(calls: &[(&str, &str, &str)]) -> Reply {
    let mut body = Vec::new();
    for (index, (id, name, args)) in calls.iter().enumerate() {
        body.extend(chunk(
            serde_json::json!({"tool_calls": [{"index": index, "id": id, "type": "function",
                "function": {"name": name, "arguments": ""}}]}),
            None,
        ));
        let (a, b) = args.split_at(args.len() / 2);
        for part in [a, b] {
            body.extend(chunk(
                serde_json::json!({"tool_calls": [{"index": index,
                    "function": {"arguments": part}}]}),
                None,
            ));
        }
    }
    body.extend(chunk(serde_json::json!({}), Some("tool_calls")));
    body.extend(b"data: [DONE]\n\n");
    Reply::sse_body(body)
}

/// A reply answering with `text` and stopping normally.
pub fn text_reply(text: &str) -> Reply {
    let mut body = chunk(serde_json::json!({"content": text}), None);
    body.extend(chunk(serde_json::json!({}), Some("stop")));
    body.extend(b"data: [DONE]\n\n");
    Reply::sse_body(body)
}

/// A reply answering with `pieces` (one chunk each), then the final usage
/// chunk (`choices: []`) with `input`/`output` tokens, then `[DONE]`.
pub fn text_reply_with_usage(pieces: &[&str], input: u64, output: u64) -> Reply {
    let mut body = Vec::new();
    for piece in pieces {
        body.extend(chunk(serde_json::json!({"content": piece}), None));
    }
    body.extend(chunk(serde_json::json!({}), Some("stop")));
    let usage = serde_json::json!({
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "model": "gpt-4o",
        "choices": [],
        "usage": {"prompt_tokens": input, "completion_tokens": output,
                  "total_tokens": input + output},
    });
    body.extend(format!("data: {usage}\n\ndata: [DONE]\n\n").into_bytes());
    Reply::sse_body(body)
}
