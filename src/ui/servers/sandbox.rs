//! The editor's Sandbox groups (stdio servers only): "Run in a Sandbox",
//! "Allow Network", the writable folders (Add Folder… through a native
//! folder chooser, Remove; the home folder itself, or a folder holding
//! it, is refused with a message), and the resource limits (memory in MB,
//! open files, CPU seconds, processes; 0 = no limit). Whether Bubblewrap
//! is available is checked once off the main thread ([`check`], a command
//! of the MCP Servers window, whose answer comes to
//! [`SandboxGroup::set_available`]); when it is not, the switch is
//! insensitive (unless already on, so it can be turned off) and its
//! subtitle says why. A new server starts from
//! [`SandboxSettings::recommended`] (sandbox and network on, 512
//! processes) once Bubblewrap is known to be there
//! ([`SandboxGroup::load_new`]). The state lives in the widgets;
//! [`SandboxGroup::settings`] reads it back as [`SandboxSettings`].

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::gtk::glib;
use relm4::{adw, gtk};

use crate::ui::file_chooser;
use valechat_core::mcp::sandbox::{self, SandboxProblem, SandboxSettings};

/// Largest value of the limit spin buttons.
const MAX_LIMIT: f64 = 1_048_576.0;

/// The widgets of the sandbox and limits groups.
#[derive(Debug, Clone)]
pub struct SandboxGroup {
    /// The "Sandbox" group (switches and folders).
    pub group: adw::PreferencesGroup,
    /// The "Resource Limits" group.
    pub limits: adw::PreferencesGroup,
    enabled: gtk::Switch,
    enabled_row: adw::ActionRow,
    network: gtk::Switch,
    folders: gtk::ListBox,
    paths: Rc<RefCell<Vec<PathBuf>>>,
    memory: gtk::SpinButton,
    files: gtk::SpinButton,
    cpu: gtk::SpinButton,
    processes: gtk::SpinButton,
    folder_error: gtk::Label,
    /// `None` until checked; `Some(Err)` when Bubblewrap cannot be used.
    available: Rc<RefCell<Option<Result<(), String>>>>,
    /// A new server waits for the check to get the recommended settings.
    new_server: Rc<std::cell::Cell<bool>>,
}

/// What the person is told when the sandbox cannot be used here.
/// Whether Bubblewrap can be used, or why not (a sentence). This blocks:
/// the MCP Servers window runs it as a command on a blocking thread.
pub fn check() -> Result<(), String> {
    sandbox::availability()
        .map(|_| ())
        .map_err(|problem| problem_text(&problem))
}

fn problem_text(problem: &SandboxProblem) -> String {
    match problem {
        SandboxProblem::BubblewrapMissing => gettext(
            "Bubblewrap (bwrap) is not installed: install the “bubblewrap” package to use the sandbox.",
        ),
        SandboxProblem::InFlatpak => gettext(
            "Not available in the Flatpak version: a Flatpak app cannot start a sandbox of its own.",
        ),
        SandboxProblem::PrlimitMissing | SandboxProblem::Unsupported => {
            gettext("The sandbox works on Linux only.")
        }
        // Not answers of `availability`: they come up when a server starts.
        SandboxProblem::CacheFolder { .. } | SandboxProblem::Seccomp(_) => problem.to_string(),
    }
}

/// The refusal of a writable folder that is the home folder or holds it.
pub fn home_refused(folder: &str) -> String {
    crate::i18n::gettext_f(
        "“{folder}” is your home folder or holds it: a sandboxed server may not write all of your home. Choose a folder inside it.",
        &[("folder", folder)],
    )
}

/// Whether `folder` is the home folder or holds it (symbolic links
/// resolved where they exist).
pub fn exposes_home(folder: &std::path::Path) -> bool {
    let Some(home) = glib::home_dir().canonicalize().ok() else {
        return false;
    };
    let folder = folder.canonicalize().unwrap_or_else(|_| folder.to_owned());
    valechat_core::model::sandbox_settings::exposes_home(&folder, &home)
}

fn switch_row(title: &str, subtitle: &str) -> (adw::ActionRow, gtk::Switch) {
    let switch = gtk::Switch::builder().valign(gtk::Align::Center).build();
    let row = adw::ActionRow::builder()
        .title(title)
        .subtitle(subtitle)
        .activatable_widget(&switch)
        .build();
    row.add_suffix(&switch);
    (row, switch)
}

