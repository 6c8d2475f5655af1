//! The model picker: a header-bar button whose popover lists every
//! configured provider's models (from each server's model list), with search.

use std::cell::RefCell;
use std::rc::Rc;

use gettextrs::gettext;
use relm4::gtk::prelude::*;
use relm4::{Component, ComponentParts, ComponentSender, gtk};

use crate::core::chat::Engine;
use crate::core::store::Provider;
use crate::i18n::gettext_f;

/// One entry of the list: a model of a provider, or a provider's error.
#[derive(Debug, Clone)]
pub enum Entry {
    Model { provider: Provider, model: String },
    Error { provider: Provider, error: String },
}

/// The picker's state.
#[derive(Debug)]
pub struct ModelPicker {
    engine: Option<Engine>,
    providers: Vec<Provider>,
    entries: Vec<Entry>,
    /// `(provider id, model)` shown on the button.
    current: Option<(String, String)>,
    loading: bool,
}

/// Messages the picker accepts.
#[derive(Debug)]
pub enum ModelPickerInput {
    /// The engine is ready.
    SetEngine(Engine),
    /// The configured providers changed.
    SetProviders(Vec<Provider>),
    /// Show this model as the current one (`None`: nothing chosen).
    SetCurrent(Option<(String, String)>),
    /// Fetch the model lists again (on opening the popover).
    Refresh,
    /// Row `index` of the list was activated.
    Activate(usize),
}

/// What the picker tells its parent.
#[derive(Debug)]
pub enum ModelPickerOutput {
    /// The user chose `model` of provider `provider_id`.
    Selected {
        /// Provider id.
        provider_id: String,
        /// Model id as the server names it.
        model: String,
    },
}

/// Widgets of the picker.
#[derive(Debug)]
pub struct ModelPickerWidgets {
    button: gtk::MenuButton,
    list: gtk::ListBox,
    spinner: gtk::Spinner,
    filter: Rc<RefCell<String>>,
}

impl Component for ModelPicker {
    type CommandOutput = Vec<Entry>;
    type Input = ModelPickerInput;
    type Output = ModelPickerOutput;
    type Init = ();
    type Root = gtk::MenuButton;
    type Widgets = ModelPickerWidgets;

    fn init_root() -> Self::Root {
        gtk::MenuButton::builder()
            .tooltip_text(gettext("Choose a Model"))
            .build()
    }

    fn init((): (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let content = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(6)
            .width_request(320)
            .build();
        let search = gtk::SearchEntry::builder()
            .placeholder_text(gettext("Search models"))
            .build();
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .css_classes(["navigation-sidebar"])
            .build();
        let spinner = gtk::Spinner::new();
        let scroller = gtk::ScrolledWindow::builder()
            .child(&list)
            .hscrollbar_policy(gtk::PolicyType::Never)
            .propagate_natural_height(true)
            .max_content_height(420)
            .build();
        content.append(&search);
        content.append(&spinner);
        content.append(&scroller);
        let popover = gtk::Popover::builder().child(&content).build();
        root.set_popover(Some(&popover));

        let filter = Rc::new(RefCell::new(String::new()));
        {
            let filter = filter.clone();
            list.set_filter_func(move |row| {
                let needle = filter.borrow();
                needle.is_empty() || row.widget_name().to_lowercase().contains(needle.as_str())
            });
        }
        {
            let filter = filter.clone();
            let list = list.clone();
            search.connect_search_changed(move |entry| {
                *filter.borrow_mut() = entry.text().to_lowercase();
                list.invalidate_filter();
            });
        }
        {
            let sender = sender.clone();
            list.connect_row_activated(move |_, row| {
                if let Ok(i) = usize::try_from(row.index()) {
                    sender.input(ModelPickerInput::Activate(i));
                }
            });
        }
        {
            let sender = sender.clone();
            popover.connect_show(move |_| sender.input(ModelPickerInput::Refresh));
        }
        let model = ModelPicker {
            engine: None,
            providers: Vec::new(),
            entries: Vec::new(),
            current: None,
            loading: false,
        };
        let widgets = ModelPickerWidgets {
            button: root,
            list,
            spinner,
            filter,
        };
        render_button(&model, &widgets);
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
            ModelPickerInput::SetEngine(engine) => self.engine = Some(engine),
            ModelPickerInput::SetProviders(providers) => self.providers = providers,
            ModelPickerInput::SetCurrent(current) => self.current = current,
            ModelPickerInput::Refresh => {
                if let Some(engine) = self.engine.clone() {
                    self.loading = true;
                    let providers = self.providers.clone();
                    sender.oneshot_command(fetch_entries(engine, providers));
                }
            }
            ModelPickerInput::Activate(i) => {
                if let Some(Entry::Model { provider, model }) = self.entries.get(i) {
                    self.current = Some((provider.id.clone(), model.clone()));
                    let _ = sender.output(ModelPickerOutput::Selected {
                        provider_id: provider.id.clone(),
                        model: model.clone(),
                    });
                    widgets.button.popdown();
                }
            }
        }
        render_button(self, widgets);
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        entries: Self::CommandOutput,
        _sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        self.loading = false;
        self.entries = entries;
        while let Some(child) = widgets.list.first_child() {
            widgets.list.remove(&child);
        }
        for entry in &self.entries {
            widgets
                .list
                .append(&entry_row(entry, self.current.as_ref()));
        }
        if self.entries.is_empty() {
            let label = gtk::Label::builder()
                .label(gettext("No providers are configured."))
                .css_classes(["dim-label"])
                .margin_top(12)
                .margin_bottom(12)
                .build();
            widgets.list.append(&label);
        }
        widgets.filter.borrow_mut().clear();
        render_button(self, widgets);
    }
}

