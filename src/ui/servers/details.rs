//! A server's details page: its state (with "Sandboxed" when it runs in
//! its sandbox), its tools (name, title, description,
//! read-only / destructive hints), the tools it is always allowed to run
//! (each with Revoke), "Sign Out" when OAuth tokens are stored, and its live log (stderr, protocol log messages and
//! ValeChat's own notes, monospace, following the end).

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::gtk::glib;
use relm4::{ComponentSender, adw, gtk};

use super::actions::Details;
use super::{Servers, ServersInput};
use crate::i18n::gettext_f;
use valechat_core::mcp::{LogLine, LogSource, ServerConfig, ServerState};

/// Log lines kept in the view.
const MAX_LOG_LINES: i32 = 2000;

/// The widgets of the details page.
#[derive(Debug)]
pub struct DetailsView {
    /// The page, added to the window's stack.
    pub page: gtk::ScrolledWindow,
    state: adw::ActionRow,
    sign_out: gtk::Button,
    tools: gtk::ListBox,
    permissions: gtk::ListBox,
    log: gtk::TextView,
    log_scroller: gtk::ScrolledWindow,
}

fn boxed_list() -> gtk::ListBox {
    gtk::ListBox::builder()
        .selection_mode(gtk::SelectionMode::None)
        .css_classes(["boxed-list"])
        .build()
}

fn clear(list: &gtk::ListBox) {
    while let Some(child) = list.first_child() {
        list.remove(&child);
    }
}

fn placeholder(list: &gtk::ListBox, text: &str) {
    list.append(
        &adw::ActionRow::builder()
            .title(text)
            .sensitive(false)
            .build(),
    );
}

fn group(title: &str, child: &impl IsA<gtk::Widget>) -> adw::PreferencesGroup {
    let group = adw::PreferencesGroup::builder().title(title).build();
    group.add(child);
    group
}

impl DetailsView {
    /// An empty page.
    pub fn new(sender: &ComponentSender<Servers>) -> Self {
        let state = adw::ActionRow::builder().subtitle_lines(12).build();
        let sign_out = gtk::Button::with_label(&gettext("Sign Out"));
        sign_out.set_valign(gtk::Align::Center);
        sign_out.set_visible(false);
        let s = sender.clone();
        sign_out.connect_clicked(move |_| s.input(ServersInput::SignOut));
        state.add_suffix(&sign_out);
        let state_list = boxed_list();
        state_list.append(&state);
        let tools = boxed_list();
        let permissions = boxed_list();
        let log = crate::ui::a11y::labelled::<gtk::TextView>("GtkTextView", &gettext("Log"))
            .unwrap_or_default();
        log.set_editable(false);
        log.set_cursor_visible(false);
        log.set_monospace(true);
        log.set_wrap_mode(gtk::WrapMode::WordChar);
        log.set_top_margin(8);
        log.set_bottom_margin(8);
        log.set_left_margin(8);
        log.set_right_margin(8);
        let log_scroller = gtk::ScrolledWindow::builder()
            .child(&log)
            .height_request(260)
            .hscrollbar_policy(gtk::PolicyType::Never)
            .css_classes(["card"])
            .build();
        let column = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(24)
            .margin_top(18)
            .margin_bottom(18)
            .margin_start(12)
            .margin_end(12)
            .build();
        column.append(&group(&gettext("State"), &state_list));
        column.append(&group(&gettext("Tools"), &tools));
        let allowed = group(&gettext("Always Allowed"), &permissions);
        allowed.set_description(Some(&gettext(
            "Tools that run without asking. Revoke one to be asked again.",
        )));
        column.append(&allowed);
        column.append(&group(&gettext("Log"), &log_scroller));
        let page = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .child(
                &adw::Clamp::builder()
                    .maximum_size(760)
                    .child(&column)
                    .build(),
            )
            .build();
        Self {
            page,
            state,
            sign_out,
            tools,
            permissions,
            log,
            log_scroller,
        }
    }

    /// Shows `config` with `state`; tools and permissions load later.
    pub fn show(&self, config: &ServerConfig, state: Option<&ServerState>) {
        self.set_state(config, state);
        clear(&self.tools);
        placeholder(&self.tools, &gettext("Loading…"));
        clear(&self.permissions);
        self.sign_out.set_visible(false);
        self.log.buffer().set_text("");
    }

