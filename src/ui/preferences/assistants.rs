//! Preferences → Assistants: the saved assistants (issue 14, part 3), with
//! Add, Edit (the [`AssistantDialog`]) and Remove (after a confirmation;
//! their conversations stay), and the default assistant, which Ctrl+N and
//! the New Conversation button start from. Everything is stored in the
//! database, so `valechat assistants list` shows the same.
//!
//! ```text
//! adw::PreferencesPage "Assistants"
//! ├─ adw::PreferencesGroup "Assistants" (header suffix: Add Assistant…)
//! │  └─ adw::ActionRow "🌍 Translator" (model) + Edit, Remove ×n
//! └─ adw::PreferencesGroup
//!    └─ adw::ComboRow "Default Assistant" (None, then each assistant)
//! ```

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use crate::i18n::gettext_f;
use crate::ui::assistants::dialog::{AssistantDialog, AssistantDialogOutput, Choices};
use valechat_core::chat::{Engine, EngineError};
use valechat_core::store::{Assistant, AssistantDraft};

/// The page's state.
pub struct AssistantsPage {
    engine: Engine,
    assistants: Vec<Assistant>,
    choices: Choices,
    dialog: Option<Controller<AssistantDialog>>,
}

impl std::fmt::Debug for AssistantsPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssistantsPage")
            .field("assistants", &self.assistants.len())
            .finish_non_exhaustive()
    }
}

/// What the page is told.
#[derive(Debug)]
pub enum AssistantsPageInput {
    /// Read the assistants again.
    Reload,
    /// Open the dialog for a new assistant.
    Add,
    /// Open the dialog for assistant `id`.
    Edit(i64),
    /// Ask before removing assistant `id`.
    AskRemove(i64),
    /// Remove assistant `id` (confirmed).
    Remove(i64),
    /// The default combo chose this position (0: none).
    DefaultChosen(u32),
    /// The dialog's Save.
    Save(Option<i64>, AssistantDraft),
}

/// What the page tells the Preferences window.
#[derive(Debug)]
pub enum AssistantsPageOutput {
    /// A message for a toast (a failure to read or store).
    Toast(String),
}

/// Results of the page's database work.
#[derive(Debug)]
pub enum AssistantsPageCommand {
    /// The assistants and what the dialog offers, or the error in words.
    Loaded(Result<(Vec<Assistant>, Choices), String>),
    /// A change was stored (reload), or the error in words.
    Stored(Result<(), String>),
}

/// The widgets the page refills.
#[derive(Debug)]
pub struct AssistantsPageWidgets {
    group: adw::PreferencesGroup,
    rows: Vec<adw::ActionRow>,
    default: adw::ComboRow,
    /// Set while the page fills the combo, whose changes then are not sent.
    quiet: std::rc::Rc<std::cell::Cell<bool>>,
}

