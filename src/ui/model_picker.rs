//! The model picker: a header-bar button whose popover lists every
//! configured provider's models (from each server's model list), with
//! search, favourites first, badges for context length, tool and vision
//! support, and each provider's circuit-breaker state.
//!
//! Files: `entries` (what is listed, fetched off the main loop), `row`
//! (one row's widgets) and `button` (the header-bar button's label).

mod button;
mod entries;
mod row;

use std::cell::RefCell;
use std::rc::Rc;

use gettextrs::gettext;
use relm4::gtk::prelude::*;
use relm4::{Component, ComponentParts, ComponentSender, gtk};

use entries::{Entry, Loaded};
use valechat_core::chat::Engine;
use valechat_core::store::Provider;

/// The picker's state.
#[derive(Debug)]
pub struct ModelPicker {
    engine: Option<Engine>,
    providers: Vec<Provider>,
    loaded: Loaded,
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
    /// The popover closed (reported after any choice made in it).
    Closed,
    /// The star of row `index` was clicked: add it to or remove it from
    /// the favourites.
    ToggleFavourite(usize),
}

/// Results of the picker's background work.
#[derive(Debug)]
pub enum ModelPickerCommand {
    /// A refresh finished.
    Loaded(Loaded),
    /// A favourite was saved (already shown).
    FavouriteSaved,
    /// Saving a favourite failed; the list is read again.
    FavouriteNotSaved,
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
    /// The popover closed, after [`ModelPickerOutput::Selected`] if a
    /// model was chosen.
    Closed,
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
    type CommandOutput = ModelPickerCommand;
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
        let search: gtk::SearchEntry =
            crate::ui::a11y::labelled("GtkSearchEntry", &gettext("Search models"))
                .unwrap_or_default();
        search.set_placeholder_text(Some(&gettext("Search models")));
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
                // Headings have no name: they hide while searching.
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
            // Enter in the search field chooses the first model shown, so
            // the picker works from the keyboard alone (Ctrl+K, type, Enter).
            let list = list.clone();
            search.connect_activate(move |_| {
                let mut child = list.first_child();
                while let Some(widget) = child {
                    if let Some(row) = widget.downcast_ref::<gtk::ListBoxRow>()
                        && row.is_child_visible()
                        && row.is_activatable()
                        && !row.widget_name().is_empty()
                    {
                        row.activate();
                        return;
                    }
                    child = widget.next_sibling();
                }
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
        {
            let sender = sender.clone();
            popover.connect_closed(move |_| sender.input(ModelPickerInput::Closed));
        }
        let model = ModelPicker {
            engine: None,
            providers: Vec::new(),
            loaded: Loaded::default(),
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
        button::render(&model, &widgets);
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
            ModelPickerInput::Refresh => self.refresh(&sender),
            ModelPickerInput::Closed => {
                let _ = sender.output(ModelPickerOutput::Closed);
            }
            ModelPickerInput::Activate(i) => {
                if let Some(Entry::Model {
                    provider, model, ..
                }) = self.entries.get(i)
                {
                    self.current = Some((provider.id.clone(), model.id.clone()));
                    let _ = sender.output(ModelPickerOutput::Selected {
                        provider_id: provider.id.clone(),
                        model: model.id.clone(),
                    });
                    widgets.button.popdown();
                }
            }
            ModelPickerInput::ToggleFavourite(i) => {
                if let Some(Entry::Model {
                    provider,
                    model,
                    favourite,
                    ..
                }) = self.entries.get(i)
                {
                    let (provider_id, model, favourite) =
                        (provider.id.clone(), model.id.clone(), !favourite);
                    self.toggle_favourite(provider_id, model, favourite, &sender);
                    self.render_list(widgets, &sender);
                }
            }
        }
        button::render(self, widgets);
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        command: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match command {
            ModelPickerCommand::Loaded(loaded) => {
                self.loading = false;
                self.loaded = loaded;
                // Another refresh that changed nothing (providers are set
                // again as each part of the window starts): the rows on
                // screen stay, so a click on one of them is not lost.
                if self.loaded.entries() != self.entries {
                    widgets.filter.borrow_mut().clear();
                    self.render_list(widgets, &sender);
                }
            }
            ModelPickerCommand::FavouriteSaved => {}
            ModelPickerCommand::FavouriteNotSaved => self.refresh(&sender),
        }
        button::render(self, widgets);
    }
}

impl ModelPicker {
    /// Reads the model lists, breaker states and favourites again.
    fn refresh(&mut self, sender: &ComponentSender<Self>) {
        if let Some(engine) = self.engine.clone() {
            self.loading = true;
            let providers = self.providers.clone();
            sender.oneshot_command(async move {
                ModelPickerCommand::Loaded(entries::fetch(engine, providers).await)
            });
        }
    }

    /// Stars or unstars a model at once on screen, and saves it in the background.
    fn toggle_favourite(
        &mut self,
        provider_id: String,
        model: String,
        favourite: bool,
        sender: &ComponentSender<Self>,
    ) {
        let key = (provider_id.clone(), model.clone());
        if favourite {
            self.loaded.favourites.insert(key);
        } else {
            self.loaded.favourites.remove(&key);
        }
        let Some(engine) = self.engine.clone() else {
            return;
        };
        sender.oneshot_command(async move {
            match engine
                .store()
                .set_favourite(&provider_id, &model, favourite)
                .await
            {
                Ok(()) => ModelPickerCommand::FavouriteSaved,
                Err(e) => {
                    tracing::warn!(error = %e, provider_id, model, "cannot save a favourite");
                    ModelPickerCommand::FavouriteNotSaved
                }
            }
        });
    }

    /// Rebuilds the rows from [`ModelPicker::loaded`].
    fn render_list(&mut self, widgets: &ModelPickerWidgets, sender: &ComponentSender<Self>) {
        self.entries = self.loaded.entries();
        while let Some(child) = widgets.list.first_child() {
            widgets.list.remove(&child);
        }
        for (i, entry) in self.entries.iter().enumerate() {
            let input = sender.input_sender().clone();
            let on_star = move || input.emit(ModelPickerInput::ToggleFavourite(i));
            widgets
                .list
                .append(&row::entry_row(entry, self.current.as_ref(), on_star));
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
    }
}