fn spin_row(
    group: &adw::PreferencesGroup,
    title: &str,
    subtitle: Option<&str>,
    step: f64,
) -> gtk::SpinButton {
    let spin =
        crate::ui::a11y::labelled::<gtk::SpinButton>("GtkSpinButton", title).unwrap_or_default();
    spin.set_adjustment(&gtk::Adjustment::new(
        0.0,
        0.0,
        MAX_LIMIT,
        step,
        step * 10.0,
        0.0,
    ));
    spin.set_valign(gtk::Align::Center);
    let row = adw::ActionRow::builder().title(title).build();
    if let Some(subtitle) = subtitle {
        row.set_subtitle(subtitle);
    }
    row.add_suffix(&spin);
    group.add(&row);
    spin
}

fn limit(spin: &gtk::SpinButton) -> Option<u64> {
    let value = spin.value_as_int();
    (value > 0).then(|| u64::try_from(value).unwrap_or(0))
}

#[allow(clippy::cast_precision_loss)] // limits are at most MAX_LIMIT
fn set_limit(spin: &gtk::SpinButton, value: Option<u64>) {
    spin.set_value(value.unwrap_or(0) as f64);
}

impl SandboxGroup {
    /// Empty groups (sandbox off, network on, no limits); starts the
    /// Bubblewrap check.
    pub fn new() -> Self {
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Sandbox"))
            .description(gettext(
                "Runs the server with Bubblewrap: system folders read-only, an empty private home, its own npm, uv and pip cache, and only the folders below writable. Of ValeChat’s environment variables it keeps only the locale and proxy settings. New servers run in the sandbox.",
            ))
            .build();
        let (enabled_row, enabled) = switch_row(
            &gettext("Run in a Sandbox"),
            &gettext("Limits what the server can see and change"),
        );
        let (network_row, network) = switch_row(
            &gettext("Allow Network"),
            &gettext("Off: the server cannot reach the internet or other programs"),
        );
        network.set_active(true);
        group.add(&enabled_row);
        group.add(&network_row);
        let folders_title = gtk::Label::builder()
            .label(gettext("Writable Folders"))
            .xalign(0.0)
            .margin_top(18)
            .margin_bottom(6)
            .css_classes(["heading"])
            .build();
        group.add(&folders_title);
        let folders = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .css_classes(["boxed-list"])
            .build();
        group.add(&folders);
        let add = crate::ui::a11y::labelled::<gtk::Button>("GtkButton", &gettext("Add Folder…"))
            .unwrap_or_default();
        add.set_label(&gettext("Add Folder…"));
        add.set_halign(gtk::Align::Start);
        add.set_margin_top(6);
        group.add(&add);
        let folder_error = gtk::Label::builder()
            .wrap(true)
            .xalign(0.0)
            .margin_top(6)
            .visible(false)
            .css_classes(["error"])
            .build();
        group.add(&folder_error);

        let limits = adw::PreferencesGroup::builder()
            .title(gettext("Resource Limits"))
            .description(gettext(
                "0 means no limit. Memory is address space: Node.js servers need several thousand MB.",
            ))
            .build();
        let memory = spin_row(&limits, &gettext("Memory (MB)"), None, 64.0);
        let files = spin_row(&limits, &gettext("Open Files"), None, 16.0);
        let cpu = spin_row(&limits, &gettext("CPU Time (Seconds)"), None, 10.0);
        let processes = spin_row(
            &limits,
            &gettext("Processes"),
            Some(&gettext(
                "Processes and threads at once, in the sandbox only",
            )),
            64.0,
        );

        let this = Self {
            group,
            limits,
            enabled,
            enabled_row,
            network,
            folders,
            paths: Rc::default(),
            memory,
            files,
            cpu,
            processes,
            folder_error,
            available: Rc::default(),
            new_server: Rc::default(),
        };
        let me = this.clone();
        add.connect_clicked(move |button| me.choose_folder(button));
        let me = this.clone();
        this.enabled
            .connect_active_notify(move |_| me.update_sensitivity());
        this.show_folders();
        this
    }

    /// Whether Bubblewrap can be used, once [`check`] has answered: the
    /// switch is made insensitive and says why when it cannot.
    pub fn set_available(&self, available: Result<(), String>) {
        let usable = available.is_ok();
        *self.available.borrow_mut() = Some(available);
        if self.new_server.replace(false) && usable {
            self.load(&SandboxSettings::recommended());
        }
        self.update_sensitivity();
    }

