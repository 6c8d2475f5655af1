//! The MCP Servers window (main menu → MCP Servers, `win.show-servers`):
//! every configured server with its live state, and pages to see one
//! server's details, add or edit a server, and import servers from other
//! apps.
//!
//! ```text
//! adw::Window
//! └─ gtk::Box
//!    ├─ adw::HeaderBar (Back | title | Add, Import…, Save)
//!    └─ adw::ToastOverlay └─ gtk::Stack
//!       ├─ "list"    adw::StatusPage (none yet) or boxed list of ServerRow (row.rs)
//!       ├─ "details" DetailsView: state, tools, always-allowed tools, log (details.rs)
//!       ├─ "edit"    Editor (editor.rs, checked by form.rs; sandbox groups: sandbox.rs)
//!       └─ "import"  Importer (importer.rs)
//! ```
//!
//! A window of its own rather than a Preferences page: servers have a
//! live state, a log that scrolls while they run, and tools to inspect,
//! which people keep open next to the conversation (like GNOME Builder's
//! and Boxes' own windows), while Preferences stays modal.
//!
//! States (from [`McpServers::subscribe`]) and the shown server's log are
//! followed by a worker of the window (`watch.rs`); every store or registry
//! call runs as a command (`actions.rs`). Inputs are answered in
//! `update.rs`, the commands' results and what the watcher sees in
//! `results.rs`; the dialogs are in `dialogs.rs`.

pub mod actions;
mod details;
mod dialogs;
mod editor;
pub mod form;
mod importer;
mod results;
mod row;
mod sandbox;
mod update;
mod watch;

use std::collections::BTreeMap;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use valechat_core::chat::Engine;
use valechat_core::mcp::{McpServers, ServerConfig, ServerState};

/// Which page is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The list of servers.
    List,
    /// One server's details, by id.
    Details(String),
    /// The Add (`None`) or Edit (`Some(id)`) form.
    Edit(Option<String>),
    /// Import from other apps.
    Import,
}

/// The window's state.
pub struct Servers {
    engine: Engine,
    servers: McpServers,
    configs: Vec<ServerConfig>,
    states: BTreeMap<String, ServerState>,
    page: Page,
    rows: Vec<(String, row::ServerRow)>,
    /// Stops following the details page's log.
    /// Follows the servers' states and the shown server's log.
    watch: relm4::WorkerController<watch::ServerWatch>,
    /// A save or import is running.
    busy: bool,
}

impl std::fmt::Debug for Servers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Servers")
            .field("page", &self.page)
            .finish_non_exhaustive()
    }
}

/// What the window is asked to do.
#[derive(Debug)]
pub enum ServersInput {
    /// Reload and bring the window up.
    Show,
    /// Go back to the list.
    Back,
    /// What the watcher saw (a state change, log lines).
    Watched(watch::WatchOutput),
    /// Escape: back to the list from another page, else close the window.
    Escape,
    /// Show the Add Server form.
    ShowAdd,
    /// Show the Edit form of server `id`.
    ShowEdit(String),
    /// Show the Import page (runs discovery).
    ShowImport,
    /// Show the details of server `id`.
    ShowDetails(String),
    /// Check and store the form.
    Save,
    /// The form's transport changed.
    TransportChanged,
    /// Enable or disable server `id`.
    SetEnabled(String, bool),
    /// Restart server `id`.
    Restart(String),
    /// Ask before removing server `id`.
    AskRemove(String),
    /// Remove server `id` (confirmed).
    Remove(String),
    /// Revoke "Always allow" of a tool of the server in the details page.
    Revoke(String),
    /// Forget the OAuth tokens of the server in the details page.
    SignOut,
    /// Open a folder chooser for the form's working folder.
    ChooseFolder,
    /// The folder chooser picked this folder.
    FolderChosen(String),
    /// Open a file chooser for a JSON file to import from.
    ChooseImportFile,
    /// Import the ticked servers.
    Import,
}

/// Results of background work.
#[derive(Debug)]
pub enum ServersCommand {
    /// The stored servers.
    Configs(Result<Vec<ServerConfig>, String>),
    /// Tools and permissions of server `id`.
    Details(String, Result<actions::Details, String>),
    /// The form was stored.
    Saved(Result<ServerConfig, String>),
    /// A change was stored (`Err`: why not); reload.
    Changed(Result<(), String>),
    /// Servers offered for import, and notes.
    Candidates(Vec<actions::Candidate>, Vec<String>),
    /// How many servers were imported.
    Imported(Result<usize, String>),
    /// Whether the sandbox can be used, or why not.
    Sandbox(Result<(), String>),
}

/// Widgets the window updates.
#[derive(Debug)]
pub struct ServersWidgets {
    title: adw::WindowTitle,
    back: gtk::Button,
    add: gtk::Button,
    import: gtk::Button,
    save: gtk::Button,
    toasts: adw::ToastOverlay,
    stack: gtk::Stack,
    list: gtk::ListBox,
    details: details::DetailsView,
    editor: editor::Editor,
    importer: importer::Importer,
}

impl Component for Servers {
    type CommandOutput = ServersCommand;
    type Input = ServersInput;
    type Output = ();
    type Init = (Engine, McpServers);
    type Root = adw::Window;
    type Widgets = ServersWidgets;

    fn init_root() -> Self::Root {
        adw::Window::builder()
            .title(gettext("MCP Servers"))
            .default_width(720)
            .default_height(680)
            .build()
    }