impl Component for AssistantsPage {
    type CommandOutput = AssistantsPageCommand;
    type Input = AssistantsPageInput;
    type Output = AssistantsPageOutput;
    type Init = Engine;
    type Root = adw::PreferencesPage;
    type Widgets = AssistantsPageWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesPage::builder()
            .title(gettext("Assistants"))
            .icon_name("avatar-default-symbolic")
            .build()
    }

    fn init(
        engine: Engine,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Assistants"))
            .description(gettext(
                "A saved system prompt, model, parameters and MCP servers to start conversations from.",
            ))
            .build();
        let add = gtk::Button::builder()
            .label(gettext("Add Assistant…"))
            .valign(gtk::Align::Center)
            .build();
        let s = sender.clone();
        add.connect_clicked(move |_| s.input(AssistantsPageInput::Add));
        group.set_header_suffix(Some(&add));
        let default = adw::ComboRow::builder()
            .title(gettext("Default Assistant"))
            .subtitle(gettext("New conversations (Ctrl+N) start from it"))
            .model(&gtk::StringList::new(&[&gettext("None")]))
            .build();
        let s = sender.clone();
        let quiet = std::rc::Rc::new(std::cell::Cell::new(false));
        let q = quiet.clone();
        default.connect_selected_notify(move |row| {
            if !q.get() {
                s.input(AssistantsPageInput::DefaultChosen(row.selected()));
            }
        });
        let default_group = adw::PreferencesGroup::new();
        default_group.add(&default);
        root.add(&group);
        root.add(&default_group);
        sender.input(AssistantsPageInput::Reload);
        ComponentParts {
            model: AssistantsPage {
                engine,
                assistants: Vec::new(),
                choices: Choices::default(),
                dialog: None,
            },
            widgets: AssistantsPageWidgets {
                group,
                rows: Vec::new(),
                default,
                quiet,
            },
        }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>, root: &Self::Root) {
        let engine = self.engine.clone();
        match message {
            AssistantsPageInput::Reload => {
                sender.oneshot_command(async move {
                    AssistantsPageCommand::Loaded(load(&engine).await)
                });
            }
            AssistantsPageInput::Add => self.open_dialog(None, &sender, root),
            AssistantsPageInput::Edit(id) => {
                let existing = self.assistants.iter().find(|a| a.id == id).cloned();
                if existing.is_some() {
                    self.open_dialog(existing, &sender, root);
                }
            }
            AssistantsPageInput::AskRemove(id) => {
                if let Some(a) = self.assistants.iter().find(|a| a.id == id) {
                    confirm_remove(a, root, &sender);
                }
            }
            AssistantsPageInput::Remove(id) => {
                store(
                    &sender,
                    async move { engine.store().remove_assistant(id).await },
                )
            }
            AssistantsPageInput::DefaultChosen(position) => {
                let id = usize::try_from(position)
                    .ok()
                    .and_then(|p| p.checked_sub(1))
                    .and_then(|i| self.assistants.get(i))
                    .map(|a| a.id);
                // Filling the combo reports the stored default: no change.
                let stored = self.assistants.iter().find(|a| a.is_default).map(|a| a.id);
                if id == stored {
                    return;
                }
                store(&sender, async move {
                    engine.store().set_default_assistant(id).await
                });
            }
            AssistantsPageInput::Save(id, draft) => store(&sender, async move {
                match id {
                    Some(id) => engine.store().edit_assistant(id, draft).await.map(drop),
                    None => engine.store().add_assistant(draft).await.map(drop),
                }
            }),
        }
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match message {
            AssistantsPageCommand::Loaded(Ok((assistants, choices))) => {
                crate::ui::assistants::fill_menu(&assistants);
                self.assistants = assistants;
                self.choices = choices;
                self.show(widgets, &sender);
            }
            AssistantsPageCommand::Stored(Ok(())) => {
                sender.input(AssistantsPageInput::Reload);
            }
            AssistantsPageCommand::Loaded(Err(e)) | AssistantsPageCommand::Stored(Err(e)) => {
                let _ = sender.output(AssistantsPageOutput::Toast(e));
                sender.input(AssistantsPageInput::Reload);
            }
        }
    }
}

impl AssistantsPage {
    /// Rebuilds the rows and the default combo from the assistants.
    fn show(&mut self, widgets: &mut AssistantsPageWidgets, sender: &ComponentSender<Self>) {
        for row in widgets.rows.drain(..) {
            widgets.group.remove(&row);
        }
        for a in &self.assistants {
            let row = assistant_row(a, sender);
            widgets.group.add(&row);
            widgets.rows.push(row);
        }
        let mut names = vec![gettext("None")];
        names.extend(self.assistants.iter().map(crate::ui::assistants::label));
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        // The combo's own changes are not the user's choice.
        widgets.quiet.set(true);
        widgets
            .default
            .set_model(Some(&gtk::StringList::new(&names)));
        let selected = self
            .assistants
            .iter()
            .position(|a| a.is_default)
            .map_or(0, |i| i + 1);
        widgets
            .default
            .set_selected(u32::try_from(selected).unwrap_or(0));
        widgets.quiet.set(false);
    }

