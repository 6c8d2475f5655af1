//! Export… and Export All…: a native save dialog (portal-aware
//! `gtk::FileChooserNative`) with a Format choice, then
//! [`valechat_core::transfer::export`] off the main loop.
//!
//! Markdown is one readable file per conversation (the branch shown):
//! one conversation is written to the file chosen, several into the folder
//! of the name chosen (created). ValeChat JSON is one lossless file.

use std::path::{Path, PathBuf};

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use crate::i18n::{gettext_f, ngettext_f};
use valechat_core::store::Store;
use valechat_core::transfer::export::{export_json, export_markdown};

/// What an export writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One conversation: its id and its title as the sidebar shows it.
    One(i64, String),
    /// The conversations filed in a folder: its id and name.
    Folder(i64, String),
    /// Every conversation in the store.
    All,
}

/// The two export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown, one file per conversation.
    Markdown,
    /// ValeChat JSON (`data/schema/valechat-export-2.json`; version 1 files still import).
    Json,
}

impl Format {
    const ALL: [Self; 2] = [Self::Markdown, Self::Json];

    fn id(self) -> &'static str {
        match self {
            Self::Markdown => "md",
            Self::Json => "json",
        }
    }

    fn label(self) -> String {
        match self {
            Self::Markdown => gettext("Markdown"),
            Self::Json => gettext("ValeChat JSON (complete)"),
        }
    }
}

/// Most characters of a title kept in the file name proposed.
const NAME_CHARS: usize = 60;

/// The file name proposed for `scope` (before the format is chosen).
fn proposed_name(scope: &Scope) -> String {
    match scope {
        Scope::One(_, title) | Scope::Folder(_, title) => {
            let clean: String = title
                .chars()
                .map(|c| if c == '/' || c.is_control() { ' ' } else { c })
                .take(NAME_CHARS)
                .collect();
            let clean = clean.trim();
            let extension = if matches!(scope, Scope::One(..)) {
                "md"
            } else {
                "json"
            };
            if clean.is_empty() {
                format!("{}.{extension}", gettext("Conversation"))
            } else {
                format!("{clean}.{extension}")
            }
        }
        Scope::All => format!("{}.json", gettext("ValeChat Conversations")),
    }
}

/// The path to write for the name chosen: `.json` for JSON, `.md` for one
/// conversation in Markdown, and for several in Markdown a folder (the name
/// without `.json` or `.md`).
fn target_path(chosen: PathBuf, scope: &Scope, format: Format) -> PathBuf {
    let extension = chosen
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bare = || match extension.as_deref() {
        Some("json" | "md") => chosen.with_extension(""),
        _ => chosen.clone(),
    };
    let with = |suffix: &str| {
        let mut name = bare().into_os_string();
        name.push(suffix);
        PathBuf::from(name)
    };
    match (format, scope) {
        (Format::Json, _) if extension.as_deref() == Some("json") => chosen,
        (Format::Json, _) => with(".json"),
        (Format::Markdown, Scope::One(..)) if extension.as_deref() == Some("md") => chosen,
        (Format::Markdown, Scope::One(..)) => with(".md"),
        (Format::Markdown, Scope::Folder(..) | Scope::All) => bare(),
    }
}

