//! MCP elicitation on the command line (spec 2025-11-25, "Client Features →
//! Elicitation"). With a terminal, [`TerminalElicitor`] asks on stderr and
//! reads stdin: a form field by field (Enter keeps the default), a URL by
//! printing it for the user to open. Without one, [`DecliningElicitor`]
//! declines and says so on stderr.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use rmcp::model::{ElicitRequestParams, ElicitResult, ElicitationAction};

use valechat_core::mcp::Elicitor;
use valechat_core::mcp::elicitation::{
    Elicitation, ElicitationForm, Field, FieldKind, FieldValue, UrlElicitation,
};

/// The elicitor for this process: [`TerminalElicitor`] when stdin is a
/// terminal, else [`DecliningElicitor`].
pub fn for_this_terminal() -> Arc<dyn Elicitor> {
    if std::io::stdin().is_terminal() {
        Arc::new(TerminalElicitor)
    } else {
        Arc::new(DecliningElicitor)
    }
}

/// Declines every request, telling the user why on stderr.
#[derive(Debug, Clone, Copy)]
pub struct DecliningElicitor;

#[async_trait::async_trait]
impl Elicitor for DecliningElicitor {
    async fn elicit(&self, server_id: &str, params: ElicitRequestParams) -> ElicitResult {
        let message = match &params {
            ElicitRequestParams::FormElicitationParams { message, .. }
            | ElicitRequestParams::UrlElicitationParams { message, .. } => message.as_str(),
            _ => "",
        };
        eprintln!(
            "valechat: MCP server {server_id} asks for information (“{message}”), but there is no terminal to ask on: declined"
        );
        ElicitResult::new(ElicitationAction::Decline)
    }
}

/// Asks on the terminal.
#[derive(Debug, Clone, Copy)]
pub struct TerminalElicitor;

#[async_trait::async_trait]
impl Elicitor for TerminalElicitor {
    async fn elicit(&self, server_id: &str, params: ElicitRequestParams) -> ElicitResult {
        let request = match Elicitation::parse(params) {
            Ok(request) => request,
            Err(e) => {
                eprintln!("valechat: declined a request of MCP server {server_id}: {e}");
                return ElicitResult::new(ElicitationAction::Decline);
            }
        };
        let server = server_id.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut prompt = Prompt;
            match request {
                Elicitation::Form(form) => ask_form(&mut prompt, &server, &form),
                Elicitation::Url(url) => ask_url(&mut prompt, &server, &url),
            }
        })
        .await
        .unwrap_or_else(|_| ElicitResult::new(ElicitationAction::Cancel))
    }
}

/// Questions on stderr, answers from stdin.
struct Prompt;

impl Prompt {
    /// Prints `question` and reads one line; `None` at end of input.
    fn ask(&mut self, question: &str) -> Option<String> {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(question.as_bytes());
        let _ = err.flush();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim_end_matches(['\r', '\n']).to_owned()),
        }
    }
}

/// `[y]es / [d]ecline / [C]ancel`: `Ok` to go on, else the action to answer.
fn confirm(prompt: &mut Prompt, question: &str) -> Result<(), ElicitationAction> {
    match prompt
        .ask(question)
        .map(|a| a.trim().to_lowercase())
        .as_deref()
    {
        Some("y" | "yes") => Ok(()),
        Some("d" | "decline") => Err(ElicitationAction::Decline),
        _ => Err(ElicitationAction::Cancel),
    }
}

fn ask_form(prompt: &mut Prompt, server: &str, form: &ElicitationForm) -> ElicitResult {
    let question = format!(
        "\nMCP server {server} asks: {}\nAnswer? [y]es, [d]ecline, [C]ancel: ",
        form.message
    );
    if let Err(action) = confirm(prompt, &question) {
        return ElicitResult::new(action);
    }
    let mut values = Vec::with_capacity(form.fields.len());
    for field in &form.fields {
        match ask_field(prompt, field) {
            Some(value) => values.push(value),
            None => return ElicitResult::new(ElicitationAction::Cancel),
        }
    }
    form.accept(&values)
        .unwrap_or_else(|_| ElicitResult::new(ElicitationAction::Cancel))
}

