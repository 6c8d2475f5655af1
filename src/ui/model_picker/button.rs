//! The model picker's header-bar button: the chosen model's label,
//! ellipsized so that a 360 px header still fits.

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use super::entries::Entry;
use super::{ModelPicker, ModelPickerWidgets};

/// Shows the chosen model's label on the picker's button (and names the
/// button for assistive technologies), and the spinner while lists load.
pub(super) fn render(picker: &ModelPicker, widgets: &ModelPickerWidgets) {
    // The model's label as its row shows it (a library model's id is its
    // file's name, its label the name in its GGUF header); its id until
    // the provider's list has arrived.
    let label = match &picker.current {
        Some((provider_id, model_id)) => picker
            .entries
            .iter()
            .find_map(|entry| match entry {
                Entry::Model {
                    provider, model, ..
                } if provider.id == *provider_id && model.id == *model_id => {
                    Some(model.label().to_owned())
                }
                _ => None,
            })
            .unwrap_or_else(|| model_id.clone()),
        None => gettext("Choose a Model"),
    };
    let changed = widgets.button.label().as_deref() != Some(label.as_str());
    widgets.button.set_label(&label);
    ellipsize(&widgets.button);
    if changed {
        // GTK 4.8 names the toggle inside after the label, not the menu
        // button around it.
        crate::ui::a11y::relabel(widgets.button.upcast_ref(), &label);
    }
    widgets.button.set_tooltip_text(Some(&label));
    widgets.spinner.set_visible(picker.loading);
    widgets.spinner.set_spinning(picker.loading);
}

/// Width of a model's name that the header always shows (logical pixels,
/// about a dozen characters; more would not leave a 360 px window room
/// for Back, Conversation Settings and three window buttons). A longer
/// name ends in an ellipsis when the header is short of room.
const NAME_MIN_WIDTH: i32 = 96;

/// Shortens the model's name on `button` with an ellipsis, so that the
/// header fits a 360 px window, but never below [`NAME_MIN_WIDTH`] (or the
/// whole of a shorter name): a label that may ellipsize to nothing loses
/// every contest for room to the centred title. The menu button builds its
/// label anew at every `set_label` (which also names the button for
/// assistive technologies; a child of our own would leave it unnamed in
/// GTK 4.8).
fn ellipsize(button: &gtk::MenuButton) {
    let mut stack = vec![button.clone().upcast::<gtk::Widget>()];
    while let Some(widget) = stack.pop() {
        if let Some(label) = widget.downcast_ref::<gtk::Label>() {
            let (_, whole, _, _) = label.measure(gtk::Orientation::Horizontal, -1);
            label.set_width_request(whole.min(NAME_MIN_WIDTH));
            label.set_ellipsize(gtk::pango::EllipsizeMode::End);
            label.set_max_width_chars(24);
            return;
        }
        let mut child = widget.first_child();
        while let Some(c) = child {
            child = c.next_sibling();
            // The popover's rows have labels too: only the button's own.
            if !c.is::<gtk::Popover>() {
                stack.push(c);
            }
        }
    }
}
