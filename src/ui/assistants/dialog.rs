//! Add / edit an assistant: an `adw::MessageDialog` holding its name, its
//! emoji, the system prompt (a multi-line text view), the model (a combo
//! of the configured models: each provider's default model, the
//! favourites, and the assistant's own), the temperature and the output
//! limit (each off for the model's default, as in the conversation
//! settings), and a switch per MCP server.
//!
//! Save stays disabled while the name is blank. [`AssistantDialog`] is a
//! component: Preferences → Assistants launches it over its window and
//! forwards [`AssistantDialogOutput::Save`]; the store's refusals (a name
//! taken) come back as a toast there.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use valechat_core::store::{Assistant, AssistantDraft};

/// What the dialog offers to choose from.
#[derive(Debug, Clone, Default)]
pub struct Choices {
    /// Configured models, `(provider id, model id)`, in the combo's order.
    pub models: Vec<(String, String)>,
    /// MCP servers, `(id, display name)`.
    pub servers: Vec<(String, String)>,
}

/// The dialog's fields.
#[derive(Clone)]
struct Fields {
    name: adw::EntryRow,
    icon: adw::EntryRow,
    prompt: gtk::TextView,
    model: adw::ComboRow,
    /// The combo's models after its first entry ("No Model").
    models: Vec<(String, String)>,
    temperature_row: adw::ExpanderRow,
    temperature: gtk::SpinButton,
    max_tokens_row: adw::ExpanderRow,
    max_tokens: gtk::SpinButton,
    servers: Vec<(String, gtk::Switch)>,
}

impl Fields {
    /// The assistant entered.
    fn read(&self) -> AssistantDraft {
        let buffer = self.prompt.buffer();
        let prompt = buffer
            .text(&buffer.start_iter(), &buffer.end_iter(), false)
            .to_string();
        let index = usize::try_from(self.model.selected()).unwrap_or(0);
        let model = index
            .checked_sub(1)
            .and_then(|i| self.models.get(i))
            .cloned();
        let (provider_id, model) = model.unzip();
        AssistantDraft {
            name: self.name.text().to_string(),
            icon: self.icon.text().to_string(),
            system_prompt: Some(prompt),
            provider_id,
            model,
            #[allow(clippy::cast_possible_truncation, reason = "0.0–2.0")]
            temperature: self
                .temperature_row
                .enables_expansion()
                .then(|| self.temperature.value() as f32),
            max_output_tokens: self
                .max_tokens_row
                .enables_expansion()
                .then(|| i64::from(self.max_tokens.value_as_int())),
            mcp_servers: self
                .servers
                .iter()
                .filter(|(_, switch)| switch.is_active())
                .map(|(id, _)| id.clone())
                .collect(),
        }
    }
}

/// The Add / Edit Assistant dialog.
pub struct AssistantDialog {
    fields: Fields,
    /// The assistant edited; `None` for a new one.
    id: Option<i64>,
}

impl std::fmt::Debug for AssistantDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssistantDialog")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// What the dialog is told.
#[derive(Debug)]
pub enum AssistantDialogInput {
    /// The user answered with this response id (`save` or `cancel`).
    Respond(String),
}

/// What the dialog tells its owner.
#[derive(Debug)]
pub enum AssistantDialogOutput {
    /// Store this assistant: a new one (`None`) or assistant `id`.
    Save(Option<i64>, AssistantDraft),
}

impl Component for AssistantDialog {
    type CommandOutput = ();
    type Input = AssistantDialogInput;
    type Output = AssistantDialogOutput;
    /// The window it belongs to, the assistant edited (`None`: a new one)
    /// and what to choose from.
    type Init = (gtk::Window, Option<Assistant>, Choices);
    type Root = adw::MessageDialog;
    type Widgets = ();

    fn init_root() -> Self::Root {
        adw::MessageDialog::new(None::<&gtk::Window>, None, None)
    }

    fn init(
        (parent, existing, choices): Self::Init,
        dialog: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        dialog.set_transient_for(Some(&parent));
        let fields = fill(&dialog, existing.as_ref(), choices);
        let input = sender.input_sender().clone();
        dialog.connect_response(None, move |_, response| {
            input.emit(AssistantDialogInput::Respond(response.to_owned()));
        });
        dialog.present();
        ComponentParts {
            model: AssistantDialog {
                fields,
                id: existing.map(|a| a.id),
            },
            widgets: (),
        }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>, _: &Self::Root) {
        let AssistantDialogInput::Respond(response) = message;
        if response == "save" {
            let _ = sender.output(AssistantDialogOutput::Save(self.id, self.fields.read()));
        }
    }
}

/// A row with an enable switch holding `spin` (off: the model's default).
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

