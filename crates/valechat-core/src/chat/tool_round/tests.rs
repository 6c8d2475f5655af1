//! Tests of one tool round.

use super::*;
use crate::provider::ToolDefinition;

fn offered(name: &str) -> OfferedTool {
    OfferedTool {
        definition: ToolDefinition {
            name: name.to_owned(),
            description: String::new(),
            parameters: serde_json::json!({"type": "object"}),
        },
        server_id: "everything".to_owned(),
        server_name: "everything".to_owned(),
        server_binding: "node index.js".to_owned(),
        tool_name: name.to_owned(),
        definition_hash: String::new(),
        hints: crate::chat::ToolHints::default(),
    }
}

#[test]
fn an_unknown_tool_is_answered_with_the_tools_offered() {
    let tools = [offered("everything__sum"), offered("everything__echo")];
    let text = unknown_tool("nobody__nothing", &tools);
    assert_eq!(
        text,
        "No tool named \"nobody__nothing\" is offered; the tool was not run. \
         The tools offered are \"everything__echo\", \"everything__sum\". \
         Call one of them by its exact name."
    );
}

#[test]
fn an_unknown_tool_with_none_offered_says_so() {
    let text = unknown_tool("echo", &[]);
    assert!(text.contains("no tools are offered"), "{text}");
}

#[test]
fn many_offered_tools_are_named_up_to_a_limit() {
    let tools: Vec<_> = (0..NAMED_TOOLS + 3)
        .map(|i| offered(&format!("s__t{i:02}")))
        .collect();
    let text = unknown_tool("x", &tools);
    assert!(text.contains("\"s__t00\""), "{text}");
    assert!(text.contains(" and 3 more."), "{text}");
    assert!(
        !text.contains(&format!("\"s__t{:02}\"", NAMED_TOOLS + 2)),
        "{text}"
    );
}
