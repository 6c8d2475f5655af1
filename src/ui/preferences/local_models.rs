//! Preferences → Models on This Computer (issue 16): the model library
//! (the GGUF files ValeChat runs itself), Import Model File… and the
//! curated models to download. The same page is the first-run window's
//! "Use a Model on This Computer" ([`crate::ui::window`]).
//!
//! ```text
//! adw::PreferencesPage "Local Models"
//! ├─ adw::PreferencesGroup "Models on This Computer" (header suffix: Import Model File…)
//! │  └─ adw::ActionRow per model (rows.rs: name, details, menu) | "No models yet"
//! ├─ adw::PreferencesGroup "Download"
//! │  └─ DownloadRow per curated model (download_row.rs; the downloads:
//! │     downloads.rs)
//! ├─ adw::PreferencesGroup "Memory" (idle.rs: Unload After Idle; in a
//! │  build that runs models, `local-models`)
//! └─ adw::PreferencesGroup "This Computer" (hardware.rs: processor,
//!    threads, graphics, loaded models' GPU layers; same builds)
//! ```
//!
//! The library's work (reading it, importing, removing) runs as commands
//! of this component; the downloads run in the main window's registry
//! ([`crate::ui::model_downloads`]), which the page subscribes to, so they
//! go on after it closes. What changed reaches the parent through
//! [`LocalModelsOutput`]. Each time the page is shown, the runner is asked
//! what it can use ([`LocalModelsInput::CheckHardware`]).

mod download_row;
mod downloads;
mod hardware;
mod idle;
mod import;
mod rows;
pub(crate) mod text;
mod work;

use std::path::PathBuf;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use crate::i18n::gettext_f;
use crate::ui::model_downloads::{Downloads, Report};
use download_row::DownloadRow;
use downloads::State;
use valechat_core::chat::Engine;
use valechat_core::local::library::{self, ImportMode, catalog};
use valechat_core::store::LocalModel;

/// The page's state.
pub struct LocalModels {
    engine: Engine,
    models: Vec<LocalModel>,
    catalog: Vec<catalog::CatalogModel>,
    /// The main window's downloads, which outlive the page.
    downloads: Downloads,
    /// Where each curated model's download stands (same order).
    states: Vec<State>,
    /// The open file chooser, destroyed when it answers.
    chooser: Option<gtk::FileChooserNative>,
}

impl std::fmt::Debug for LocalModels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalModels")
            .field("models", &self.models.len())
            .finish_non_exhaustive()
    }
}

/// What the page is told.
#[derive(Debug, Clone)]
pub enum LocalModelsInput {
    /// Read the library again.
    Reload,
    /// Open Import Model File….
    AskImport,
    /// The file chooser answered: the file and how to import it, or
    /// nothing (cancelled).
    ImportChosen(Option<(PathBuf, ImportMode)>),
    /// Show model `id`'s file in the file manager.
    ShowInFiles(i64),
    /// Ask before removing model `id`.
    AskRemove(i64),
    /// Remove model `id` (confirmed).
    Remove(i64),
    /// Download curated model `n` (its position in the list).
    Download(usize),
    /// Pause curated model `n`'s download, or resume it when paused.
    Pause(usize),
    /// Stop curated model `n`'s download and delete what it kept.
    CancelDownload(usize),
    /// Curated model `n`'s download reports (from the registry).
    Report(usize, Report),
    /// Ask the runner what this computer offers (the page is shown).
    CheckHardware,
}

/// What the page is started with.
#[derive(Debug, Clone)]
pub struct LocalModelsInit {
    /// The engine, whose store holds the library.
    pub engine: Engine,
    /// The main window's downloads registry.
    pub downloads: Downloads,
}

/// What the page tells its parent.
#[derive(Debug)]
pub enum LocalModelsOutput {
    /// A sentence for a toast (an import refused, a removal done).
    Toast(String),
    /// A model was imported or downloaded into the library.
    Added(Box<LocalModel>),
    /// Model `id` was removed from the library.
    Removed(i64),
}

/// Results of the page's commands.
#[derive(Debug)]
pub enum LocalModelsCommand {
    /// The library and where each curated model stands, or the error in
    /// words.
    Loaded(Result<work::Library, String>),
    /// An import's model, or the file's name and why it failed.
    Imported(Result<Box<LocalModel>, (String, String)>),
    /// A removal's model, or why it failed.
    Removed(Result<Box<LocalModel>, String>),
    /// The runner's acceleration report, or why it could not answer.
    Hardware(Result<hardware::Report, String>),
}

