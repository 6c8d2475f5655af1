//! A minimal Pango markup validator for the parser tests: tag balance,
//! known tags, quoted attributes and escaping, as GMarkup and GtkLabel
//! check them.

/// Accepts what GMarkup + GtkLabel accept from us: tags from Pango's inline
/// set plus `<a href>`, properly nested; attributes double-quoted; no raw
/// `<` or `>` in text; every `&` starting an entity.
pub(super) fn validate(markup: &str) -> Result<(), String> {
    const TAGS: [&str; 8] = ["b", "i", "s", "tt", "a", "span", "sup", "sub"];
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = markup;
    while let Some(pos) = rest.find(['<', '>', '&']) {
        let (text, tail) = rest.split_at(pos);
        check_text(text)?;
        if tail.starts_with('>') {
            return Err(format!("raw '>' in {markup:?}"));
        }
        if tail.starts_with('&') {
            let end = entity_len(tail).ok_or_else(|| format!("bad entity in {markup:?}"))?;
            rest = &tail[end..];
            continue;
        }
        let close = tail
            .find('>')
            .ok_or_else(|| format!("unclosed tag in {markup:?}"))?;
        let tag = &tail[1..close];
        rest = &tail[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            if stack.pop() != Some(name) {
                return Err(format!("unbalanced </{name}> in {markup:?}"));
            }
            continue;
        }
        let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        if !TAGS.contains(&name) {
            return Err(format!("unknown tag <{name}> in {markup:?}"));
        }
        if name == "a" && stack.contains(&"a") {
            return Err(format!("nested link in {markup:?}"));
        }
        check_attrs(attrs).map_err(|e| format!("{e} in {markup:?}"))?;
        stack.push(name);
    }
    check_text(rest)?;
    match stack.last() {
        Some(open) => Err(format!("<{open}> left open in {markup:?}")),
        None => Ok(()),
    }
}

fn check_text(text: &str) -> Result<(), String> {
    match text
        .chars()
        .find(|c| *c == '\0' || (c.is_control() && !"\t\n\r".contains(*c)))
    {
        Some(c) => Err(format!("raw control character {c:?}")),
        None => Ok(()),
    }
}

/// The length of the entity `text` starts with, if it is one GMarkup knows.
fn entity_len(text: &str) -> Option<usize> {
    let end = text.find(';')?;
    let body = &text[1..end];
    let known = ["amp", "lt", "gt", "quot", "apos"].contains(&body)
        || body
            .strip_prefix("#x")
            .is_some_and(|hex| !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()))
        || body
            .strip_prefix('#')
            .is_some_and(|dec| !dec.is_empty() && dec.chars().all(|c| c.is_ascii_digit()));
    known.then_some(end + 1)
}

fn check_attrs(mut attrs: &str) -> Result<(), String> {
    while !attrs.is_empty() {
        let (name, value) = attrs
            .split_once("=\"")
            .ok_or_else(|| format!("attribute without a quoted value: {attrs:?}"))?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
            return Err(format!("bad attribute name {name:?}"));
        }
        let end = value
            .find('"')
            .ok_or_else(|| "unterminated attribute".to_owned())?;
        let value_text = &value[..end];
        if value_text.contains('<') {
            return Err("'<' in attribute".to_owned());
        }
        let mut value_rest = value_text;
        while let Some(amp) = value_rest.find('&') {
            let len = entity_len(&value_rest[amp..]).ok_or("bad entity in attribute")?;
            value_rest = &value_rest[amp + len..];
        }
        attrs = value[end + 1..].trim_start();
    }
    Ok(())
}

#[test]
fn the_validator_rejects_broken_markup() {
    for bad in [
        "<b>x",
        "x</b>",
        "<b><i>x</b></i>",
        "a & b",
        "a < b",
        "<q>x</q>",
        "<a href=x>y</a>",
    ] {
        assert!(validate(bad).is_err(), "{bad:?} should be rejected");
    }
    assert!(validate("<a href=\"x&amp;y\">&lt;z&gt; &#x1;</a>").is_ok());
}
