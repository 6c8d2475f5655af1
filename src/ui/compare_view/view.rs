//! The compare view's widgets: the bar (title, prompt, Stop, Back to
//! Conversation), the chooser step and the columns' box.

use gettextrs::gettext;
use relm4::gtk::prelude::*;
use relm4::{ComponentSender, adw, gtk};

use super::chooser::MAX_COLUMNS;
use super::column::Layout;
use super::{CompareView, CompareViewInput};
use crate::i18n::gettext_f;

/// The widgets the view changes.
pub struct CompareViewWidgets {
    pub(super) prompt: gtk::Label,
    /// The two steps; only the one shown is visible (so that the
    /// accessibility tree has only it).
    pub(super) choose_page: gtk::ScrolledWindow,
    pub(super) list: gtk::ListBox,
    pub(super) compare: gtk::Button,
    pub(super) stop: gtk::Button,
    pub(super) columns_box: gtk::Box,
    pub(super) layout: Layout,
}

impl CompareViewWidgets {
    /// Shows the chooser (`true`) or the columns.
    pub(super) fn show_step(&self, choose: bool) {
        self.choose_page.set_visible(choose);
        self.columns_box.set_visible(!choose);
    }
}

/// Builds the view's widgets into `root`.
pub(super) fn build(root: &gtk::Box, sender: &ComponentSender<CompareView>) -> CompareViewWidgets {
    let title = gtk::Label::builder()
        .label(gettext("Compare Models"))
        .xalign(0.0)
        .ellipsize(gtk::pango::EllipsizeMode::End)
        .css_classes(["title-4"])
        .build();
    let prompt = gtk::Label::builder()
        .xalign(0.0)
        .ellipsize(gtk::pango::EllipsizeMode::End)
        .hexpand(true)
        .css_classes(["dim-label"])
        .build();
    let stop = gtk::Button::builder()
        .label(gettext("Stop"))
        .tooltip_text(gettext("Stop every reply"))
        .css_classes(["destructive-action", "pill"])
        .visible(false)
        .build();
    let back = gtk::Button::builder()
        .label(gettext("Back to Conversation"))
        .css_classes(["pill"])
        .build();
    {
        let input = sender.input_sender().clone();
        stop.connect_clicked(move |_| input.emit(CompareViewInput::Stop));
        let input = sender.input_sender().clone();
        back.connect_clicked(move |_| input.emit(CompareViewInput::Back));
    }
    let bar = gtk::Box::builder()
        .orientation(gtk::Orientation::Horizontal)
        .spacing(12)
        .margin_top(12)
        .margin_start(12)
        .margin_end(12)
        .build();
    bar.append(&title);
    bar.append(&prompt);
    bar.append(&stop);
    bar.append(&back);

    let list = gtk::ListBox::builder()
        .selection_mode(gtk::SelectionMode::None)
        .css_classes(["boxed-list"])
        .build();
    let compare = gtk::Button::builder()
        .label(gettext("Compare"))
        .css_classes(["suggested-action", "pill"])
        .halign(gtk::Align::Center)
        .sensitive(false)
        .build();
    {
        let input = sender.input_sender().clone();
        compare.connect_clicked(move |_| input.emit(CompareViewInput::Run));
    }
    let hint = gtk::Label::builder()
        .label(gettext_f(
            "Choose 2 to {max} models to answer this message side by side.",
            &[("max", &MAX_COLUMNS.to_string())],
        ))
        .wrap(true)
        .xalign(0.0)
        .build();
    let choose = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(12)
        .margin_top(12)
        .margin_bottom(12)
        .build();
    choose.append(&hint);
    choose.append(&list);
    choose.append(&compare);
    let clamp = adw::Clamp::builder()
        .maximum_size(600)
        .child(&choose)
        .build();
    let choose_page = gtk::ScrolledWindow::builder()
        .child(&clamp)
        .hscrollbar_policy(gtk::PolicyType::Never)
        .vexpand(true)
        .build();

    let layout = Layout::new(2);
    let columns_box = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .vexpand(true)
        .build();
    columns_box.append(&layout.root);
    columns_box.set_visible(false);
    root.append(&bar);
    root.append(&choose_page);
    root.append(&columns_box);
    CompareViewWidgets {
        prompt,
        choose_page,
        list,
        compare,
        stop,
        columns_box,
        layout,
    }
}