/// Builds the fields into `dialog`, filled from `existing`.
fn fill(dialog: &adw::MessageDialog, existing: Option<&Assistant>, choices: Choices) -> Fields {
    dialog.set_heading(Some(&if existing.is_some() {
        gettext("Edit Assistant")
    } else {
        gettext("Add Assistant")
    }));
    let mut models = choices.models;
    if let Some((Some(p), Some(m))) = existing.map(|a| (a.provider_id.clone(), a.model.clone()))
        && !models.contains(&(p.clone(), m.clone()))
    {
        models.push((p, m));
    }
    let mut names = vec![gettext("No Model (the one chosen when starting)")];
    names.extend(models.iter().map(|(p, m)| format!("{p}/{m}")));
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let prompt: gtk::TextView =
        crate::ui::a11y::labelled("GtkTextView", &gettext("System Prompt")).unwrap_or_default();
    prompt.set_wrap_mode(gtk::WrapMode::WordChar);
    for set in [
        gtk::TextView::set_top_margin,
        gtk::TextView::set_bottom_margin,
        gtk::TextView::set_left_margin,
        gtk::TextView::set_right_margin,
    ] {
        set(&prompt, 6);
    }
    let temperature = gtk::SpinButton::with_range(0.0, 2.0, 0.1);
    temperature.set_digits(1);
    temperature.set_valign(gtk::Align::Center);
    let max_tokens = gtk::SpinButton::with_range(1.0, 1_000_000.0, 256.0);
    max_tokens.set_digits(0);
    max_tokens.set_valign(gtk::Align::Center);
    let fields = Fields {
        name: adw::EntryRow::builder().title(gettext("Name")).build(),
        icon: adw::EntryRow::builder().title(gettext("Emoji")).build(),
        prompt,
        model: adw::ComboRow::builder()
            .title(gettext("Model"))
            .model(&gtk::StringList::new(&names))
            .build(),
        temperature_row: expander(
            &gettext("Temperature"),
            &gettext("Lower is more focused, higher more varied; off: the model's default"),
            &temperature,
        ),
        temperature,
        max_tokens_row: expander(
            &gettext("Maximum Output Tokens"),
            &gettext("Longest reply, in tokens; off: the model's default"),
            &max_tokens,
        ),
        max_tokens,
        servers: Vec::new(),
        models,
    };
    let mut fields = fields;
    let servers = adw::PreferencesGroup::builder()
        .title(gettext("MCP Servers"))
        .description(gettext("The tools its conversations may use"))
        .build();
    for (id, name) in &choices.servers {
        let switch: gtk::Switch = crate::ui::a11y::labelled("GtkSwitch", name).unwrap_or_default();
        switch.set_valign(gtk::Align::Center);
        switch.set_active(existing.is_some_and(|a| a.mcp_servers.contains(id)));
        let row = adw::ActionRow::builder()
            .title(name.as_str())
            .activatable_widget(&switch)
            .build();
        row.add_suffix(&switch);
        servers.add(&row);
        fields.servers.push((id.clone(), switch));
    }
    servers.set_visible(!fields.servers.is_empty());
    if let Some(a) = existing {
        fields.name.set_text(&a.name);
        fields.icon.set_text(&a.icon);
        fields
            .prompt
            .buffer()
            .set_text(a.system_prompt.as_deref().unwrap_or_default());
        let position = fields
            .models
            .iter()
            .position(|(p, m)| Some(p) == a.provider_id.as_ref() && Some(m) == a.model.as_ref());
        let selected = position.map_or(0, |i| i + 1);
        fields
            .model
            .set_selected(u32::try_from(selected).unwrap_or(0));
        fields
            .temperature_row
            .set_enable_expansion(a.temperature.is_some());
        fields
            .temperature
            .set_value(a.temperature.map_or(1.0, f64::from));
        fields
            .max_tokens_row
            .set_enable_expansion(a.max_output_tokens.is_some());
        #[allow(clippy::cast_precision_loss, reason = "at most 1,000,000")]
        fields
            .max_tokens
            .set_value(a.max_output_tokens.map_or(4096.0, |n| n as f64));
    } else {
        fields.temperature.set_value(1.0);
        fields.max_tokens.set_value(4096.0);
    }

    let main = adw::PreferencesGroup::new();
    main.add(&fields.name);
    main.add(&fields.icon);
    main.add(&fields.model);
    main.add(&fields.temperature_row);
    main.add(&fields.max_tokens_row);
    let prompt_label = gtk::Label::builder()
        .label(gettext("System Prompt"))
        .xalign(0.0)
        .css_classes(["heading"])
        .build();
    let prompt_scroller = gtk::ScrolledWindow::builder()
        .child(&fields.prompt)
        .min_content_height(96)
        .max_content_height(200)
        .propagate_natural_height(true)
        .hscrollbar_policy(gtk::PolicyType::Never)
        .css_classes(["card"])
        .build();
    let body = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(12)
        .width_request(400)
        .build();
    body.append(&main);
    body.append(&prompt_label);
    body.append(&prompt_scroller);
    body.append(&servers);
    let scroller = gtk::ScrolledWindow::builder()
        .child(&body)
        .hscrollbar_policy(gtk::PolicyType::Never)
        .propagate_natural_height(true)
        .max_content_height(480)
        .build();
    dialog.set_extra_child(Some(&scroller));
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("save", &gettext("Save"));
    dialog.set_response_appearance("save", adw::ResponseAppearance::Suggested);
    dialog.set_close_response("cancel");
    let check = {
        let (name, dialog) = (fields.name.clone(), dialog.clone());
        move || dialog.set_response_enabled("save", !name.text().trim().is_empty())
    };
    check();
    fields.name.connect_changed(move |_| check());
    fields
}
