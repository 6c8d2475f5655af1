//! What MCP servers, configuration files and browsers send: JSON-RPC
//! messages on a stdio server's stdout, configuration files to import,
//! resource templates, the OAuth loopback callback, elicitation requests
//! and the values typed into their forms.

use rmcp::model::{ElicitRequestParams, ServerJsonRpcMessage};
use rmcp::service::RoleClient;
use rmcp::transport::Transport;
use serde_json::Value;
use valechat_core::fuzzing::{
    Callback, Overflow, oauth_callback_judge, oauth_callback_page, stdio_transport,
};
use valechat_core::mcp::config::inline;
use valechat_core::mcp::elicitation::{Elicitation, FieldKind, FieldValue};
use valechat_core::mcp::{
    ServerLog, Transport as ServerTransport, expand_template, import, template_variables,
};

use crate::support::block_on;

/// A stdio server's stdout, and each line as one WebSocket or HTTP message.
pub fn jsonrpc(data: &[u8]) {
    for line in data.split(|b| *b == b'\n') {
        if let Ok(message) = serde_json::from_slice::<ServerJsonRpcMessage>(line) {
            let _ = serde_json::to_string(&message);
        }
    }
    let lines = data.split(|b| *b == b'\n').count();
    let stdout = std::io::Cursor::new(data.to_vec());
    let mut transport = stdio_transport(
        stdout,
        tokio::io::sink(),
        ServerLog::default(),
        Overflow::default(),
    );
    let received = block_on(async {
        let mut received = 0usize;
        while Transport::<RoleClient>::receive(&mut transport)
            .await
            .is_some()
        {
            received += 1;
            assert!(received <= lines, "more messages than lines");
        }
        received
    });
    assert!(received <= lines);
}

/// A value for `${NAME}`: deterministic, sometimes missing, sometimes
/// itself a `${…}` (which must not be expanded again).
fn lookup(name: &str) -> Option<String> {
    match name.len() % 3 {
        0 => None,
        1 => Some(format!("<{name}>")),
        _ => Some(format!("${{{name}}}")),
    }
}

/// A configuration file to import (Claude Desktop, VS Code, Cursor, Zed…).
pub fn config_import(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let expanded = import::expand(&text, &lookup);
    if !text.contains("${") {
        assert_eq!(expanded, text, "text without variables changed");
    }
    if let Ok(imported) = import::parse(&text) {
        for server in &imported.servers {
            let mut filled = server.clone();
            import::fill(&mut filled, &lookup);
            let _ = format!("{filled:?}");
            if import::variables(server).is_empty() {
                assert_eq!(&filled, server, "a server without variables changed");
            }
            // Secrets taken out of the command line or URL come back whole.
            let mut stored = filled.clone();
            let secrets = stored.extract_secrets();
            let mut lookup_secret = |key: &str| {
                secrets
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
            };
            match (&mut stored.transport, &filled.transport) {
                (
                    ServerTransport::Stdio { args, .. },
                    ServerTransport::Stdio { args: before, .. },
                ) => {
                    let resolved = inline::resolve_args(args, &mut lookup_secret);
                    assert!(
                        resolved.is_err() || args == before,
                        "arguments changed by their secrets"
                    );
                }
                (ServerTransport::Http { url, .. } | ServerTransport::WebSocket { url }, _) => {
                    let _ = inline::resolve_url(url, &mut lookup_secret);
                }
                _ => {}
            }
        }
    }
}

/// A resource template on the first line, `name=value` lines after it.
pub fn resource_template(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let template = lines.next().unwrap_or_default();
    let values: Vec<(String, String)> = lines
        .map(|l| {
            let (name, value) = l.split_once('=').unwrap_or((l, ""));
            (name.to_owned(), value.to_owned())
        })
        .collect();
    let names = template_variables(template);
    for (i, name) in names.iter().enumerate() {
        assert!(!name.is_empty(), "an empty variable name");
        assert!(!names[..i].contains(name), "{name} listed twice");
    }
    let expanded = expand_template(template, &values);
    if !template.contains('{') {
        assert_eq!(expanded, template, "a template without expressions changed");
    }
}

/// Redirect URI and state used when the input gives none.
const REDIRECT_URI: &str = "http://127.0.0.1:38271/callback";
const STATE: &str = "Zm9vYmFy-state";