    fn init(
        (engine, servers): Self::Init,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let widgets = build(&root, &sender);
        update::connect_escape(&root, &sender);
        let watch = watch::ServerWatch::builder()
            .detach_worker(servers.clone())
            .forward(sender.input_sender(), ServersInput::Watched);
        sender.spawn_oneshot_command(|| ServersCommand::Sandbox(sandbox::check()));
        let model = Servers {
            engine,
            servers,
            configs: Vec::new(),
            states: BTreeMap::new(),
            page: Page::List,
            rows: Vec::new(),
            watch,
            busy: false,
        };
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        self.handle_input(widgets, message, &sender, root);
        self.render(widgets);
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        self.handle_command(widgets, message, &sender);
        self.render(widgets);
    }
}

fn header_button(label: &str, icon: Option<&str>) -> gtk::Button {
    let button = crate::ui::a11y::labelled::<gtk::Button>("GtkButton", label).unwrap_or_default();
    match icon {
        Some(icon) => {
            button.set_icon_name(icon);
            button.set_tooltip_text(Some(label));
        }
        None => button.set_label(label),
    }
    button
}

/// Builds the window's widget tree.
fn build(root: &adw::Window, sender: &ComponentSender<Servers>) -> ServersWidgets {
    let title = adw::WindowTitle::new(&gettext("MCP Servers"), "");
    let header = adw::HeaderBar::builder().title_widget(&title).build();
    let back = header_button(&gettext("Back"), Some("go-previous-symbolic"));
    let add = header_button(&gettext("Add Server"), Some("list-add-symbolic"));
    let import = header_button(&gettext("Import…"), None);
    let save = header_button(&gettext("Save"), None);
    save.add_css_class("suggested-action");
    for (button, input) in [
        (&back, (|| ServersInput::Back) as fn() -> ServersInput),
        (&add, || ServersInput::ShowAdd),
        (&import, || ServersInput::ShowImport),
        (&save, || ServersInput::Save),
    ] {
        let s = sender.clone();
        button.connect_clicked(move |_| s.input(input()));
    }
    header.pack_start(&back);
    header.pack_end(&add);
    header.pack_end(&import);
    header.pack_end(&save);

    let list = gtk::ListBox::builder()
        .selection_mode(gtk::SelectionMode::None)
        .css_classes(["boxed-list"])
        .build();
    let group = adw::PreferencesGroup::builder()
        .title(gettext("Servers"))
        .description(gettext(
            "Enabled servers start with ValeChat; their tools are offered to models, and every call asks first.",
        ))
        .valign(gtk::Align::Start)
        .margin_top(18)
        .margin_bottom(18)
        .margin_start(12)
        .margin_end(12)
        .build();
    group.add(&list);
    let list_page = gtk::ScrolledWindow::builder()
        .hscrollbar_policy(gtk::PolicyType::Never)
        .child(
            &adw::Clamp::builder()
                .maximum_size(760)
                .child(&group)
                .build(),
        )
        .build();
    let empty = adw::StatusPage::builder()
        .icon_name("network-server-symbolic")
        .title(gettext("No MCP Servers"))
        .description(gettext(
            "MCP servers give models tools, resources and prompts. Add one, or import those of other apps.",
        ))
        .build();
    let details = details::DetailsView::new(sender);
    let editor = editor::Editor::new(sender);
    let importer = importer::Importer::new(sender);
    let stack = gtk::Stack::builder()
        .transition_type(gtk::StackTransitionType::SlideLeftRight)
        .vexpand(true)
        .build();
    stack.add_named(&list_page, Some("list"));
    stack.add_named(&empty, Some("empty"));
    stack.add_named(&details.page, Some("details"));
    stack.add_named(&editor.page, Some("edit"));
    stack.add_named(&importer.page, Some("import"));
    let toasts = adw::ToastOverlay::new();
    toasts.set_child(Some(&stack));
    let column = gtk::Box::new(gtk::Orientation::Vertical, 0);
    column.append(&header);
    column.append(&toasts);
    root.set_content(Some(&column));
    if crate::config::is_development() {
        root.add_css_class("devel");
    }
    ServersWidgets {
        title,
        back,
        add,
        import,
        save,
        toasts,
        stack,
        list,
        details,
        editor,
        importer,
    }
}

impl Servers {
    /// Brings the header and the visible page in line with the state.
    fn render(&self, widgets: &ServersWidgets) {
        let (page, title, subtitle) = match &self.page {
            Page::List if self.configs.is_empty() => ("empty", gettext("MCP Servers"), None),
            Page::List => ("list", gettext("MCP Servers"), None),
            Page::Details(id) => ("details", self.name_of(id), None),
            Page::Edit(None) => ("edit", gettext("Add Server"), None),
            Page::Edit(Some(id)) => ("edit", gettext("Edit Server"), Some(self.name_of(id))),
            Page::Import => ("import", gettext("Import Servers"), None),
        };
        widgets.stack.set_visible_child_name(page);
        widgets.title.set_title(&title);
        widgets
            .title
            .set_subtitle(subtitle.as_deref().unwrap_or_default());
        let listing = self.page == Page::List;
        widgets.back.set_visible(!listing);
        widgets.add.set_visible(listing);
        widgets.import.set_visible(listing);
        widgets.save.set_visible(matches!(self.page, Page::Edit(_)));
        widgets.save.set_sensitive(!self.busy);
    }

    fn name_of(&self, id: &str) -> String {
        self.config(id)
            .map_or_else(|| id.to_owned(), |c| c.name.clone())
    }

    fn config(&self, id: &str) -> Option<&ServerConfig> {
        self.configs.iter().find(|c| c.id == id)
    }

    fn toast(widgets: &ServersWidgets, text: &str) {
        let toast = adw::Toast::new(text);
        toast.set_timeout(6);
        crate::ui::a11y::add_toast(&widgets.toasts, toast, |t| {
            widgets.toasts.add_toast(t.clone());
        });
    }
}