/// Opens the save dialog over `parent` for `scope`; `chosen` receives the
/// path to write (see [`target_path`]) and the format when the person
/// accepts. The returned dialog must be kept alive until it answers.
pub fn ask(
    parent: &impl IsA<gtk::Window>,
    scope: Scope,
    chosen: impl Fn(PathBuf, Format) + 'static,
) -> gtk::FileChooserNative {
    let title = match &scope {
        Scope::One(..) => gettext("Export Conversation"),
        Scope::Folder(..) => gettext("Export Folder"),
        Scope::All => gettext("Export All Conversations"),
    };
    let dialog = gtk::FileChooserNative::new(
        Some(&title),
        Some(parent),
        gtk::FileChooserAction::Save,
        Some(&gettext("_Export")),
        Some(&gettext("_Cancel")),
    );
    dialog.set_modal(true);
    dialog.set_current_name(&proposed_name(&scope));
    let default = match scope {
        Scope::One(..) => Format::Markdown,
        Scope::Folder(..) | Scope::All => Format::Json,
    };
    // The default first: GTK 4.8's fallback dialog (no portal) shows the
    // first option whatever `set_choice` asked for.
    let mut formats = Format::ALL;
    formats.sort_by_key(|f| *f != default);
    let labels: Vec<String> = formats.iter().map(|f| f.label()).collect();
    let options: Vec<(&str, &str)> = formats
        .iter()
        .zip(&labels)
        .map(|(f, l)| (f.id(), l.as_str()))
        .collect();
    dialog.add_choice("format", gettext("Format"), &options);
    dialog.set_choice("format", default.id());
    dialog.connect_response(move |dialog, response| {
        if response != gtk::ResponseType::Accept {
            return;
        }
        let format = dialog
            .choice("format")
            .and_then(|id| Format::ALL.into_iter().find(|f| f.id() == id.as_str()))
            .unwrap_or(default);
        if let Some(path) = dialog.file().and_then(|f| f.path()) {
            chosen(target_path(path, &scope, format), format);
        }
    });
    dialog.show();
    dialog
}

/// Writes `scope` to `path` in `format`; returns the sentence to show
/// ("Exported 12 conversations to “Backup.json”").
///
/// # Errors
/// The export's message for people (it names the file and what failed).
pub async fn run(
    store: Store,
    scope: Scope,
    format: Format,
    path: PathBuf,
) -> Result<String, String> {
    let ids = match scope {
        Scope::One(id, _) => vec![id],
        Scope::Folder(id, _) => store
            .folder_conversation_ids(id)
            .await
            .map_err(|e| e.to_string())?,
        Scope::All => store.conversation_ids().await.map_err(|e| e.to_string())?,
    };
    let written = match format {
        Format::Json => export_json(&store, &ids, &path).await,
        Format::Markdown => export_markdown(&store, &ids, &path)
            .await
            .map(|files| files.len()),
    }
    .map_err(|e| e.to_string())?;
    Ok(exported_sentence(written, &path))
}

/// "Exported 1 conversation to “a.md”".
fn exported_sentence(count: usize, path: &Path) -> String {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let n = u32::try_from(count).unwrap_or(u32::MAX);
    ngettext_f(
        "Exported {count} conversation to “{file}”",
        "Exported {count} conversations to “{file}”",
        n,
        &[("count", &count.to_string()), ("file", &name)],
    )
}

/// The toast for an export that failed.
#[must_use]
pub fn failed_sentence(reason: &str) -> String {
    gettext_f("Could not export: {reason}", &[("reason", reason)])
}

#[cfg(test)]
mod tests {
    use super::{Format, Scope, proposed_name, target_path};
    use std::path::PathBuf;

    #[test]
    fn the_path_gets_the_format_s_extension_or_becomes_a_folder() {
        let one = Scope::One(1, "Trip / plans".into());
        assert_eq!(proposed_name(&one), "Trip   plans.md");
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            target_path(p("/t/a.md"), &one, Format::Markdown),
            p("/t/a.md")
        );
        assert_eq!(
            target_path(p("/t/a.md"), &one, Format::Json),
            p("/t/a.json")
        );
        assert_eq!(target_path(p("/t/a"), &one, Format::Markdown), p("/t/a.md"));
        assert_eq!(
            target_path(p("/t/b.json"), &Scope::All, Format::Json),
            p("/t/b.json")
        );
        assert_eq!(
            target_path(p("/t/b.json"), &Scope::All, Format::Markdown),
            p("/t/b")
        );
        assert_eq!(
            target_path(p("/t/b.v2"), &Scope::All, Format::Json),
            p("/t/b.v2.json")
        );
    }
}
