//! The form that adds a provider: a preset, name, base URL and API key, with
//! Test Connection. Shown on the first-run page and in the Add Provider dialog.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{ComponentParts, ComponentSender, adw, gtk};

use crate::i18n::{gettext_f, ngettext_f};
use valechat_core::chat::{Engine, Providers};
use valechat_core::provider::ProtocolKind;
use valechat_core::provider::presets::PRESETS;
use valechat_core::store::Provider;

/// The form's state.
#[derive(Debug)]
pub struct ProviderForm {
    engine: Option<Engine>,
    /// Protocol of the chosen preset (Custom: OpenAI-compatible).
    kind: ProtocolKind,
    busy: bool,
    status: Option<(String, bool)>,
}

/// Messages the form accepts.
#[derive(Debug)]
pub enum ProviderFormInput {
    /// The engine is ready (the form is inert before).
    SetEngine(Engine),
    /// Fill name and URL from entry `index` of the Server list (the first
    /// is Custom, then the presets in order).
    ApplyPreset(u32),
    /// List the server's models with the values typed so far.
    TestConnection,
    /// Save the provider (and its key in the keyring).
    Save,
    /// Empty the fields for another use.
    Reset,
}

/// What the form tells its parent.
#[derive(Debug)]
pub enum ProviderFormOutput {
    /// A provider was saved.
    Added(Provider),
}

/// Results of the form's background work.
#[derive(Debug)]
pub enum ProviderFormCommand {
    /// Test Connection finished: the model count or the error.
    Tested(Result<usize, String>),
    /// Save finished.
    Saved(Result<Provider, String>),
}

/// Widgets the form reads and updates.
#[derive(Debug)]
pub struct ProviderFormWidgets {
    preset: adw::ComboRow,
    name: adw::EntryRow,
    base_url: adw::EntryRow,
    api_key: adw::PasswordEntryRow,
    status: gtk::Label,
    test: gtk::Button,
    save: gtk::Button,
}

impl relm4::Component for ProviderForm {
    type CommandOutput = ProviderFormCommand;
    type Input = ProviderFormInput;
    type Output = ProviderFormOutput;
    type Init = ();
    type Root = gtk::Box;
    type Widgets = ProviderFormWidgets;

    fn init_root() -> Self::Root {
        gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(12)
            .build()
    }

