//! Reads which top-level modules a Rust source file names in code: a small
//! tokenizer that drops comments (doc comments too) and string and
//! character literals, then follows `crate::…` paths, `crate::{…}` groups
//! and `super::` chains that climb to the crate root.

use std::collections::BTreeSet;

/// A token of Rust source, as far as paths are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Other,
}

/// Splits `source` into tokens, dropping comments and literals.
fn tokenize(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i = skip_block_comment(&chars, i);
        } else if c == '"' {
            i = skip_string(&chars, i + 1);
        } else if (c == 'r' || c == 'b') && starts_raw_string(&chars, i) {
            i = skip_raw_string(&chars, i);
        } else if c == 'b' && matches!(next, Some('"' | '\'')) {
            // A byte string or byte: the same as without the `b`.
            i += 1;
        } else if c == '\'' {
            i = skip_char_or_lifetime(&chars, i);
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c == ':' && next == Some(':') {
            tokens.push(Token::PathSep);
            i += 2;
        } else {
            tokens.push(match c {
                '{' => Token::Open,
                '}' => Token::Close,
                ',' => Token::Comma,
                _ => Token::Other,
            });
            i += 1;
        }
    }
    tokens
}

/// Index after the (possibly nested) block comment starting at `i`.
fn skip_block_comment(chars: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// Index after the string whose text starts at `i` (after its `"`).
fn skip_string(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// Whether `r"`, `r#"`, `br"` or `br#"` starts at `i`.
fn starts_raw_string(chars: &[char], i: usize) -> bool {
    let mut j = i;
    if chars[j] == 'b' {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return false;
    }
    j += 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    // Not part of a longer identifier (`for"`, `expr#`…).
    let after_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    chars.get(j) == Some(&'"') && !after_ident
}

/// Index after the raw string starting at `i`.
fn skip_raw_string(chars: &[char], mut i: usize) -> usize {
    while chars[i] != '#' && chars[i] != '"' {
        i += 1;
    }
    let mut hashes = 0;
    while chars[i] == '#' {
        hashes += 1;
        i += 1;
    }
    i += 1; // the opening quote
    while i < chars.len() {
        if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

/// Index after the character literal or lifetime starting at `i` (`'`).
fn skip_char_or_lifetime(chars: &[char], i: usize) -> usize {
    if chars.get(i + 1) == Some(&'\\') {
        // An escaped character (`'\''`, `'\u{1F600}'`): past the escaped
        // character, up to the closing quote.
        let mut j = i + 3;
        while j < chars.len() && chars[j] != '\'' {
            j += 1;
        }
        return j + 1;
    }
    if chars.get(i + 2) == Some(&'\'') {
        return i + 3; // 'x'
    }
    i + 1 // a lifetime: its name is read as an identifier next
}

/// The first segments of the paths in the group opening at `tokens[i]`
/// (`{a, b::c, d::{e}}` gives `a`, `b`, `d`), and the index after it.
fn group_heads(tokens: &[Token], mut i: usize) -> (Vec<String>, usize) {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut at_start = true;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Open => {
                depth += 1;
                at_start = depth == 1;
            }
            Token::Close => {
                depth -= 1;
                if depth == 0 {
                    return (heads, i + 1);
                }
            }
            Token::Comma => at_start = depth == 1,
            Token::Ident(name) if at_start => {
                if name != "self" {
                    heads.push(name.clone());
                }
                at_start = false;
            }
            _ => at_start = false,
        }
        i += 1;
    }
    (heads, i)
}

/// Top-level module names that the code in `source` refers to. `depth` is
/// how deep the file's module is: the number of path components under
/// `src/` (1 for `src/store.rs`, 2 for `src/store/usage.rs`), so that
/// `depth` times `super` (plus one per inline `mod` around) is the root.
pub fn references(source: &str, depth: usize) -> BTreeSet<String> {
    let tokens = tokenize(source);
    let mut found = BTreeSet::new();
    // Brace depths at which inline `mod name {` blocks opened.
    let mut inline_mods: Vec<usize> = Vec::new();
    let mut braces = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Open => braces += 1,
            Token::Close => {
                braces = braces.saturating_sub(1);
                if inline_mods.last() == Some(&braces) {
                    inline_mods.pop();
                }
            }
            Token::Ident(word) if word == "mod" => {
                if let (Some(Token::Ident(_)), Some(Token::Open)) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    inline_mods.push(braces);
                }
            }
            Token::Ident(word) if word == "crate" && tokens.get(i + 1) == Some(&Token::PathSep) => {
                i = after_root(&tokens, i + 2, &mut found);
                continue;
            }
            Token::Ident(word) if word == "super" && tokens.get(i + 1) == Some(&Token::PathSep) => {
                let mut climbs = 0;
                let mut j = i;
                while tokens.get(j) == Some(&Token::Ident("super".into()))
                    && tokens.get(j + 1) == Some(&Token::PathSep)
                {
                    climbs += 1;
                    j += 2;
                }
                if climbs >= depth + inline_mods.len() {
                    i = after_root(&tokens, j, &mut found);
                } else {
                    i = j;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Records what follows `crate::` (at `tokens[i]`) and returns the index to
/// go on from.
fn after_root(tokens: &[Token], i: usize, found: &mut BTreeSet<String>) -> usize {
    match tokens.get(i) {
        Some(Token::Ident(name)) => {
            found.insert(name.clone());
            i + 1
        }
        Some(Token::Open) => {
            let (heads, end) = group_heads(tokens, i);
            found.extend(heads);
            end
        }
        _ => i,
    }
}