/// The request target the browser sends; optionally a second line with
/// the redirect URI and a third with the expected state.
pub fn oauth_callback(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(3, '\n');
    let target = lines.next().unwrap_or_default();
    let redirect_uri = lines.next().unwrap_or(REDIRECT_URI);
    let state = lines.next().unwrap_or(STATE);
    let result = oauth_callback_judge(target, redirect_uri, state);
    if let Callback::Approved(url) = &result {
        let url = url::Url::parse(url).expect("an approved callback is a URL");
        let redirect = url::Url::parse(redirect_uri).expect("the redirect URI parsed");
        assert_eq!(url.path(), redirect.path(), "approved on another path");
        let got = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned());
        assert_eq!(got.as_deref(), Some(state), "approved with another state");
        assert!(
            url.query_pairs().any(|(k, _)| k == "code"),
            "approved without a code"
        );
    }
    let page = oauth_callback_page(&result);
    let start = page.find("<p>").expect("the page has a paragraph") + 3;
    let end = page.rfind("</p>").expect("the paragraph ends");
    let paragraph = &page[start..end];
    assert!(
        !paragraph.contains(['<', '>', '"']),
        "unescaped text in the page: {paragraph}"
    );
}

/// An `elicitation/create` request's params (JSON) up to the first NUL,
/// then the values typed into its fields, each after a NUL: its shape
/// (`0` text, `1` switch, `2` choice, `3` comma-separated choices, the
/// byte modulo 4) and its text.
pub fn elicitation(data: &[u8]) {
    let split = data.iter().position(|b| *b == 0).unwrap_or(data.len());
    let (params, rest) = data.split_at(split);
    let Ok(params) = serde_json::from_slice::<ElicitRequestParams>(params) else {
        return;
    };
    let Ok(Elicitation::Form(form)) = Elicitation::parse(params) else {
        return;
    };
    let _ = form.accept(&form.initial_values());
    let typed: Vec<FieldValue> = rest
        .split(|b| *b == 0)
        .skip(1)
        .map(|raw| {
            let (shape, text) = raw.split_first().map_or((0, &[][..]), |(s, t)| (*s, t));
            let text = String::from_utf8_lossy(text).into_owned();
            match shape % 4 {
                0 => FieldValue::Text(text),
                1 => FieldValue::Bool(text == "true"),
                2 => FieldValue::Choice((!text.is_empty()).then_some(text)),
                _ => FieldValue::Choices(text.split(',').map(str::to_owned).collect()),
            }
        })
        .collect();
    for (field, value) in form.fields.iter().zip(&typed) {
        if let Ok(Some(json)) = field.validate(value) {
            check_value(&field.kind, &json);
        }
    }
    if let Ok(content) = form.content(&typed) {
        for key in content.keys() {
            assert!(
                form.fields.iter().any(|f| &f.name == key),
                "{key} is no field"
            );
        }
    }
}

/// A value accepted for a field fits the field's kind and bounds.
fn check_value(kind: &FieldKind, json: &Value) {
    match kind {
        FieldKind::Number {
            minimum, maximum, ..
        } => {
            let n = json.as_f64().expect("a number field gives a number");
            assert!(n.is_finite(), "{n} accepted");
            assert!(minimum.is_none_or(|m| n >= m), "{n} below {minimum:?}");
            assert!(maximum.is_none_or(|m| n <= m), "{n} above {maximum:?}");
        }
        FieldKind::Integer {
            minimum, maximum, ..
        } => {
            let n = json.as_i64().expect("an integer field gives an integer");
            assert!(minimum.is_none_or(|m| n >= m), "{n} below {minimum:?}");
            assert!(maximum.is_none_or(|m| n <= m), "{n} above {maximum:?}");
        }
        FieldKind::Choice { options, .. } => {
            let v = json.as_str().expect("a choice is a string");
            assert!(options.iter().any(|o| o.value == v), "{v} is no option");
        }
        FieldKind::MultiChoice {
            options,
            min_items,
            max_items,
            ..
        } => {
            let values = json.as_array().expect("a multi-choice is an array");
            for v in values {
                let v = v.as_str().expect("each choice is a string");
                assert!(options.iter().any(|o| o.value == v), "{v} is no option");
            }
            let n = values.len() as u64;
            assert!(
                min_items.is_none_or(|m| n >= m),
                "{n} choices, fewer than {min_items:?}"
            );
            assert!(
                max_items.is_none_or(|m| n <= m),
                "{n} choices, more than {max_items:?}"
            );
        }
        FieldKind::Text { .. } => assert!(json.is_string(), "a text field gives a string"),
        FieldKind::Boolean { .. } => assert!(json.is_boolean(), "a switch gives a boolean"),
    }
}
