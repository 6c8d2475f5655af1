//! The Import page: servers found in other apps' configuration files
//! (Claude Desktop, Claude Code, Cursor, VS Code, Zed) or in a JSON file
//! chosen by hand, each with a check box, its source file, and a mark when
//! it is already configured. Imported servers are added disabled unless
//! "Enable Imported Servers" is on. `${VAR}` references to environment
//! variables stay as written unless "Fill In Environment Variables" is on:
//! a file must not send the user's variables to a server unasked.

use gettextrs::gettext;

use crate::i18n::gettext_f;
use relm4::adw::prelude::*;
use relm4::gtk::glib;
use relm4::{ComponentSender, adw, gtk};

use super::actions::Candidate;
use super::{Servers, ServersInput};
use std::collections::BTreeSet;

use valechat_core::mcp::ServerConfig;
use valechat_core::mcp::import;
use valechat_core::mcp::toolbox::server_binding;

/// The widgets and offers of the Import page.
#[derive(Debug)]
pub struct Importer {
    /// The page, added to the window's stack.
    pub page: gtk::ScrolledWindow,
    list: gtk::ListBox,
    notes: gtk::Label,
    enable: gtk::Switch,
    fill: gtk::Switch,
    fill_row: adw::ActionRow,
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
        let fill = crate::ui::a11y::labelled::<gtk::Switch>(
            "GtkSwitch",
            &gettext("Fill In Environment Variables"),
        )
        .unwrap_or_default();
        fill.set_valign(gtk::Align::Center);
        let fill_row = adw::ActionRow::builder()
            .title(gettext("Fill In Environment Variables"))
            .activatable_widget(&fill)
            .visible(false)
            .build();
        fill_row.add_suffix(&fill);
        let options = adw::PreferencesGroup::new();
        options.add(&enable_row);
        options.add(&fill_row);

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
            fill,
            fill_row,
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
        self.fill.set_active(false);
        self.fill_row.set_visible(false);
        self.show_empty();
    }

    /// Shows the "Fill In Environment Variables" row, naming the variables
    /// the offered servers refer to, when there are any.
    fn show_variables(&self) {
        let names: BTreeSet<String> = self
            .offers
            .iter()
            .flat_map(|(c, _)| import::variables(&c.config))
            .collect();
        if names.is_empty() {
            self.fill_row.set_visible(false);
            return;
        }
        let names: Vec<String> = names.into_iter().collect();
        self.fill_row.set_subtitle(&gettext_f(
            "These servers refer to {names}. Off: the references are kept as written, and the server may not start until you edit it.",
            &[("names", &names.join(", "))],
        ));
        self.fill_row.set_visible(true);
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
        self.show_variables();
        self.show_empty();
    }

    /// The ticked servers (their variables filled in from the environment
    /// when the user said so) and whether to enable them.
    pub fn chosen(&self) -> (Vec<ServerConfig>, bool) {
        let fill = self.fill.is_active();
        let chosen = self
            .offers
            .iter()
            .filter(|(_, check)| check.is_active())
            .map(|(c, _)| {
                let mut config = c.config.clone();
                if fill {
                    import::fill(&mut config, &|name| std::env::var(name).ok());
                }
                config
            })
            .collect();
        (chosen, self.enable.is_active())
    }
}