    fn init((): (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let group = adw::PreferencesGroup::new();
        // Custom first, where it is seen, then the services by name.
        let mut preset_names = vec![gettext("Custom (any OpenAI-compatible server)")];
        preset_names.extend(PRESETS.iter().map(|p| p.name.to_owned()));
        let names: Vec<&str> = preset_names.iter().map(String::as_str).collect();
        let preset = adw::ComboRow::builder()
            .title(gettext("Server"))
            .model(&gtk::StringList::new(&names))
            .selected(FIRST_PRESET)
            .list_factory(&unshortened_labels())
            .build();
        let name = adw::EntryRow::builder().title(gettext("Name")).build();
        let base_url = adw::EntryRow::builder().title(gettext("Base URL")).build();
        let api_key = adw::PasswordEntryRow::builder()
            .title(gettext("API Key (optional for local servers)"))
            .build();
        crate::ui::a11y::name_peek_button(&api_key, &gettext("Show Key"), &gettext("Hide Key"));
        group.add(&preset);
        group.add(&name);
        group.add(&base_url);
        group.add(&api_key);
        {
            let sender = sender.clone();
            preset.connect_selected_notify(move |row| {
                sender.input(ProviderFormInput::ApplyPreset(row.selected()));
            });
        }
        let status = gtk::Label::builder()
            .wrap(true)
            .xalign(0.0)
            .selectable(true)
            .visible(false)
            .build();
        // One above the other, so that the form fits a 360 px window in
        // every language.
        let buttons = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(12)
            .halign(gtk::Align::Center)
            .build();
        let test = gtk::Button::builder()
            .label(gettext("Test Connection"))
            .css_classes(["pill"])
            .build();
        let save = gtk::Button::builder()
            .label(gettext("Add Provider"))
            .css_classes(["pill", "suggested-action"])
            .build();
        {
            let sender = sender.clone();
            test.connect_clicked(move |_| sender.input(ProviderFormInput::TestConnection));
        }
        {
            let sender = sender.clone();
            save.connect_clicked(move |_| sender.input(ProviderFormInput::Save));
        }
        buttons.append(&save);
        buttons.append(&test);
        root.append(&group);
        root.append(&status);
        root.append(&buttons);
        let widgets = ProviderFormWidgets {
            preset,
            name,
            base_url,
            api_key,
            status,
            test,
            save,
        };
        apply_preset(&widgets, FIRST_PRESET);
        ComponentParts {
            model: ProviderForm {
                engine: None,
                kind: ProtocolKind::OpenAiCompatible,
                busy: false,
                status: None,
            },
            widgets,
        }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match message {
            ProviderFormInput::SetEngine(engine) => self.engine = Some(engine),
            ProviderFormInput::ApplyPreset(i) => self.kind = apply_preset(widgets, i),
            ProviderFormInput::Reset => {
                widgets.api_key.set_text("");
                if widgets.preset.selected() == FIRST_PRESET {
                    self.kind = apply_preset(widgets, FIRST_PRESET);
                } else {
                    // Fills the fields through ApplyPreset.
                    widgets.preset.set_selected(FIRST_PRESET);
                }
                self.status = None;
            }
            ProviderFormInput::TestConnection => {
                let (_, base_url, key) = fields(widgets);
                self.busy = true;
                self.status = Some((gettext("Connecting…"), false));
                let kind = self.kind;
                sender.oneshot_command(async move {
                    let result = Providers::test_unsaved(kind, &base_url, key.as_deref())
                        .await
                        .map(|models| models.len())
                        .map_err(|e| e.user_message());
                    ProviderFormCommand::Tested(result)
                });
            }
            ProviderFormInput::Save => {
                let (name, base_url, key) = fields(widgets);
                if name.is_empty() || base_url.is_empty() {
                    self.status = Some((gettext("Enter a name and a base URL."), true));
                } else if let Some(engine) = self.engine.clone() {
                    self.busy = true;
                    let kind = self.kind;
                    sender.oneshot_command(async move {
                        let saved = engine
                            .providers()
                            .add(kind, &name, &base_url, key.as_deref())
                            .await
                            .map_err(|e| e.user_message());
                        ProviderFormCommand::Saved(saved)
                    });
                }
            }
        }
        render(self, widgets);
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        self.busy = false;
        match message {
            ProviderFormCommand::Tested(Ok(n)) => {
                let count = u32::try_from(n).unwrap_or(u32::MAX);
                self.status = Some((
                    ngettext_f(
                        "Connected: the server offers {count} model.",
                        "Connected: the server offers {count} models.",
                        count,
                        &[("count", &n.to_string())],
                    ),
                    false,
                ));
            }
            ProviderFormCommand::Tested(Err(e)) => {
                self.status = Some((
                    gettext_f("Connection failed: {error}", &[("error", &e)]),
                    true,
                ));
            }
            ProviderFormCommand::Saved(Ok(provider)) => {
                self.status = None;
                widgets.api_key.set_text("");
                let _ = sender.output(ProviderFormOutput::Added(provider));
            }
            ProviderFormCommand::Saved(Err(e)) => {
                self.status = Some((
                    gettext_f("Could not add the provider: {error}", &[("error", &e)]),
                    true,
                ));
            }
        }
        render(self, widgets);
    }
}

fn render(form: &ProviderForm, widgets: &ProviderFormWidgets) {
    widgets.test.set_sensitive(!form.busy);
    widgets
        .save
        .set_sensitive(!form.busy && form.engine.is_some());
    match &form.status {
        Some((text, is_error)) => {
            widgets.status.set_label(text);
            widgets.status.set_visible(true);
            if *is_error {
                widgets.status.add_css_class("error");
            } else {
                widgets.status.remove_css_class("error");
            }
        }
        None => widgets.status.set_visible(false),
    }
}

/// The Server list's entries as whole labels (the default ones are cut
/// short, which hid what Custom means), the chosen one with a check mark.
fn unshortened_labels() -> gtk::SignalListItemFactory {
    let factory = gtk::SignalListItemFactory::new();
    factory.connect_setup(|_, item| {
        let Some(item) = item.downcast_ref::<gtk::ListItem>() else {
            return;
        };
        let entry = gtk::Box::new(gtk::Orientation::Horizontal, 6);
        entry.append(&gtk::Label::builder().xalign(0.0).build());
        let check = gtk::Image::from_icon_name("object-select-symbolic");
        entry.append(&check);
        item.set_child(Some(&entry));
        item.connect_selected_notify(move |item| check.set_opacity(opacity(item)));
    });
    factory.connect_bind(|_, item| {
        let Some(item) = item.downcast_ref::<gtk::ListItem>() else {
            return;
        };
        let text = item
            .item()
            .and_downcast::<gtk::StringObject>()
            .map(|s| s.string());
        let entry = item.child();
        let label = entry
            .as_ref()
            .and_then(|e| e.first_child())
            .and_downcast::<gtk::Label>();
        if let (Some(label), Some(text)) = (label, text) {
            label.set_label(&text);
        }
        if let Some(check) = entry.and_then(|e| e.last_child()) {
            check.set_opacity(opacity(item));
        }
    });
    factory
}

/// Shows a list entry's check mark only on the chosen entry.
fn opacity(item: &gtk::ListItem) -> f64 {
    if item.is_selected() { 1.0 } else { 0.0 }
}

/// The Server entry chosen at first: the first preset after Custom.
const FIRST_PRESET: u32 = 1;

/// Fills the fields from entry `index` of the Server list (0: Custom, then
/// the presets), says in the row's subtitle what the choice is, and returns
/// the protocol the provider will speak.
fn apply_preset(widgets: &ProviderFormWidgets, index: u32) -> ProtocolKind {
    let preset = index
        .checked_sub(1)
        .and_then(|i| PRESETS.get(usize::try_from(i).ok()?));
    let subtitle = match preset {
        None => gettext("Enter the server's name and base URL below"),
        Some(p) if p.needs_key => gettext("A cloud service: needs an API key"),
        Some(_) => gettext("A server on this computer or your network"),
    };
    widgets.preset.set_subtitle(&subtitle);
    match preset {
        Some(p) => {
            widgets.name.set_text(p.name);
            widgets.base_url.set_text(p.base_url);
            widgets.api_key.set_visible(true);
            let hint = if p.needs_key {
                gettext("API Key")
            } else {
                gettext("API Key (optional for local servers)")
            };
            widgets.api_key.set_title(&hint);
            p.kind
        }
        None => {
            widgets.name.set_text("");
            widgets.base_url.set_text("");
            widgets
                .api_key
                .set_title(&gettext("API Key (optional for local servers)"));
            ProtocolKind::OpenAiCompatible
        }
    }
}

fn fields(widgets: &ProviderFormWidgets) -> (String, String, Option<String>) {
    let key = widgets.api_key.text().trim().to_owned();
    (
        widgets.name.text().trim().to_owned(),
        widgets.base_url.text().trim().to_owned(),
        (!key.is_empty()).then_some(key),
    )
}
