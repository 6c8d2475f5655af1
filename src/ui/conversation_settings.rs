//! The conversation's settings: system prompt, temperature, maximum
//! output tokens and the sampling parameters (`sampling`: top-p, top-k,
//! min-p, repeat penalty, seed; those the conversation's provider does not
//! send are shown insensitive), in a header-bar popover. Changes are kept
//! when the popover closes. Below them, the conversation's workspace folders: the widget of
//! the window's [`WorkspaceFolders`](crate::ui::workspace_folders::WorkspaceFolders)
//! component, which stores them itself as soon as they change; then the
//! MCP servers whose tools the conversation offers (`servers`), stored as
//! soon as a switch changes, or for a new conversation kept to create it
//! with.

use gettextrs::gettext;
use relm4::adw::prelude::*;

use relm4::{
    Component, ComponentController, ComponentParts, ComponentSender, Controller, adw, gtk,
};

use sampling::SamplingRows;
pub use servers::ServersOf;
use servers::{ConversationServers, ConversationServersInput, ConversationServersOutput};
use valechat_core::chat::{Engine, McpServerChoice};
use valechat_core::model::SamplingParameters;
use valechat_core::provider::ProtocolKind;
use valechat_core::store::ConversationSettings;

mod sampling;
mod servers;

/// Temperature the spin button starts at when the user turns it on.
const DEFAULT_TEMPERATURE: f64 = 1.0;
/// Output-token limit the spin button starts at when the user turns it on.
const DEFAULT_MAX_OUTPUT_TOKENS: f64 = 4096.0;

/// State: the settings last shown or saved (their `sampling` always
/// `Some`), the engine once open, and the MCP servers group.
#[derive(Debug)]
pub struct ConversationSettingsPopover {
    settings: ConversationSettings,
    engine: Option<Engine>,
    servers: Controller<ConversationServers>,
}

/// Messages the popover accepts.
#[derive(Debug)]
pub enum ConversationSettingsInput {
    /// The engine, once open.
    SetEngine(Engine),
    /// Show these settings (another conversation was opened).
    Show(ConversationSettings),
    /// The conversation on screen, for its MCP servers: a stored one, or a
    /// new one with the servers it starts with.
    Open(ServersOf),
    /// The conversation's provider, by id (`None`: no model chosen): the
    /// sampling rows it does not send turn insensitive.
    Provider(Option<String>),
    /// The popover closed: read the fields and report a change.
    Closed,
}

/// What the popover tells the window.
#[derive(Debug)]
pub enum ConversationSettingsOutput {
    /// The user changed the settings.
    Changed(ConversationSettings),
    /// The MCP servers chosen for the new conversation on screen, to
    /// create it with.
    PendingServers(McpServerChoice),
    /// Reading or storing the conversation's MCP servers failed: this
    /// sentence says so.
    Failed(String),
}

/// The popover's fields.
#[derive(Debug)]
pub struct ConversationSettingsWidgets {
    system_prompt: gtk::TextBuffer,
    temperature_row: adw::ExpanderRow,
    temperature: gtk::SpinButton,
    max_tokens_row: adw::ExpanderRow,
    max_tokens: gtk::SpinButton,
    sampling: SamplingRows,
}

impl Component for ConversationSettingsPopover {
    /// The protocol of the provider given by `Provider` (`None`: unknown).
    type CommandOutput = Option<ProtocolKind>;
    type Input = ConversationSettingsInput;
    type Output = ConversationSettingsOutput;
    /// The workspace folders group, shown below the settings.
    type Init = gtk::Widget;
    type Root = gtk::MenuButton;
    type Widgets = ConversationSettingsWidgets;

    fn init_root() -> Self::Root {
        let button: gtk::MenuButton =
            crate::ui::a11y::labelled("GtkMenuButton", &gettext("Conversation Settings"))
                .unwrap_or_default();
        button.set_icon_name("document-properties-symbolic");
        button.set_tooltip_text(Some(&gettext("Conversation Settings")));
        button
    }

