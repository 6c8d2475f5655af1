//! The window's dialogs: send anyway, add provider, preferences, MCP
//! servers, billing, about.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use super::{Window, WindowInput};
use crate::ui::preferences::{Preferences, PreferencesInput, PreferencesOutput};
use crate::ui::provider_form::{ProviderForm, ProviderFormInput, ProviderFormOutput};
use crate::ui::servers::{Servers, ServersInput};

/// An open Add Provider dialog and the form inside it.
pub struct ProviderDialog {
    window: adw::Window,
    _form: Controller<ProviderForm>,
}

impl std::fmt::Debug for ProviderDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderDialog").finish_non_exhaustive()
    }
}

impl Drop for ProviderDialog {
    fn drop(&mut self) {
        self.window.close();
    }
}

impl Window {
    /// A hard spending limit refused a send: explains it and offers to
    /// send once anyway or to change the limits; otherwise the draft goes
    /// back to the composer.
    pub(super) fn ask_send_anyway(
        &self,
        root: &adw::ApplicationWindow,
        explanation: &str,
        draft: Option<crate::ui::composer::Draft>,
        sender: &ComponentSender<Self>,
    ) {
        let dialog = adw::MessageDialog::new(
            Some(root),
            Some(&gettext("Spending Limit Reached")),
            Some(explanation),
        );
        dialog.add_response("cancel", &gettext("Cancel"));
        dialog.add_response("limits", &gettext("Change Limits…"));
        dialog.add_response("send", &gettext("Send Anyway"));
        dialog.set_response_appearance("send", adw::ResponseAppearance::Destructive);
        dialog.set_default_response(Some("cancel"));
        dialog.set_close_response("cancel");
        let sender = sender.clone();
        let draft = std::cell::RefCell::new(draft);
        dialog.connect_response(None, move |_, response| {
            let Some(draft) = draft.borrow_mut().take() else {
                return;
            };
            match response {
                "send" => sender.input(WindowInput::SendAnyway(draft)),
                other => {
                    sender.input(WindowInput::RestoreDraft(draft));
                    if other == "limits" {
                        sender.input(WindowInput::ShowPreferences);
                    }
                }
            }
        });
        dialog.present();
    }

    /// Opens the Add Provider dialog with a fresh form.
    pub(super) fn show_add_provider(
        &mut self,
        root: &adw::ApplicationWindow,
        sender: &ComponentSender<Self>,
    ) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        let form =
            ProviderForm::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    ProviderFormOutput::Added(p) => WindowInput::ProviderAdded(p),
                });
        form.emit(ProviderFormInput::SetEngine(engine));
        let content = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .build();
        content.append(&adw::HeaderBar::new());
        let clamp = adw::Clamp::builder()
            .maximum_size(520)
            .margin_top(12)
            .margin_bottom(18)
            .margin_start(12)
            .margin_end(12)
            .child(form.widget())
            .build();
        content.append(&clamp);
        let window = adw::Window::builder()
            .title(gettext("Add Provider"))
            .modal(true)
            .transient_for(root)
            .default_width(480)
            .content(&content)
            .build();
        window.present();
        self.provider_dialog = Some(ProviderDialog {
            window,
            _form: form,
        });
    }
}

impl Window {
    /// Makes the local API server's host for `engine` and starts the
    /// server when Preferences → Server has it on.
    pub(super) fn start_api_server(&mut self, engine: &valechat_core::chat::Engine) {
        let host = crate::ui::api_server::ApiServerHost::new(engine.clone());
        let settings = crate::ui::api_server::ServerSettings::load();
        if settings.enabled {
            host.apply(settings);
        }
        self.api_server = Some(host);
    }

    /// Shows the Preferences window (a new one when none is open: closed
    /// windows are destroyed, see [`crate::ui::a11y`]).
    pub(super) fn show_preferences(
        &mut self,
        root: &adw::ApplicationWindow,
        sender: &ComponentSender<Self>,
    ) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        forget_closed(&mut self.preferences);
        let downloads = self.downloads.clone();
        let host = self
            .api_server
            .get_or_insert_with(|| crate::ui::api_server::ApiServerHost::new(engine.clone()))
            .clone();
        let preferences = self.preferences.get_or_insert_with(|| {
            Preferences::builder()
                .transient_for(root)
                .launch((engine, downloads, host))
                .forward(sender.input_sender(), |out| match out {
                    PreferencesOutput::ProvidersChanged => WindowInput::ReloadProviders,
                    PreferencesOutput::LocalModelsChanged => WindowInput::ReloadLocalModels,
                })
        });
        preferences.emit(PreferencesInput::Show);
    }

    /// Shows the MCP Servers window (a new one when none is open; needs the
    /// engine and the registry, so nothing happens before start-up
    /// finished).
    pub(super) fn show_servers(&mut self, root: &adw::ApplicationWindow) {
        let (Some(engine), Some(servers)) = (self.engine.clone(), self.servers.clone()) else {
            return;
        };
        forget_closed(&mut self.servers_window);
        let window = self.servers_window.get_or_insert_with(|| {
            Servers::builder()
                .transient_for(root)
                .launch((engine, servers))
                .detach()
        });
        window.emit(ServersInput::Show);
    }
}

impl Window {
    /// Brings up the Billing window (a new one when none is open).
    pub(super) fn show_billing(&mut self, root: &adw::ApplicationWindow) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        forget_closed(&mut self.billing);
        let billing = self.billing.get_or_insert_with(|| {
            crate::ui::billing::Billing::builder()
                .transient_for(root)
                .launch(engine)
                .detach()
        });
        billing.emit(crate::ui::billing::BillingInput::Show);
    }
}

/// Drops the controller in `slot` if its window was closed (closing destroys
/// it), so the next open builds a new one; a window that is merely hidden is
/// destroyed first.
fn forget_closed<C>(slot: &mut Option<Controller<C>>)
where
    C: Component,
    C::Root: IsA<gtk::Window> + IsA<gtk::Widget>,
{
    let closed = |c: &Controller<C>| !c.widget().upcast_ref::<gtk::Widget>().is_visible();
    if slot.as_ref().is_some_and(closed)
        && let Some(old) = slot.take()
    {
        old.widget().upcast_ref::<gtk::Window>().destroy();
    }
}

/// Shows the About dialog.
pub fn show_about(root: &adw::ApplicationWindow) {
    let about = adw::AboutWindow::builder()
        .transient_for(root)
        .modal(true)
        .application_name(gettext("ValeChat"))
        .application_icon(crate::config::APP_ID)
        .version(crate::config::VERSION)
        .developer_name(gettext("The ValeChat developers"))
        .license_type(gtk::License::Gpl30)
        .comments(gettext("Chat with many AI models, natively."))
        .build();
    about.present();
}
