//! The widget of a fenced code block: a header row with the language name and
//! a Copy button, above a read-only GtkSourceView with syntax highlighting.
//!
//! The language comes from the fence's info string through
//! [`language_id`] and `sourceview5::LanguageManager`; the style scheme
//! follows libadwaita's dark/light state ("Adwaita" / "Adwaita-dark", falling
//! back to "classic" / "oblivion").

use std::time::Duration;

use relm4::adw;
use relm4::gtk::{self, glib, prelude::*};
use sourceview5::prelude::*;

/// How long the Copy button shows a check mark after copying.
const COPIED_FEEDBACK: Duration = Duration::from_millis(1500);

/// Maps a fence info word (` ```py `) to a GtkSourceView 5 language id.
///
/// Common aliases are mapped (`js`, `ts`, `py`, `rs`, `sh`/`bash`/`shell`,
/// `c++`, `yml`, …); anything else is returned lowercased, which is already
/// the id for most languages (`rust`, `go`, `json`, `toml`).
pub fn language_id(tag: &str) -> String {
    let lower = tag.trim().to_lowercase();
    let id = match lower.as_str() {
        "js" | "javascript" | "mjs" | "cjs" | "node" => "js",
        "jsx" => "jsx",
        "ts" | "typescript" | "mts" | "cts" => "typescript",
        "tsx" => "typescript-jsx",
        "py" | "python" | "python3" | "py3" => "python3",
        "python2" | "py2" => "python",
        "rs" => "rust",
        "sh" | "bash" | "shell" | "zsh" | "ksh" | "console" | "shellsession" => "sh",
        "c++" | "cpp" | "cxx" | "cc" | "hpp" => "cpp",
        "h" => "c",
        "cs" | "csharp" | "c#" => "c-sharp",
        "yml" | "yaml" => "yaml",
        "md" | "markdown" => "markdown",
        "jsonc" | "json5" => "json",
        "htm" | "html" | "xhtml" => "html",
        "golang" => "go",
        "rb" => "ruby",
        "kt" | "kts" => "kotlin",
        "dockerfile" | "containerfile" => "docker",
        "make" | "mk" => "makefile",
        "hs" => "haskell",
        "ps1" | "pwsh" => "powershell",
        "tex" => "latex",
        "patch" => "diff",
        "objective-c" | "objectivec" | "m" => "objc",
        "pl" => "perl",
        "proto" => "protobuf",
        "tf" | "hcl" => "terraform",
        "vb" => "vbnet",
        other => other,
    };
    id.to_owned()
}

/// The source view scheme for the current style, if one is installed.
fn style_scheme(dark: bool) -> Option<sourceview5::StyleScheme> {
    let manager = sourceview5::StyleSchemeManager::default();
    let (preferred, fallback) = if dark {
        ("Adwaita-dark", "oblivion")
    } else {
        ("Adwaita", "classic")
    };
    manager
        .scheme(preferred)
        .or_else(|| manager.scheme(fallback))
}

/// A read-only, highlighted code block with a Copy button.
#[derive(Debug)]
pub struct CodeBlock {
    root: gtk::Box,
    title: gtk::Label,
    buffer: sourceview5::Buffer,
    /// The fence's language word as given, to skip needless updates.
    language: Option<String>,
    /// The text in the buffer, to append instead of replacing while streaming.
    text: String,
}

impl CodeBlock {
    /// A code block showing `text`, highlighted as `language` (a fence info
    /// word such as `rust` or `py`; `None` or an unknown one: no highlighting).
    pub fn new(language: Option<&str>, text: &str) -> Self {
        let buffer = sourceview5::Buffer::new(None);
        buffer.set_highlight_syntax(true);
        if adw::is_initialized() {
            adw::StyleManager::default()
                .bind_property("dark", &buffer, "style-scheme")
                .transform_to(|_, dark: bool| Some(style_scheme(dark)))
                .sync_create()
                .build();
        } else {
            buffer.set_style_scheme(style_scheme(false).as_ref());
        }

        let view = sourceview5::View::with_buffer(&buffer);
        view.set_editable(false);
        view.set_cursor_visible(false);
        view.set_monospace(true);
        view.set_show_line_numbers(false);
        // Long lines wrap (at characters when a word is too long) rather
        // than scroll sideways: a scrolled window inside the conversation
        // took the mouse wheel from it and cut long lines without a hint
        // (issue 18, bug 6).
        view.set_wrap_mode(gtk::WrapMode::WordChar);
        view.set_top_margin(6);
        view.set_bottom_margin(6);
        view.set_left_margin(8);
        view.set_right_margin(8);

        settle_height(&view);

        let title = gtk::Label::builder()
            .xalign(0.0)
            .hexpand(true)
            .margin_start(8)
            .css_classes(["caption", "dim-label"])
            .build();
        let copy = copy_button(&buffer);
        let header = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        header.add_css_class("md-code-header");
        header.append(&title);
        header.append(&copy);

        let root = gtk::Box::new(gtk::Orientation::Vertical, 0);
        root.add_css_class("md-code");
        root.add_css_class("card");
        root.append(&header);
        root.append(&view);

        let mut block = Self {
            root,
            title,
            buffer,
            language: None,
            text: String::new(),
        };
        block.apply_language(language);
        block.set_text(text);
        block
    }