/// Asks until the answer is valid; `None` at end of input.
fn ask_field(prompt: &mut Prompt, field: &Field) -> Option<FieldValue> {
    let initial = field.initial_value();
    let mut question = format!(
        "{}{}",
        field.title,
        if field.required { " (required)" } else { "" }
    );
    if let Some(description) = &field.description {
        question.push_str(&format!(" — {description}"));
    }
    question.push('\n');
    if let FieldKind::Choice { options, .. } | FieldKind::MultiChoice { options, .. } = &field.kind
    {
        for (i, option) in options.iter().enumerate() {
            question.push_str(&format!("  {}. {}\n", i + 1, option.title));
        }
    }
    question.push_str(&format!("{} [{}]: ", hint(&field.kind), shown(&initial)));
    loop {
        let answer = prompt.ask(&question)?;
        let value = if answer.trim().is_empty() {
            initial.clone()
        } else {
            parse_answer(&field.kind, answer.trim())
        };
        match field.validate(&value) {
            Ok(_) => return Some(value),
            Err(e) => eprintln!("  {e}"),
        }
    }
}

/// What kind of answer is expected.
fn hint(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::Boolean { .. } => "  yes or no",
        FieldKind::Choice { .. } => "  number or value",
        FieldKind::MultiChoice { .. } => "  numbers or values, comma-separated",
        _ => "  value",
    }
}

/// A value as the prompt shows it (the default in brackets).
fn shown(value: &FieldValue) -> String {
    match value {
        FieldValue::Text(text) => text.clone(),
        FieldValue::Bool(on) => if *on { "yes" } else { "no" }.to_owned(),
        FieldValue::Choice(choice) => choice.clone().unwrap_or_default(),
        FieldValue::Choices(choices) => choices.join(", "),
    }
}

/// The typed answer as a value of the field's kind (option numbers are
/// 1-based).
fn parse_answer(kind: &FieldKind, answer: &str) -> FieldValue {
    let option = |options: &[valechat_core::mcp::elicitation::Choice], word: &str| {
        word.parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| options.get(i))
            .map_or_else(|| word.to_owned(), |o| o.value.clone())
    };
    match kind {
        FieldKind::Boolean { .. } => FieldValue::Bool(matches!(
            answer.to_lowercase().as_str(),
            "y" | "yes" | "true" | "1"
        )),
        FieldKind::Choice { options, .. } => FieldValue::Choice(Some(option(options, answer))),
        FieldKind::MultiChoice { options, .. } => FieldValue::Choices(
            answer
                .split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(|w| option(options, w))
                .collect(),
        ),
        _ => FieldValue::Text(answer.to_owned()),
    }
}

fn ask_url(prompt: &mut Prompt, server: &str, url: &UrlElicitation) -> ElicitResult {
    let question = format!(
        "\nMCP server {server} asks you to open a page on {}: {}\n  {}\nOpen it in your browser, then answer. Done? [y]es, [d]ecline, [C]ancel: ",
        url.host, url.message, url.url
    );
    match confirm(prompt, &question) {
        Ok(()) => ElicitResult::new(ElicitationAction::Accept),
        Err(action) => ElicitResult::new(action),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use valechat_core::mcp::elicitation::Choice;

    fn options() -> Vec<Choice> {
        ["red", "green", "blue"]
            .iter()
            .map(|v| Choice {
                value: (*v).to_owned(),
                title: v.to_uppercase(),
            })
            .collect()
    }

    #[test]
    fn answers_become_values_of_the_field_kind() {
        let choice = FieldKind::Choice {
            options: options(),
            default: None,
        };
        assert_eq!(
            parse_answer(&choice, "2"),
            FieldValue::Choice(Some("green".into()))
        );
        assert_eq!(
            parse_answer(&choice, "blue"),
            FieldValue::Choice(Some("blue".into()))
        );
        let multi = FieldKind::MultiChoice {
            options: options(),
            min_items: None,
            max_items: None,
            default: vec![],
        };
        assert_eq!(
            parse_answer(&multi, "3, red"),
            FieldValue::Choices(vec!["blue".into(), "red".into()])
        );
        let boolean = FieldKind::Boolean { default: None };
        assert_eq!(parse_answer(&boolean, "Yes"), FieldValue::Bool(true));
        assert_eq!(parse_answer(&boolean, "n"), FieldValue::Bool(false));
    }
}
