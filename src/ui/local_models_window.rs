//! "Use a Model on This Computer" from the first-run page: a modal window
//! around the Models on This Computer page
//! ([`crate::ui::preferences::local_models`]), to download a curated model
//! or import a GGUF file. As soon as a model is in the library it tells
//! the main window ([`LocalModelsWindowOutput::Added`]) and closes.
//!
//! ```text
//! adw::Window "Models on This Computer" (modal)
//! ├─ adw::HeaderBar
//! └─ adw::ToastOverlay
//!    └─ LocalModels (adw::PreferencesPage)
//! ```

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use crate::ui::preferences::local_models::{LocalModels, LocalModelsInit, LocalModelsOutput};
use valechat_core::chat::Engine;
use valechat_core::store::LocalModel;

/// The window's state: the page it shows.
pub struct LocalModelsWindow {
    toasts: adw::ToastOverlay,
    _page: Controller<LocalModels>,
}

impl std::fmt::Debug for LocalModelsWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalModelsWindow").finish_non_exhaustive()
    }
}

/// What the window is started with.
pub struct LocalModelsWindowInit {
    /// The window it belongs to.
    pub parent: Option<gtk::Window>,
    /// The engine, whose store holds the library.
    pub engine: Engine,
    /// The main window's downloads registry.
    pub downloads: crate::ui::model_downloads::Downloads,
}

/// What the page inside reports.
#[derive(Debug)]
pub enum LocalModelsWindowInput {
    /// Show a toast (an import refused).
    Toast(String),
    /// A model is in the library.
    Added(Box<LocalModel>),
    /// A model was removed (the page said so in a toast; the window
    /// stays open for another choice).
    Removed,
}

/// What the window tells the main window.
#[derive(Debug)]
pub enum LocalModelsWindowOutput {
    /// This model was imported or downloaded (the window then closes).
    Added(Box<LocalModel>),
}

impl Component for LocalModelsWindow {
    type CommandOutput = ();
    type Input = LocalModelsWindowInput;
    type Output = LocalModelsWindowOutput;
    type Init = LocalModelsWindowInit;
    type Root = adw::Window;
    type Widgets = ();

    fn init_root() -> Self::Root {
        adw::Window::builder()
            .modal(true)
            .default_width(640)
            .default_height(640)
            .title(gettext("Models on This Computer"))
            .build()
    }

    fn init(
        init: LocalModelsWindowInit,
        window: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        window.set_transient_for(init.parent.as_ref());
        let page = LocalModels::builder()
            .launch(LocalModelsInit {
                engine: init.engine,
                downloads: init.downloads,
            })
            .forward(sender.input_sender(), |out| match out {
                LocalModelsOutput::Toast(text) => LocalModelsWindowInput::Toast(text),
                LocalModelsOutput::Added(m) => LocalModelsWindowInput::Added(m),
                LocalModelsOutput::Removed(_) => LocalModelsWindowInput::Removed,
            });
        let toasts = adw::ToastOverlay::new();
        toasts.set_child(Some(page.widget()));
        let content = gtk::Box::new(gtk::Orientation::Vertical, 0);
        content.append(&adw::HeaderBar::new());
        toasts.set_vexpand(true);
        content.append(&toasts);
        window.set_content(Some(&content));
        window.present();
        ComponentParts {
            model: LocalModelsWindow {
                toasts,
                _page: page,
            },
            widgets: (),
        }
    }

    fn update(&mut self, message: Self::Input, sender: ComponentSender<Self>, window: &Self::Root) {
        match message {
            LocalModelsWindowInput::Toast(text) => {
                let toast = adw::Toast::new(&text);
                toast.set_timeout(6);
                let host = self.toasts.clone();
                crate::ui::a11y::add_toast(&self.toasts, toast, |t| host.add_toast(t.clone()));
            }
            LocalModelsWindowInput::Added(model) => {
                let _ = sender.output(LocalModelsWindowOutput::Added(model));
                window.close();
            }
            LocalModelsWindowInput::Removed => {}
        }
    }
}
