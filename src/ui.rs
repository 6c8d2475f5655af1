//! The GNOME interface: Relm4 components over libadwaita.
//!
//! ```text
//! Window (window.rs: header, page stack, folders, the windows it opens)
//! ├─ Sidebar              (sidebar.rs: search, Rename, Delete, main menu)
//! │  └─ ConversationRow ×n (conversation_row.rs, factory in its ListBox)
//! ├─ ModelPicker          (model_picker.rs, header-bar MenuButton)
//! ├─ ProviderForm         (provider_form.rs, first-run page and Add Provider dialog)
//! ├─ LocalModelsWindow    (local_models_window.rs, first run: Use a Model
//! │  │                     on This Computer)
//! │  └─ LocalModels       (the page below)
//! ├─ Preferences          (preferences.rs, modal; Providers page)
//! │  ├─ ProviderRow ×n    (preferences/provider_row.rs, factory)
//! │  │  └─ PullDialog     (provider_row/pull_dialog.rs: Download Model)
//! │  ├─ BillingPage       (preferences/billing_page.rs)
//! │  │  └─ LimitDialog, PriceDialog (limit_dialog.rs, price_dialog.rs)
//! │  └─ LocalModels       (preferences/local_models.rs: Models on This
//! │                        Computer: the library, import, downloads)
//! ├─ Servers              (servers.rs, MCP Servers window: list, details,
//! │                        Add/Edit, Import; main menu → MCP Servers)
//! ├─ ConversationView     (conversation_view.rs: the reply, sticky scrolling)
//! │  ├─ MessageRow ×n     (message_row.rs, items of a gtk::ListView; body
//! │  │  │                  is a MarkdownView)
//! │  │  └─ Thumbnail ×n   (thumbnail.rs, an image decoded in a command)
//! │  ├─ CompareView       (compare_view.rs: 2–4 models side by side, or as
//! │  │                     tabs; compare_view/worker.rs runs the comparison)
//! │  └─ Composer          (composer.rs; composer/slash.rs: the `/` menu of
//! │     │                  MCP prompts; composer/mcp.rs: prompts, resources)
//! │     ├─ Thumbnail ×n   (the pending images)
//! │     ├─ PromptDialog   (prompt_dialog.rs: arguments)
//! │     │  └─ CompletionPopover ×n (completion_popover.rs)
//! │     └─ ResourceBrowser (resource_browser.rs + resource_browser/rows.rs;
//! │        │               chips: resource_chip.rs)
//! │        └─ CompletionPopover ×n (template variables)
//! └─ Questions            (questions.rs, no widget: tool-call and sampling
//!    │                     approvals, sign-ins; questions/approval.rs,
//!    │                     questions/sign_in.rs)
//!    └─ ElicitationDialog ×n (elicitation.rs, MCP servers asking the user)
//! ```
//!
//! Only this module touches gtk, adw, relm4, glib and gio; it drives
//! [`valechat_core`] through component commands so the main loop never
//! blocks, and dialogs report to their parent through their `Output`
//! (docs/ARCHITECTURE.md, "Async work and dialogs in the UI").

pub mod a11y;
pub mod api_server;
pub mod appearance;
pub mod assistants;
pub mod billing;
pub mod chat_worker;
pub mod compare_view;
pub mod completion_popover;
pub mod composer;
pub mod conversation_row;
pub mod conversation_settings;
pub mod conversation_view;
pub mod elicitation;
pub mod file_chooser;
pub mod local_models_window;
pub mod markdown;
pub mod message_row;
pub mod model_downloads;
pub mod model_picker;
pub mod notify;
pub mod preferences;
pub mod prompt_dialog;
pub mod provider_form;
pub mod questions;
pub mod resource_browser;
pub mod resource_chip;
pub mod servers;
pub mod settings;
pub mod sidebar;
pub mod spin_row;
pub mod thumbnail;
pub mod tool_call_view;
pub mod transfer;
pub mod window;
pub mod workspace_folders;

use relm4::adw::prelude::*;
use relm4::{RelmApp, adw, gtk};

use crate::config;

/// Starts the graphical application and returns its exit status.
pub fn run() -> std::process::ExitCode {
    if let Err(e) = config::register_resources() {
        tracing::error!("could not register the app's resources: {e}");
    }
    gtk::glib::set_application_name(&gettextrs::gettext("ValeChat"));
    let app = adw::Application::builder()
        .application_id(config::APP_ID)
        .resource_base_path(config::RESOURCE_BASE_PATH)
        .build();
    app.connect_startup(|_| {
        if let Some(display) = gtk::gdk::Display::default() {
            gtk::IconTheme::for_display(&display)
                .add_resource_path("/io/github/valechat/ValeChat/icons");
        }
        gtk::Window::set_default_icon_name(config::APP_ID);
        appearance::init();
    });
    // Single instance: GApplication makes the first process the primary
    // instance on the session bus; a second `valechat` only sends it
    // `activate` and exits. Present the existing main window then (relm4's
    // own handler merely sets the active window visible, which neither
    // raises it nor finds it behind a dialog).
    app.connect_activate(|app| {
        let main = app
            .windows()
            .into_iter()
            .find(|w| w.is::<adw::ApplicationWindow>());
        if let Some(window) = main {
            tracing::debug!("activated: presenting the main window");
            window.present();
        }
    });
    // A second launch registers as a remote instance: it only asks the
    // primary one to activate (see above) and ends. Registering here, inside
    // `run` (relm4's startup handler is connected by then, so the primary
    // instance builds its window as usual), lets the remote one leave before
    // relm4's loop, whose final main-context iteration would wait forever in
    // a process with nothing else to do.
    app.connect_handle_local_options(|app, _| {
        match app.register(gtk::gio::Cancellable::NONE) {
            Ok(()) if app.is_remote() => {
                tracing::info!("ValeChat is already running; raising its window");
                app.activate();
                // Let the D-Bus message leave before the process ends.
                if let Some(connection) = app.dbus_connection()
                    && let Err(e) = connection.flush_sync(gtk::gio::Cancellable::NONE)
                {
                    tracing::warn!("could not reach the running ValeChat: {e}");
                }
                // Nothing was opened in this process (no window, database
                // or keyring), so leaving without unwinding loses nothing.
                std::process::exit(0);
            }
            Ok(()) => {}
            Err(e) => tracing::warn!("could not register with the session bus: {e}"),
        }
        std::ops::ControlFlow::Continue(())
    });
    let relm = RelmApp::from_app(app.clone()).with_args(Vec::new());
    relm.run::<window::Window>(());
    std::process::ExitCode::SUCCESS
}