    /// Shows the settings of a new server: [`SandboxSettings::recommended`]
    /// where Bubblewrap can be used (now, or once [`check`] answers), else
    /// everything off.
    pub fn load_new(&self) {
        let usable = self.available.borrow().as_ref().map(Result::is_ok);
        match usable {
            Some(true) => self.load(&SandboxSettings::recommended()),
            Some(false) => self.load(&SandboxSettings::default()),
            None => {
                self.load(&SandboxSettings::default());
                self.new_server.set(true);
            }
        }
    }

    /// Shows `settings`.
    pub fn load(&self, settings: &SandboxSettings) {
        self.new_server.set(false);
        self.folder_error.set_visible(false);
        self.enabled.set_active(settings.enabled);
        self.network.set_active(settings.network);
        self.paths.replace(settings.writable_folders.clone());
        set_limit(&self.memory, settings.max_memory_mb);
        set_limit(&self.files, settings.max_open_files);
        set_limit(&self.cpu, settings.max_cpu_seconds);
        set_limit(&self.processes, settings.max_processes);
        self.show_folders();
        self.update_sensitivity();
    }

    /// The settings as shown.
    pub fn settings(&self) -> SandboxSettings {
        SandboxSettings {
            enabled: self.enabled.is_active(),
            writable_folders: self.paths.borrow().clone(),
            network: self.network.is_active(),
            max_memory_mb: limit(&self.memory),
            max_open_files: limit(&self.files),
            max_cpu_seconds: limit(&self.cpu),
            max_processes: limit(&self.processes),
        }
    }

    fn update_sensitivity(&self) {
        let on = self.enabled.is_active();
        match self.available.borrow().as_ref() {
            Some(Err(reason)) => {
                self.enabled_row
                    .set_subtitle(&glib::markup_escape_text(reason));
                self.enabled.set_sensitive(on);
            }
            _ => {
                self.enabled_row
                    .set_subtitle(&gettext("Limits what the server can see and change"));
                self.enabled.set_sensitive(true);
            }
        }
        self.network.set_sensitive(on);
        self.folders.set_sensitive(on);
        self.processes.set_sensitive(on);
    }

    fn show_folders(&self) {
        while let Some(child) = self.folders.first_child() {
            self.folders.remove(&child);
        }
        let paths = self.paths.borrow().clone();
        if paths.is_empty() {
            self.folders.append(
                &adw::ActionRow::builder()
                    .title(gettext(
                        "No writable folders: only the private home and /tmp",
                    ))
                    .sensitive(false)
                    .build(),
            );
        }
        for path in paths {
            let text = path.display().to_string();
            let row = adw::ActionRow::builder()
                .title(glib::markup_escape_text(&text).as_str())
                .build();
            let remove = crate::ui::a11y::labelled::<gtk::Button>(
                "GtkButton",
                &crate::i18n::gettext_f("Remove {folder}", &[("folder", &text)]),
            )
            .unwrap_or_default();
            remove.set_label(&gettext("Remove"));
            remove.set_valign(gtk::Align::Center);
            let me = self.clone();
            remove.connect_clicked(move |_| {
                me.paths.borrow_mut().retain(|p| *p != path);
                me.show_folders();
            });
            row.add_suffix(&remove);
            self.folders.append(&row);
        }
    }

    fn choose_folder(&self, button: &gtk::Button) {
        let parent = button.root().and_downcast::<gtk::Window>();
        let chooser = gtk::FileChooserNative::new(
            Some(&gettext("Choose a Writable Folder")),
            parent.as_ref(),
            gtk::FileChooserAction::SelectFolder,
            Some(&gettext("_Select")),
            Some(&gettext("_Cancel")),
        );
        let me = self.clone();
        chooser.connect_response(move |chooser, response| {
            if response == gtk::ResponseType::Accept
                && let Some(path) = chooser.file().and_then(|f| f.path())
            {
                let refused = exposes_home(&path);
                me.folder_error.set_visible(refused);
                if refused {
                    me.folder_error
                        .set_label(&home_refused(&path.display().to_string()));
                } else if !me.paths.borrow().contains(&path) {
                    me.paths.borrow_mut().push(path);
                }
                me.show_folders();
            }
        });
        file_chooser::show_until_answered(&chooser);
    }
}