/// The widgets the page refills.
#[derive(Debug)]
pub struct LocalModelsWidgets {
    library: adw::PreferencesGroup,
    rows: Vec<adw::ActionRow>,
    empty: adw::ActionRow,
    downloads: Vec<DownloadRow>,
    /// "This Computer" (`None` in a build that runs no models).
    hardware: Option<hardware::HardwareGroup>,
}

impl Component for LocalModels {
    type CommandOutput = LocalModelsCommand;
    type Input = LocalModelsInput;
    type Output = LocalModelsOutput;
    type Init = LocalModelsInit;
    type Root = adw::PreferencesPage;
    type Widgets = LocalModelsWidgets;

    fn init_root() -> Self::Root {
        // A short title: the window's view switcher gives each page the
        // width of the longest.
        adw::PreferencesPage::builder()
            .title(gettext("Local Models"))
            .icon_name("computer-symbolic")
            .build()
    }

    fn init(
        init: LocalModelsInit,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let LocalModelsInit { engine, downloads } = init;
        let library = adw::PreferencesGroup::builder()
            .title(gettext("Models on This Computer"))
            .description(gettext(
                "GGUF model files ValeChat runs itself: private, offline, with no account.",
            ))
            .build();
        let add = gtk::Button::builder()
            .label(gettext("Import Model File…"))
            .valign(gtk::Align::Center)
            .build();
        let s = sender.clone();
        add.connect_clicked(move |_| s.input(LocalModelsInput::AskImport));
        library.set_header_suffix(Some(&add));
        let empty = adw::ActionRow::builder()
            .title(gettext("No models yet"))
            .subtitle(gettext(
                "Import a .gguf file you have, or download one of the models below.",
            ))
            .css_classes(["dim-label"])
            .build();
        library.add(&empty);
        let catalog = catalog::models();
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Download"))
            .description(gettext_f(
                "Small instruct models from Hugging Face, checked against the SHA-256 the repository lists. Memory is for {count} tokens of context.",
                &[(
                    "count",
                    &valechat_core::format::format_count(catalog::CATALOG_CONTEXT),
                )],
            ))
            .build();
        let rows: Vec<DownloadRow> = catalog
            .iter()
            .enumerate()
            .map(|(i, m)| DownloadRow::new(m, i, &sender))
            .collect();
        for d in &rows {
            group.add(&d.row);
        }
        root.add(&library);
        root.add(&group);
        let hardware = engine.providers().local_runner().map(|_| {
            root.add(&idle::group(&engine));
            let hardware = hardware::HardwareGroup::new();
            root.add(&hardware.group);
            let s = sender.clone();
            root.connect_map(move |_| s.input(LocalModelsInput::CheckHardware));
            hardware
        });
        // The running downloads' state first, then the library (a
        // download the registry runs stays shown as running).
        downloads::subscribe(&downloads, &sender);
        sender.input(LocalModelsInput::Reload);
        let model = LocalModels {
            engine,
            models: Vec::new(),
            states: catalog.iter().map(|_| State::Idle).collect(),
            downloads,
            catalog,
            chooser: None,
        };
        ComponentParts {
            model,
            widgets: LocalModelsWidgets {
                library,
                rows: Vec::new(),
                empty,
                downloads: rows,
                hardware,
            },
        }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        let store = self.engine.store().clone();
        match message {
            LocalModelsInput::Reload => {
                let catalog = self.catalog.clone();
                sender.oneshot_command(async move {
                    let dir = valechat_core::paths::models_dir().ok();
                    LocalModelsCommand::Loaded(work::load(&store, &catalog, dir).await)
                });
            }
            LocalModelsInput::AskImport => {
                let parent = root.root().and_downcast::<gtk::Window>();
                let s = sender.clone();
                self.chooser = Some(import::ask(parent.as_ref(), move |chosen| {
                    s.input(LocalModelsInput::ImportChosen(chosen));
                }));
            }
            LocalModelsInput::ImportChosen(chosen) => {
                if let Some(dialog) = self.chooser.take() {
                    dialog.destroy();
                }
                if let Some((path, mode)) = chosen {
                    sender.oneshot_command(async move {
                        LocalModelsCommand::Imported(work::import(&store, path, mode).await)
                    });
                }
            }
            LocalModelsInput::ShowInFiles(id) => {
                if let Some(m) = self.models.iter().find(|m| m.id == id) {
                    rows::show_in_files(m);
                }
            }
            LocalModelsInput::AskRemove(id) => {
                if let Some(m) = self.models.iter().find(|m| m.id == id) {
                    rows::confirm_remove(m, root, &sender);
                }
            }
            LocalModelsInput::Remove(id) => sender.oneshot_command(async move {
                LocalModelsCommand::Removed(
                    library::remove(&store, id)
                        .await
                        .map(Box::new)
                        .map_err(|e| e.to_string()),
                )
            }),
            LocalModelsInput::Download(n) => self.start(n),
            LocalModelsInput::Pause(n) => self.pause_or_resume(n),
            LocalModelsInput::CancelDownload(n) => self.cancel(n),
            LocalModelsInput::Report(n, report) => self.report(n, report, widgets, &sender),
            LocalModelsInput::CheckHardware => {
                if let Some(group) = widgets.hardware.as_mut()
                    && group.start()
                {
                    let engine = self.engine.clone();
                    sender.oneshot_command(async move {
                        LocalModelsCommand::Hardware(hardware::check(engine).await)
                    });
                }
            }
        }
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            LocalModelsCommand::Loaded(Ok(library)) => self.loaded(library, widgets, &sender),
            LocalModelsCommand::Loaded(Err(e)) => {
                let _ = sender.output(LocalModelsOutput::Toast(e));
            }
            LocalModelsCommand::Imported(Ok(model)) => {
                let _ = sender.output(LocalModelsOutput::Toast(gettext_f(
                    "Added {name}",
                    &[("name", &model.display_name())],
                )));
                let _ = sender.output(LocalModelsOutput::Added(model));
                sender.input(LocalModelsInput::Reload);
            }
            LocalModelsCommand::Removed(Ok(model)) => {
                let _ = sender.output(LocalModelsOutput::Toast(gettext_f(
                    "Removed {name}",
                    &[("name", &model.display_name())],
                )));
                let _ = sender.output(LocalModelsOutput::Removed(model.id));
                sender.input(LocalModelsInput::Reload);
            }
            LocalModelsCommand::Imported(Err((file, reason))) => {
                rows::import_refused(&file, &reason, root);
            }
            LocalModelsCommand::Removed(Err(e)) => {
                let _ = sender.output(LocalModelsOutput::Toast(e));
            }
            LocalModelsCommand::Hardware(result) => {
                if let Some(group) = widgets.hardware.as_mut() {
                    match result {
                        Ok(report) => group.show(&report, &self.models),
                        Err(reason) => group.show_error(&reason),
                    }
                }
            }
        }
    }
}

