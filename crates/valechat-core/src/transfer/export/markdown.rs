//! Markdown export: one readable file per conversation holding its active
//! path (the branch shown), the title as heading, dates, the system prompt
//! and sampling parameters, and each reply's model and cost (the sum of its
//! usage records, USD).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::format::format_usd;
use crate::i18n::gettext_f;
use crate::model::archive::{ArchivedConversation, ArchivedMessage};

/// The messages of the active path of `c`, first to last: from the
/// active leaf up through the parents. Empty without an active leaf.
#[must_use]
pub fn active_path(c: &ArchivedConversation) -> Vec<&ArchivedMessage> {
    let by_key: HashMap<i64, &ArchivedMessage> = c.messages.iter().map(|m| (m.key, m)).collect();
    let mut path = Vec::new();
    let mut next = c.active_leaf;
    while let Some(key) = next {
        let Some(m) = by_key.get(&key) else { break };
        // A cycle cannot come from the store (a parent is written before
        // its child); the bound guards a hand-made archive.
        if path.len() > c.messages.len() {
            break;
        }
        path.push(*m);
        next = m.parent;
    }
    path.reverse();
    path
}

/// A file name for conversation `id` titled `title`:
/// `<id>-<title in lower case, letters and digits joined by dashes>.md`,
/// at most 60 characters of title.
#[must_use]
pub fn file_name(id: i64, title: &str) -> String {
    let mut slug = String::new();
    for ch in title.chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() {
            slug.push(ch);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.chars().count() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("{id}.md")
    } else {
        format!("{id}-{slug}.md")
    }
}

/// `c` as Markdown: `# title`, the dates, the system prompt and sampling
/// parameters when set, then one `##` section per message
/// of the active path (who wrote it, the model and cost of a reply, when),
/// with reasoning in a `<details>` block, tool calls and attachments named.
#[must_use]
pub fn markdown(c: &ArchivedConversation) -> String {
    let mut cost: HashMap<i64, Decimal> = HashMap::new();
    for u in &c.usage {
        if let (Some(key), Ok(usd)) = (u.message, Decimal::from_str(&u.cost_usd)) {
            *cost.entry(key).or_default() += usd;
        }
    }
    let mut out = format!("# {}\n\n", c.title.trim());
    out.push_str(&gettext_f(
        "Created {created}, last changed {updated}.",
        &[
            ("created", &utc(c.created_at)),
            ("updated", &utc(c.updated_at)),
        ],
    ));
    out.push('\n');
    if let Some(prompt) = c.system_prompt.as_deref().filter(|p| !p.trim().is_empty()) {
        let _ = write!(
            out,
            "\n> **{}** {}\n",
            gettext_f("System prompt:", &[]),
            prompt.trim().replace('\n', "\n> ")
        );
    }
    let sampling = sampling(c);
    if !sampling.is_empty() {
        let _ = write!(
            out,
            "\n> **{}** {}\n",
            gettext_f("Sampling:", &[]),
            sampling.join(", ")
        );
    }
    for m in active_path(c) {
        out.push_str("\n## ");
        out.push_str(&heading(m, cost.get(&m.key).copied()));
        out.push_str("\n\n");
        if !m.reasoning.trim().is_empty() {
            let _ = write!(
                out,
                "<details><summary>{}</summary>\n\n{}\n\n</details>\n\n",
                gettext_f("Reasoning", &[]),
                m.reasoning.trim()
            );
        }
        out.push_str(m.content.trim_end());
        out.push('\n');
        for a in &m.attachments {
            let _ = write!(
                out,
                "\n*{}*\n",
                gettext_f("Attached: {name}", &[("name", &a.name)])
            );
        }
        for call in &m.tool_calls {
            let _ = write!(
                out,
                "\n*{}*\n\n```json\n{}\n```\n",
                gettext_f("Tool call: {name}", &[("name", &call.name)]),
                call.arguments
            );
            if let Some(result) = call.result_for_model.as_ref().or(call.result.as_ref()) {
                let _ = write!(out, "\n```\n{result}\n```\n");
            }
        }
    }
    out
}