    fn open_dialog(
        &mut self,
        existing: Option<Assistant>,
        sender: &ComponentSender<Self>,
        root: &adw::PreferencesPage,
    ) {
        let Some(parent) = root.root().and_downcast::<gtk::Window>() else {
            return;
        };
        let dialog = AssistantDialog::builder()
            .launch((parent, existing, self.choices.clone()))
            .forward(sender.input_sender(), |output| {
                let AssistantDialogOutput::Save(id, draft) = output;
                AssistantsPageInput::Save(id, draft)
            });
        self.dialog = Some(dialog);
    }
}

/// A row of the list: emoji and name, the model, Edit and Remove.
fn assistant_row(a: &Assistant, sender: &ComponentSender<AssistantsPage>) -> adw::ActionRow {
    let model = match (&a.provider_id, &a.model) {
        (Some(p), Some(m)) => format!("{p}/{m}"),
        _ => gettext("No model"),
    };
    let row = adw::ActionRow::builder()
        .title(crate::ui::assistants::label(a))
        .subtitle(model)
        .build();
    let edit_name = gettext_f("Edit {name}", &[("name", &a.name)]);
    let edit: gtk::Button = crate::ui::a11y::labelled("GtkButton", &edit_name).unwrap_or_default();
    edit.set_icon_name("document-edit-symbolic");
    edit.set_tooltip_text(Some(&edit_name));
    let remove_name = gettext_f("Remove {name}", &[("name", &a.name)]);
    let remove: gtk::Button =
        crate::ui::a11y::labelled("GtkButton", &remove_name).unwrap_or_default();
    remove.set_icon_name("user-trash-symbolic");
    remove.set_tooltip_text(Some(&remove_name));
    for button in [&edit, &remove] {
        button.set_valign(gtk::Align::Center);
        button.add_css_class("flat");
        row.add_suffix(button);
    }
    let (id, s) = (a.id, sender.clone());
    edit.connect_clicked(move |_| s.input(AssistantsPageInput::Edit(id)));
    let s = sender.clone();
    remove.connect_clicked(move |_| s.input(AssistantsPageInput::AskRemove(id)));
    row
}

/// Asks before removing `a`; Remove sends [`AssistantsPageInput::Remove`].
fn confirm_remove(
    a: &Assistant,
    root: &adw::PreferencesPage,
    sender: &ComponentSender<AssistantsPage>,
) {
    let parent = root.root().and_downcast::<gtk::Window>();
    let dialog = adw::MessageDialog::new(
        parent.as_ref(),
        Some(&gettext_f("Remove {name}?", &[("name", &a.name)])),
        Some(&gettext(
            "The conversations started from it stay, with their settings.",
        )),
    );
    dialog.add_response("cancel", &gettext("Cancel"));
    dialog.add_response("remove", &gettext("Remove"));
    dialog.set_response_appearance("remove", adw::ResponseAppearance::Destructive);
    dialog.set_close_response("cancel");
    let (id, s) = (a.id, sender.clone());
    dialog.connect_response(None, move |_, response| {
        if response == "remove" {
            s.input(AssistantsPageInput::Remove(id));
        }
    });
    dialog.present();
}

/// Runs a store change as a command; the answer reloads or toasts.
fn store(
    sender: &ComponentSender<AssistantsPage>,
    change: impl std::future::Future<Output = Result<(), valechat_core::store::StoreError>>
    + Send
    + 'static,
) {
    sender.oneshot_command(async move {
        AssistantsPageCommand::Stored(
            change
                .await
                .map_err(|e| EngineError::from(e).user_message()),
        )
    });
}

/// The assistants, and the models and MCP servers the dialog offers.
async fn load(engine: &Engine) -> Result<(Vec<Assistant>, Choices), String> {
    let read = async {
        let store = engine.store();
        let assistants = store.list_assistants().await?;
        let mut models = Vec::new();
        for p in store.list_providers().await? {
            if let Some(m) = p.default_model {
                models.push((p.id, m));
            }
        }
        for f in store.list_favourites().await? {
            let pair = (f.provider_id, f.model);
            if !models.contains(&pair) {
                models.push(pair);
            }
        }
        let servers = store
            .list_mcp_servers()
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        Ok::<_, valechat_core::store::StoreError>((assistants, Choices { models, servers }))
    };
    read.await.map_err(|e| EngineError::from(e).user_message())
}
