//! The window's two panes in a wide and in a narrow window.
//!
//! An `adw::Leaflet` holds the sidebar and the conversation pane. When the
//! window is wide enough for both panes' minimum widths (about 600 px) they
//! stand side by side: the sidebar's header carries the window buttons of
//! the start of the title bar, the conversation's header those of the end.
//! Narrower, the leaflet folds and shows one pane at a time, as GNOME's own
//! apps do: each header then carries every window button, and the
//! conversation's header a Back button to the list and the model button
//! in the title's place (the list shows the title): beside three window
//! buttons the model's name would otherwise shrink to an ellipsis.
//! Activating a row of the list, or starting a new conversation, shows the
//! conversation pane; Back (or Alt+Left, or a swipe) shows the list.

use relm4::adw::prelude::*;
use relm4::{ComponentController, ComponentSender, adw, gtk};

use super::{Window, WindowInput, WindowWidgets};
use crate::ui::sidebar::SidebarInput;

/// Reports the leaflet's folding to the window, and starts on the
/// conversation pane (what a narrow window shows first: the reopened
/// conversation, a new one, or the first-run form).
pub(super) fn connect(widgets: &WindowWidgets, sender: &ComponentSender<Window>) {
    let input = sender.input_sender().clone();
    widgets.leaflet.connect_folded_notify(move |leaflet| {
        input.emit(WindowInput::Folded(leaflet.is_folded()));
    });
    widgets.leaflet.set_visible_child(&widgets.content);
    let_title_shrink(&widgets.title);
}

/// Lets the conversation's title shrink to an ellipsis: `adw::WindowTitle`
/// keeps five characters of it (69 px in bold), which the model button
/// needs more in a window folded down to 360 px (and in the header as it
/// stands the moment the window folds, which sets the window's minimum).
fn let_title_shrink(title: &adw::WindowTitle) {
    let mut stack = vec![title.clone().upcast::<gtk::Widget>()];
    while let Some(widget) = stack.pop() {
        if let Some(label) = widget.downcast_ref::<gtk::Label>() {
            label.set_width_chars(-1);
        }
        let mut child = widget.first_child();
        while let Some(c) = child {
            child = c.next_sibling();
            stack.push(c);
        }
    }
}

/// Shows the conversation list (a narrow window's Back).
pub(super) fn show_sidebar(widgets: &WindowWidgets) {
    widgets.leaflet.navigate(adw::NavigationDirection::Back);
}

/// Shows the conversation pane (in a narrow window, in place of the list).
pub(super) fn show_content(widgets: &WindowWidgets) {
    widgets.leaflet.set_visible_child(&widgets.content);
}

impl Window {
    /// Puts the window buttons, Back and the model button where a wide
    /// (`folded` false) or a narrow window needs them.
    pub(super) fn set_folded(&self, widgets: &WindowWidgets, folded: bool) {
        widgets.back_button.set_visible(folded);
        let header = &widgets.content_header;
        header.set_show_start_title_buttons(folded);
        let model = self.model_picker.widget();
        if folded {
            header.remove(model);
            header.set_title_widget(Some(model));
        } else {
            // Back to the end, left of the window buttons, in the order
            // the view packed them.
            header.set_title_widget(Some(&widgets.title));
            let settings = self.settings_popover.widget();
            header.remove(settings);
            header.pack_end(model);
            header.pack_end(settings);
        }
        self.sidebar.emit(SidebarInput::SetFolded(folded));
    }
}