    /// Updates the state row.
    pub fn set_state(&self, config: &ServerConfig, state: Option<&ServerState>) {
        self.state
            .set_title(glib::markup_escape_text(&super::row::state_text(state)).as_str());
        let mut detail = valechat_core::mcp::toolbox::server_binding(config);
        if let Some(sandbox) = config.sandbox.as_ref().filter(|_| config.is_sandboxed()) {
            detail.push('\n');
            detail.push_str(&if sandbox.network {
                gettext("Sandboxed")
            } else {
                gettext("Sandboxed, no network")
            });
        }
        if let Some(ServerState::Failed {
            last_stderr_lines, ..
        }) = state
        {
            for line in last_stderr_lines {
                detail.push('\n');
                detail.push_str(line);
            }
        }
        self.state
            .set_subtitle(glib::markup_escape_text(&detail).as_str());
    }

    /// Fills the tools and permissions lists.
    pub fn set_details(&self, details: &Details, sender: &ComponentSender<Servers>) {
        self.sign_out.set_visible(details.signed_in);
        clear(&self.tools);
        if details.tools.is_empty() {
            placeholder(&self.tools, &gettext("No tools (the server is not ready)"));
        }
        for tool in &details.tools {
            let title = tool
                .title
                .clone()
                .or_else(|| tool.annotations.as_ref().and_then(|a| a.title.clone()));
            let heading = match &title {
                Some(t) if t != tool.name.as_ref() => format!("{t} ({})", tool.name),
                _ => tool.name.to_string(),
            };
            let row = adw::ActionRow::builder()
                .title(glib::markup_escape_text(&heading).as_str())
                .subtitle(
                    glib::markup_escape_text(tool.description.as_deref().unwrap_or_default())
                        .as_str(),
                )
                .subtitle_lines(3)
                .build();
            let hints = tool.annotations.as_ref();
            if hints.and_then(|a| a.read_only_hint) == Some(true) {
                row.add_suffix(&badge(&gettext("Read-only"), "success"));
            }
            if hints.and_then(|a| a.destructive_hint) == Some(true) {
                row.add_suffix(&badge(&gettext("Destructive"), "error"));
            }
            self.tools.append(&row);
        }
        clear(&self.permissions);
        if details.permissions.is_empty() {
            placeholder(&self.permissions, &gettext("None"));
        }
        for permission in &details.permissions {
            let row = adw::ActionRow::builder()
                .title(glib::markup_escape_text(&permission.tool_name).as_str())
                .build();
            let revoke = crate::ui::a11y::labelled::<gtk::Button>(
                "GtkButton",
                &gettext_f("Revoke {tool}", &[("tool", &permission.tool_name)]),
            )
            .unwrap_or_default();
            revoke.set_label(&gettext("Revoke"));
            revoke.set_valign(gtk::Align::Center);
            let (s, tool) = (sender.clone(), permission.tool_name.clone());
            revoke.connect_clicked(move |_| s.input(ServersInput::Revoke(tool.clone())));
            row.add_suffix(&revoke);
            self.permissions.append(&row);
        }
    }

    /// Replaces the log with `lines`.
    pub fn set_log(&self, lines: &[LogLine]) {
        self.log.buffer().set_text("");
        for line in lines {
            self.append_log(line);
        }
    }

    /// Appends one line and keeps the end in view.
    pub fn append_log(&self, line: &LogLine) {
        let buffer = self.log.buffer();
        let prefix = match line.source {
            LogSource::Stderr => "stderr",
            LogSource::Protocol => "log",
            LogSource::Client => "valechat",
        };
        let mut end = buffer.end_iter();
        buffer.insert(&mut end, &format!("{prefix}: {}\n", line.text));
        let extra = buffer.line_count() - MAX_LOG_LINES;
        if extra > 0 {
            let mut start = buffer.start_iter();
            if let Some(mut cut) = buffer.iter_at_line(extra) {
                buffer.delete(&mut start, &mut cut);
            }
        }
        // Follow the end once the new line is laid out.
        let scroller = self.log_scroller.clone();
        glib::idle_add_local_once(move || {
            let adj = scroller.vadjustment();
            adj.set_value(adj.upper() - adj.page_size());
        });
    }
}

fn badge(text: &str, class: &str) -> gtk::Label {
    gtk::Label::builder()
        .label(text)
        .valign(gtk::Align::Center)
        .css_classes(["caption", class])
        .build()
}
