//! The Import page: servers found in other apps' configuration files
//! (Claude Desktop, Claude Code, Cursor, VS Code, Zed) or in a JSON file
//! chosen by hand, each with a check box, its source file, and a mark when
//! it is already configured. Imported servers are added disabled unless
//! "Enable Imported Servers" is on.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::gtk::glib;
use relm4::{ComponentSender, adw, gtk};

use super::actions::Candidate;
use super::{Servers, ServersInput};
use valechat_core::mcp::ServerConfig;
use valechat_core::mcp::toolbox::server_binding;

/// The widgets and offers of the Import page.
#[derive(Debug)]
pub struct Importer {
    /// The page, added to the window's stack.
    pub page: gtk::ScrolledWindow,
    list: gtk::ListBox,
    notes: gtk::Label,
    enable: gtk::Switch,
    offers: Vec<(Candidate, gtk::CheckButton)>,
}

impl Importer {
    /// An empty page; its buttons talk to the window through `sender`.
    pub fn new(sender: &ComponentSender<Servers>) -> Self {
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::None)
            .css_classes(["boxed-list"])
            .build();
        let choose = gtk::Button::builder()
            .label(gettext("Choose File…"))
            .valign(gtk::Align::Center)
            .build();
        let s = sender.clone();
        choose.connect_clicked(move |_| s.input(ServersInput::ChooseImportFile));
        let found = adw::PreferencesGroup::builder()
            .title(gettext("Servers Found"))
            .description(gettext(
                "From the configuration files of Claude Desktop, Claude Code, Cursor, VS Code and Zed, or a JSON file you choose.",
            ))
            .header_suffix(&choose)
            .build();
        found.add(&list);
        let notes = gtk::Label::builder()
            .wrap(true)
            .xalign(0.0)
            .visible(false)
            .css_classes(["dim-label", "caption"])
            .build();
        found.add(&notes);

        let enable = crate::ui::a11y::labelled::<gtk::Switch>(
            "GtkSwitch",
            &gettext("Enable Imported Servers"),
        )
        .unwrap_or_default();
        enable.set_valign(gtk::Align::Center);
        let enable_row = adw::ActionRow::builder()
            .title(gettext("Enable Imported Servers"))
            .subtitle(gettext(
                "Off: they are added disabled, to be checked and enabled one by one.",
            ))
            .activatable_widget(&enable)
            .build();
        enable_row.add_suffix(&enable);
        let import = gtk::Button::builder()
            .label(gettext("Import"))
            .halign(gtk::Align::End)
            .css_classes(["suggested-action", "pill"])
            .build();
        let s = sender.clone();
        import.connect_clicked(move |_| s.input(ServersInput::Import));
        let options = adw::PreferencesGroup::new();
        options.add(&enable_row);

        let column = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(24)
            .margin_top(18)
            .margin_bottom(18)
            .margin_start(12)
            .margin_end(12)
            .build();
        column.append(&found);
        column.append(&options);
        column.append(&import);
        let page = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .child(
                &adw::Clamp::builder()
                    .maximum_size(680)
                    .child(&column)
                    .build(),
            )
            .build();
        Self {
            page,
            list,
            notes,
            enable,
            offers: Vec::new(),
        }
    }

    /// Empties the page (before discovery runs again).
    pub fn clear(&mut self) {
        while let Some(child) = self.list.first_child() {
            self.list.remove(&child);
        }
        self.offers.clear();
        self.notes.set_visible(false);
        self.enable.set_active(false);
        self.show_empty();
    }

    fn show_empty(&self) {
        if self.offers.is_empty() && self.list.first_child().is_none() {
            self.list.append(
                &adw::ActionRow::builder()
                    .title(gettext("No configuration files found"))
                    .sensitive(false)
                    .build(),
            );
        }
    }

    /// Adds `found` (skipping servers already offered) and `notes`.
    pub fn add(&mut self, found: Vec<Candidate>, notes: &[String]) {
        if self.offers.is_empty() {
            while let Some(child) = self.list.first_child() {
                self.list.remove(&child);
            }
        }
        for candidate in found {
            let binding = server_binding(&candidate.config);
            if self
                .offers
                .iter()
                .any(|(c, _)| server_binding(&c.config) == binding)
            {
                continue;
            }
            let check = crate::ui::a11y::labelled::<gtk::CheckButton>(
                "GtkCheckButton",
                &candidate.config.name,
            )
            .unwrap_or_default();
            check.set_active(!candidate.duplicate);
            let mut subtitle = format!("{}\n{}", binding, candidate.origin);
            if candidate.duplicate {
                subtitle = format!("{} · {subtitle}", gettext("Already added"));
            }
            let row = adw::ActionRow::builder()
                .title(glib::markup_escape_text(&candidate.config.name).as_str())
                .subtitle(glib::markup_escape_text(&subtitle).as_str())
                .subtitle_lines(3)
                .activatable_widget(&check)
                .build();
            row.add_prefix(&check);
            self.list.append(&row);
            self.offers.push((candidate, check));
        }
        if !notes.is_empty() {
            let mut text = self.notes.text().to_string();
            for note in notes {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(note);
            }
            self.notes.set_text(&text);
            self.notes.set_visible(true);
        }
        self.show_empty();
    }

    /// The ticked servers and whether to enable them.
    pub fn chosen(&self) -> (Vec<ServerConfig>, bool) {
        let chosen = self
            .offers
            .iter()
            .filter(|(_, check)| check.is_active())
            .map(|(c, _)| c.config.clone())
            .collect();
        (chosen, self.enable.is_active())
    }
}