fn render_button(picker: &ModelPicker, widgets: &ModelPickerWidgets) {
    let label = match &picker.current {
        Some((_, model)) => model.clone(),
        None => gettext("Choose a Model"),
    };
    widgets.button.set_label(&label);
    widgets.spinner.set_visible(picker.loading);
    widgets.spinner.set_spinning(picker.loading);
}

fn entry_row(entry: &Entry, current: Option<&(String, String)>) -> gtk::ListBoxRow {
    let content = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .margin_top(4)
        .margin_bottom(4)
        .build();
    let accessible_name = match entry {
        Entry::Model { model, .. } => model.as_str(),
        Entry::Error { provider, .. } => provider.name.as_str(),
    };
    let row: gtk::ListBoxRow =
        crate::ui::a11y::labelled("GtkListBoxRow", accessible_name).unwrap_or_default();
    row.set_child(Some(&content));
    match entry {
        Entry::Model { provider, model } => {
            let title = gtk::Label::builder().label(model).xalign(0.0).build();
            let subtitle = gtk::Label::builder()
                .label(&provider.name)
                .xalign(0.0)
                .css_classes(["caption", "dim-label"])
                .build();
            content.append(&title);
            content.append(&subtitle);
            row.set_widget_name(&format!("{model} {}", provider.name));
            if current.is_some_and(|(p, m)| *p == provider.id && m == model) {
                title.add_css_class("heading");
            }
        }
        Entry::Error { provider, error } => {
            let label = gtk::Label::builder()
                .label(gettext_f(
                    "{provider}: could not list models: {error}",
                    &[("provider", &provider.name), ("error", error)],
                ))
                .wrap(true)
                .xalign(0.0)
                .css_classes(["caption", "error"])
                .build();
            content.append(&label);
            row.set_activatable(false);
            row.set_widget_name(&provider.name);
        }
    }
    row
}

/// Fetches every enabled provider's models concurrently.
async fn fetch_entries(engine: Engine, providers: Vec<Provider>) -> Vec<Entry> {
    let lists = futures::future::join_all(providers.iter().filter(|p| p.enabled).map(|p| {
        let engine = engine.clone();
        async move { (p.clone(), engine.list_models(&p.id).await) }
    }))
    .await;
    let mut entries = Vec::new();
    for (provider, result) in lists {
        match result {
            Ok(models) => entries.extend(models.into_iter().map(|m| Entry::Model {
                provider: provider.clone(),
                model: m.id,
            })),
            Err(e) => entries.push(Entry::Error {
                provider,
                error: e.user_message(),
            }),
        }
    }
    entries
}