    fn init(
        folders: gtk::Widget,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let content = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(12)
            .width_request(360)
            .margin_top(6)
            .margin_bottom(6)
            .margin_start(6)
            .margin_end(6)
            .build();

        let prompt_label = gtk::Label::builder()
            .label(gettext("System Prompt"))
            .xalign(0.0)
            .css_classes(["heading"])
            .build();
        let system_prompt = gtk::TextBuffer::new(None);
        let prompt_view: gtk::TextView =
            crate::ui::a11y::labelled("GtkTextView", &gettext("System Prompt")).unwrap_or_default();
        prompt_view.set_buffer(Some(&system_prompt));
        prompt_view.set_wrap_mode(gtk::WrapMode::WordChar);
        prompt_view.set_top_margin(6);
        prompt_view.set_bottom_margin(6);
        prompt_view.set_left_margin(6);
        prompt_view.set_right_margin(6);
        let prompt_scroller = gtk::ScrolledWindow::builder()
            .child(&prompt_view)
            .min_content_height(96)
            .max_content_height(240)
            .propagate_natural_height(true)
            .hscrollbar_policy(gtk::PolicyType::Never)
            .css_classes(["card"])
            .build();

        let temperature = gtk::SpinButton::with_range(0.0, 2.0, 0.1);
        temperature.set_digits(1);
        temperature.set_valign(gtk::Align::Center);
        let temperature_row = expander(
            &gettext("Temperature"),
            &gettext("Lower is more focused, higher more varied; off: the model's default"),
            &temperature,
        );
        let max_tokens = gtk::SpinButton::with_range(1.0, 1_000_000.0, 256.0);
        max_tokens.set_digits(0);
        max_tokens.set_valign(gtk::Align::Center);
        let max_tokens_row = expander(
            &gettext("Maximum Output Tokens"),
            &gettext("Longest reply, in tokens; off: the model's default"),
            &max_tokens,
        );
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .css_classes(["boxed-list"])
            .build();
        list.append(&temperature_row);
        list.append(&max_tokens_row);
        let sampling = SamplingRows::new();
        list.append(sampling.widget());

        content.append(&prompt_label);
        content.append(&prompt_scroller);
        content.append(&list);
        content.append(&folders);
        let servers =
            ConversationServers::builder()
                .launch(())
                .forward(sender.output_sender(), |out| match out {
                    ConversationServersOutput::Pending(choice) => {
                        ConversationSettingsOutput::PendingServers(choice)
                    }
                    ConversationServersOutput::Failed(sentence) => {
                        ConversationSettingsOutput::Failed(sentence)
                    }
                });
        content.append(servers.widget());
        let popover = gtk::Popover::builder().child(&content).build();
        {
            let sender = sender.clone();
            popover.connect_closed(move |_| sender.input(ConversationSettingsInput::Closed));
            let servers = servers.sender().clone();
            popover.connect_show(move |_| servers.emit(ConversationServersInput::Refresh));
        }
        root.set_popover(Some(&popover));

        let widgets = ConversationSettingsWidgets {
            system_prompt,
            temperature_row,
            temperature,
            max_tokens_row,
            max_tokens,
            sampling,
        };
        let model = Self {
            settings: ConversationSettings {
                sampling: Some(SamplingParameters::default()),
                ..ConversationSettings::default()
            },
            engine: None,
            servers,
        };
        show(&widgets, &model.settings);
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match message {
            ConversationSettingsInput::SetEngine(engine) => {
                self.engine = Some(engine.clone());
                self.servers
                    .emit(ConversationServersInput::SetEngine(engine));
            }
            ConversationSettingsInput::Open(conversation) => {
                self.servers
                    .emit(ConversationServersInput::Open(conversation));
            }
            ConversationSettingsInput::Show(mut settings) => {
                settings.sampling = Some(settings.sampling.unwrap_or_default());
                show(widgets, &settings);
                self.settings = settings;
            }
            ConversationSettingsInput::Provider(provider) => {
                let (Some(engine), Some(id)) = (self.engine.clone(), provider) else {
                    widgets.sampling.set_kind(None);
                    return;
                };
                sender.oneshot_command(async move {
                    let providers = engine.store().list_providers().await.ok()?;
                    providers
                        .into_iter()
                        .find(|p| p.id == id)
                        .and_then(|p| ProtocolKind::parse(&p.kind))
                });
            }
            ConversationSettingsInput::Closed => {
                let settings = read(widgets);
                if settings != self.settings {
                    self.settings = settings.clone();
                    let _ = sender.output(ConversationSettingsOutput::Changed(settings));
                }
            }
        }
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        kind: Self::CommandOutput,
        _sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        widgets.sampling.set_kind(kind);
    }
}

fn expander(title: &str, subtitle: &str, spin: &gtk::SpinButton) -> adw::ExpanderRow {
    let row = adw::ExpanderRow::builder()
        .title(title)
        .subtitle(subtitle)
        .show_enable_switch(true)
        .enable_expansion(false)
        .build();
    let value = adw::ActionRow::builder().title(title).build();
    value.add_suffix(spin);
    row.add_row(&value);
    row
}

/// Puts `settings` into the fields.
fn show(widgets: &ConversationSettingsWidgets, settings: &ConversationSettings) {
    widgets
        .system_prompt
        .set_text(settings.system_prompt.as_deref().unwrap_or_default());
    widgets
        .temperature_row
        .set_enable_expansion(settings.temperature.is_some());
    widgets
        .temperature
        .set_value(settings.temperature.map_or(DEFAULT_TEMPERATURE, f64::from));
    widgets
        .max_tokens_row
        .set_enable_expansion(settings.max_output_tokens.is_some());
    #[allow(clippy::cast_precision_loss)] // token limits are far below 2^52
    widgets.max_tokens.set_value(
        settings
            .max_output_tokens
            .map_or(DEFAULT_MAX_OUTPUT_TOKENS, |n| n as f64),
    );
    widgets
        .sampling
        .show(&settings.sampling.unwrap_or_default());
}

/// Reads the fields.
fn read(widgets: &ConversationSettingsWidgets) -> ConversationSettings {
    let (start, end) = widgets.system_prompt.bounds();
    let prompt = widgets.system_prompt.text(&start, &end, false).to_string();
    #[allow(clippy::cast_possible_truncation)] // the spin range is 0.0–2.0 and 1–1e6
    ConversationSettings {
        system_prompt: Some(prompt).filter(|p| !p.trim().is_empty()),
        temperature: widgets
            .temperature_row
            .enables_expansion()
            .then(|| widgets.temperature.value() as f32),
        max_output_tokens: widgets
            .max_tokens_row
            .enables_expansion()
            .then(|| widgets.max_tokens.value_as_int().into()),
        // Always `Some`: all off clears the stored parameters.
        sampling: Some(widgets.sampling.read()),
    }
}
