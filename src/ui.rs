//! The GNOME interface: Relm4 components over libadwaita.
//!
//! ```text
//! Window (window.rs)
//! ├─ ConversationRow ×n  (conversation_row.rs, factory in the sidebar ListBox)
//! ├─ ModelPicker          (model_picker.rs, header-bar MenuButton)
//! ├─ ProviderForm         (provider_form.rs, first-run page and Add Provider dialog)
//! ├─ Preferences          (preferences.rs, modal; Providers page)
//! │  └─ ProviderRow ×n    (preferences/provider_row.rs, factory)
//! ├─ Servers              (servers.rs, MCP Servers window: list, details,
//! │                        Add/Edit, Import; main menu → MCP Servers)
//! ├─ MessageRow ×n        (message_row.rs, factory; body is a MarkdownView)
//! └─ Composer             (composer.rs)
//! ```
//!
//! Only this module touches gtk, adw, relm4, glib and gio; it drives
//! [`crate::core`] through commands so the main loop never blocks.

pub mod a11y;
pub mod composer;
pub mod conversation_row;
pub mod conversation_settings;
pub mod markdown;
pub mod message_row;
pub mod model_picker;
pub mod preferences;
pub mod provider_form;
pub mod servers;
pub mod thumbnail;
pub mod tool_call_view;
pub mod usage_text;
pub mod window;

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
    });
    let relm = RelmApp::from_app(app.clone()).with_args(Vec::new());
    relm.run::<window::Window>(());
    std::process::ExitCode::SUCCESS
}