    /// The block's top-level widget.
    pub fn widget(&self) -> &gtk::Box {
        &self.root
    }

    /// The buffer holding the code, with its language and style scheme.
    pub fn buffer(&self) -> &sourceview5::Buffer {
        &self.buffer
    }

    /// Changes the highlighting language (a fence info word) if it differs.
    pub fn set_language(&mut self, language: Option<&str>) {
        if self.language.as_deref() != language {
            self.apply_language(language);
        }
    }

    fn apply_language(&mut self, language: Option<&str>) {
        let found = language
            .and_then(|tag| sourceview5::LanguageManager::default().language(&language_id(tag)));
        let name = match (&found, language) {
            (Some(found), _) => found.name().to_string(),
            (None, Some(tag)) => tag.to_owned(),
            (None, None) => String::new(),
        };
        self.buffer.set_language(found.as_ref());
        self.title.set_text(&name);
        self.language = language.map(str::to_owned);
    }

    /// Shows `text`. When it only extends the current text (a streaming
    /// reply), the new part is appended so highlighting is not redone.
    pub fn set_text(&mut self, text: &str) {
        if text == self.text {
            return;
        }
        match text.strip_prefix(self.text.as_str()) {
            Some(tail) => self.buffer.insert(&mut self.buffer.end_iter(), tail),
            None => self.buffer.set_text(text),
        }
        self.text = text.to_owned();
    }
}

/// The Copy button: copies the buffer to the clipboard and shows a check mark
/// for [`COPIED_FEEDBACK`].
fn copy_button(buffer: &sourceview5::Buffer) -> gtk::Button {
    let text = gettextrs::gettext("Copy code");
    let label = glib::markup_escape_text(&text);
    // gtk-rs wraps gtk_accessible_update_property only for GTK 4.10; a
    // builder definition sets the accessible label on GTK 4.8 too. The
    // template is constant and the label escaped, so it always parses.
    let ui = format!(
        "<interface><object class=\"GtkButton\" id=\"copy\">\
         <property name=\"icon-name\">edit-copy-symbolic</property>\
         <property name=\"tooltip-text\">{label}</property>\
         <property name=\"valign\">center</property>\
         <style><class name=\"flat\"/></style>\
         <accessibility><property name=\"label\">{label}</property></accessibility>\
         </object></interface>"
    );
    let button = gtk::Builder::from_string(&ui)
        .object::<gtk::Button>("copy")
        .unwrap_or_else(|| {
            gtk::Button::builder()
                .icon_name("edit-copy-symbolic")
                .tooltip_text(text.as_str())
                .build()
        });
    button.connect_clicked(glib::clone!(
        #[weak]
        buffer,
        move |button| {
            let (start, end) = buffer.bounds();
            button
                .clipboard()
                .set_text(&buffer.text(&start, &end, false));
            button.set_icon_name("object-select-symbolic");
            glib::timeout_add_local_once(
                COPIED_FEEDBACK,
                glib::clone!(
                    #[weak]
                    button,
                    move || button.set_icon_name("edit-copy-symbolic")
                ),
            );
        }
    ));
    button
}

/// Frames to wait at most for a mapped view's height to settle.
const SETTLE_FRAMES: u32 = 60;

/// Works around GTK 4.8 leaving a text view that was filled before it was
/// mapped at 0 px high: its lines are laid out only after the first frame,
/// and no resize reaches the containers above. After mapping, each frame
/// compares the height the view needs with the one it got and asks for a
/// new layout until they agree (at most [`SETTLE_FRAMES`] frames).
fn settle_height(view: &sourceview5::View) {
    view.connect_map(move |view| {
        let frames = std::cell::Cell::new(0_u32);
        view.add_tick_callback(move |view, _| {
            frames.set(frames.get() + 1);
            let (needed, _, _, _) = view.measure(gtk::Orientation::Vertical, view.width());
            if needed > 0 && view.height() >= needed || frames.get() > SETTLE_FRAMES {
                return glib::ControlFlow::Break;
            }
            view.queue_resize();
            glib::ControlFlow::Continue
        });
    });
}

#[cfg(test)]
mod tests {
    use super::language_id;

    #[test]
    fn fence_aliases_map_to_sourceview_ids() {
        for (tag, id) in [
            ("js", "js"),
            ("ts", "typescript"),
            ("py", "python3"),
            ("Python", "python3"),
            ("rs", "rust"),
            ("rust", "rust"),
            ("bash", "sh"),
            ("shell", "sh"),
            ("c++", "cpp"),
            ("yml", "yaml"),
            ("golang", "go"),
            ("toml", "toml"),
        ] {
            assert_eq!(language_id(tag), id, "alias {tag}");
        }
    }
}