/// The sampling parameters set on `c`, each as `<name> <value>` with the
/// names of the conversation's settings (`Temperature 0.7`, `Top K 40`).
fn sampling(c: &ArchivedConversation) -> Vec<String> {
    let s = &c.sampling;
    let real = |v: Option<f64>| v.map(short);
    let whole = |v: Option<i64>| v.map(|n| n.to_string());
    [
        (gettext_f("Temperature", &[]), real(c.temperature)),
        (gettext_f("Top P", &[]), real(s.top_p)),
        (gettext_f("Top K", &[]), whole(s.top_k)),
        (gettext_f("Min P", &[]), real(s.min_p)),
        (gettext_f("Repeat Penalty", &[]), real(s.repeat_penalty)),
        (gettext_f("Seed", &[]), whole(s.seed)),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some(format!("{name} {}", value?)))
    .collect()
}

/// A setting as the user typed it: the store keeps an `f32` as a double
/// (0.7 as 0.699999988…), so the shortest text of that `f32` is shown.
fn short(v: f64) -> String {
    // Truncation is the point: these values were `f32`s in the settings.
    #[allow(clippy::cast_possible_truncation)]
    let single = v as f32;
    if f64::from(single).to_bits() == v.to_bits() {
        single.to_string()
    } else {
        v.to_string()
    }
}

/// `You, 2026-12-01 10:00 UTC` or `Assistant (gpt-4o, $0.0042), …`.
fn heading(m: &ArchivedMessage, cost: Option<Decimal>) -> String {
    let when = utc(m.created_at);
    match m.role.as_str() {
        "user" => gettext_f("You, {date}", &[("date", &when)]),
        "system" => gettext_f("System, {date}", &[("date", &when)]),
        _ => {
            let model = m
                .model
                .clone()
                .unwrap_or_else(|| gettext_f("unknown model", &[]));
            match cost {
                Some(usd) => gettext_f(
                    "Assistant ({model}, {cost}), {date}",
                    &[
                        ("model", &model),
                        ("cost", &format_usd(usd)),
                        ("date", &when),
                    ],
                ),
                None => gettext_f(
                    "Assistant ({model}), {date}",
                    &[("model", &model), ("date", &when)],
                ),
            }
        }
    }
}

/// UTC unix milliseconds as `YYYY-MM-DD HH:MM UTC`.
fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::{file_name, markdown, short};
    use crate::model::archive::{ArchivedConversation, ArchivedSampling};

    #[test]
    fn settings_show_as_typed() {
        assert_eq!(short(f64::from(0.7_f32)), "0.7");
        assert_eq!(short(1.0), "1");
        assert_eq!(short(0.123_456_789_012), "0.123456789012");
    }

    #[test]
    fn the_sampling_parameters_set_follow_the_system_prompt() {
        let mut c = ArchivedConversation {
            source: None,
            source_id: None,
            title: "T".to_owned(),
            provider_id: None,
            model: None,
            system_prompt: Some("Be brief.".to_owned()),
            temperature: None,
            max_output_tokens: None,
            sampling: ArchivedSampling::default(),
            mcp_servers: None,
            created_at: 0,
            updated_at: 0,
            active_leaf: None,
            archived: false,
            roots: Vec::new(),
            messages: Vec::new(),
            usage: Vec::new(),
        };
        assert!(!markdown(&c).contains("Sampling"));
        c.temperature = Some(f64::from(0.7_f32));
        c.sampling.top_k = Some(40);
        c.sampling.seed = Some(0);
        assert!(
            markdown(&c).contains(
                "> **System prompt:** Be brief.\n\n> **Sampling:** Temperature 0.7, Top K 40, Seed 0\n"
            ),
            "{}",
            markdown(&c)
        );
    }

    #[test]
    fn file_names_are_slugs_of_the_title() {
        assert_eq!(
            file_name(7, "Plans for: Rust & GTK!"),
            "7-plans-for-rust-gtk.md"
        );
        assert_eq!(file_name(3, "  ***  "), "3.md");
    }
}
