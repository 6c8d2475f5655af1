//! The "Workspace Folders" group of the conversation settings popover: the
//! conversation's folders (name, path as subtitle, a Remove button each)
//! and an "Add Folder…" button opening a folder chooser. MCP servers see
//! these folders as roots (`core::mcp::roots`).
//!
//! The group only shows and asks: adding or removing is reported to the
//! owner ([`WorkspaceFoldersOutput`]), which stores the change at once and
//! sends the new list back with [`WorkspaceFoldersInput::Show`].
//! GTK 4.8 has no `GtkFileDialog` (4.10), so the chooser is a
//! [`gtk::FileChooserNative`] in `SelectFolder` mode (a portal inside
//! Flatpak).

use std::path::PathBuf;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{Component, ComponentParts, ComponentSender, adw, gtk};

use crate::i18n::gettext_f;
use valechat_core::mcp::WorkspaceRoot;

/// State: the folders shown and the chooser while it is open.
#[derive(Debug, Default)]
pub struct WorkspaceFolders {
    folders: Vec<WorkspaceRoot>,
    /// The open folder chooser, kept alive until it answers.
    chooser: Option<gtk::FileChooserNative>,
}

/// Messages the group accepts.
#[derive(Debug)]
pub enum WorkspaceFoldersInput {
    /// Show these folders, in order.
    Show(Vec<WorkspaceRoot>),
    /// Open the folder chooser (the Add Folder… button).
    Choose,
    /// The chooser answered: `Some(folder)` or `None` (cancelled).
    Chosen(Option<PathBuf>),
    /// The Remove button of the folder at this path.
    Remove(PathBuf),
}

/// What the group asks its owner to do.
#[derive(Debug)]
pub enum WorkspaceFoldersOutput {
    /// Add this folder (absolute path) to the conversation.
    Add(PathBuf),
    /// Remove this folder from the conversation.
    Remove(PathBuf),
    /// The chooser closed (answered or cancelled): the popover may show
    /// itself again.
    ChooserClosed,
}

/// The group's widgets.
#[derive(Debug)]
pub struct WorkspaceFoldersWidgets {
    /// The rows shown, with their folder (`None`: the placeholder).
    rows: Vec<(Option<WorkspaceRoot>, adw::ActionRow)>,
}

impl Component for WorkspaceFolders {
    type CommandOutput = ();
    type Input = WorkspaceFoldersInput;
    type Output = WorkspaceFoldersOutput;
    type Init = ();
    type Root = adw::PreferencesGroup;
    type Widgets = WorkspaceFoldersWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesGroup::builder()
            .title(gettext("Workspace Folders"))
            .description(gettext("MCP servers can see these folders as roots"))
            .build()
    }

    fn init((): (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let add = gtk::Button::builder()
            .label(gettext("Add Folder…"))
            .tooltip_text(gettext("Add a folder MCP servers may see"))
            .valign(gtk::Align::Center)
            .css_classes(["flat"])
            .build();
        let input = sender.input_sender().clone();
        add.connect_clicked(move |_| input.emit(WorkspaceFoldersInput::Choose));
        root.set_header_suffix(Some(&add));
        let mut widgets = WorkspaceFoldersWidgets { rows: Vec::new() };
        let model = Self::default();
        show(&root, &mut widgets, &model.folders, &sender);
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            WorkspaceFoldersInput::Show(folders) => {
                self.folders = folders;
                show(root, widgets, &self.folders, &sender);
            }
            WorkspaceFoldersInput::Choose => {
                let parent = root.root().and_downcast::<gtk::Window>();
                self.chooser = Some(choose_folder(
                    parent.as_ref(),
                    sender.input_sender().clone(),
                ));
            }
            WorkspaceFoldersInput::Chosen(path) => {
                if let Some(chooser) = self.chooser.take() {
                    chooser.destroy();
                }
                if let Some(path) = path {
                    let _ = sender.output(WorkspaceFoldersOutput::Add(path));
                }
                let _ = sender.output(WorkspaceFoldersOutput::ChooserClosed);
            }
            WorkspaceFoldersInput::Remove(path) => {
                let _ = sender.output(WorkspaceFoldersOutput::Remove(path));
            }
        }
    }
}

/// Shows `folders`: rows of folders already shown in the same place are
/// kept (fewer widgets destroyed under the accessibility bus), the rest
/// are rebuilt; a placeholder row stands in for an empty list.
fn show(
    group: &adw::PreferencesGroup,
    widgets: &mut WorkspaceFoldersWidgets,
    folders: &[WorkspaceRoot],
    sender: &ComponentSender<WorkspaceFolders>,
) {
    let kept = widgets
        .rows
        .iter()
        .zip(folders)
        .take_while(|((shown, _), folder)| shown.as_ref() == Some(*folder))
        .count();
    for (_, row) in widgets.rows.drain(kept..) {
        group.remove(&row);
    }
    if folders.is_empty() {
        let empty = adw::ActionRow::builder()
            .title(gettext("No folders"))
            .css_classes(["dim-label"])
            .build();
        group.add(&empty);
        widgets.rows.push((None, empty));
        return;
    }
    for folder in &folders[kept..] {
        let row = folder_row(folder, sender);
        group.add(&row);
        widgets.rows.push((Some(folder.clone()), row));
    }
}

/// A row for `folder`: name, path, and a Remove button named after it.
fn folder_row(
    folder: &WorkspaceRoot,
    sender: &ComponentSender<WorkspaceFolders>,
) -> adw::ActionRow {
    let row = adw::ActionRow::builder()
        .title(glib_escape(&folder.name))
        .subtitle(glib_escape(&folder.path.to_string_lossy()))
        .build();
    let label = gettext_f("Remove “{folder}”", &[("folder", &folder.name)]);
    let remove: gtk::Button = crate::ui::a11y::labelled("GtkButton", &label).unwrap_or_default();
    remove.set_icon_name("user-trash-symbolic");
    remove.set_tooltip_text(Some(&label));
    remove.set_valign(gtk::Align::Center);
    remove.add_css_class("flat");
    let path = folder.path.clone();
    let input = sender.input_sender().clone();
    remove.connect_clicked(move |_| input.emit(WorkspaceFoldersInput::Remove(path.clone())));
    row.add_suffix(&remove);
    row
}

/// Row titles and subtitles are Pango markup in libadwaita 1.2.
fn glib_escape(text: &str) -> String {
    relm4::gtk::glib::markup_escape_text(text).to_string()
}

/// Opens a folder chooser over `parent`; the answer comes back as
/// [`WorkspaceFoldersInput::Chosen`]. Keep the returned dialog alive until
/// it answers.
fn choose_folder(
    parent: Option<&gtk::Window>,
    sender: relm4::Sender<WorkspaceFoldersInput>,
) -> gtk::FileChooserNative {
    let chooser = gtk::FileChooserNative::new(
        Some(&gettext("Add Workspace Folder")),
        parent,
        gtk::FileChooserAction::SelectFolder,
        Some(&gettext("_Add")),
        Some(&gettext("_Cancel")),
    );
    chooser.set_modal(true);
    chooser.connect_response(move |chooser, response| {
        let path = (response == gtk::ResponseType::Accept)
            .then(|| chooser.file().and_then(|file| file.path()))
            .flatten();
        sender.emit(WorkspaceFoldersInput::Chosen(path));
    });
    chooser.show();
    chooser
}