impl LocalModels {
    /// Shows the library read, and where each curated model stands: in
    /// the library, paused with bytes kept (an earlier session's), or
    /// neither (a model removed since its download).
    fn loaded(
        &mut self,
        library: work::Library,
        widgets: &mut LocalModelsWidgets,
        sender: &ComponentSender<Self>,
    ) {
        self.models = library.models;
        self.show(widgets, sender);
        for (n, (state, row)) in self.states.iter_mut().zip(&widgets.downloads).enumerate() {
            let stands = library.catalog.get(n).copied().unwrap_or_default();
            let new = match (&*state, stands) {
                (State::Running | State::Done, work::Stands::InLibrary) | (State::Running, _) => {
                    continue;
                }
                (_, work::Stands::InLibrary) => State::InLibrary,
                (State::Idle | State::Done | State::InLibrary, work::Stands::Partial(kept)) => {
                    State::Paused(kept)
                }
                (State::Done | State::InLibrary, work::Stands::Absent) => State::Idle,
                _ => continue,
            };
            *state = new;
            row.show(*state);
        }
    }

    /// Rebuilds the library's rows.
    fn show(&self, widgets: &mut LocalModelsWidgets, sender: &ComponentSender<Self>) {
        for row in widgets.rows.drain(..) {
            widgets.library.remove(&row);
        }
        widgets.empty.set_visible(self.models.is_empty());
        for m in &self.models {
            let row = rows::model_row(m, sender);
            widgets.library.add(&row);
            widgets.rows.push(row);
        }
    }
}
