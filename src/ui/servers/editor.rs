//! The Add/Edit Server page: name, transport, and the transport's fields
//! (stdio: command, arguments, environment lines, working folder; HTTP:
//! URL, header lines, bearer token; WebSocket: URL), and for stdio the
//! sandbox and resource limits (`sandbox.rs`). The typed text is
//! checked by [`super::form::parse`]; its message shows above the fields.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{ComponentSender, adw, gtk};

use super::form::{FormValues, Kind};
use super::sandbox::SandboxGroup;
use super::{Servers, ServersInput};

/// The widgets of the editor page.
#[derive(Debug)]
pub struct Editor {
    /// The page, added to the window's stack.
    pub page: gtk::ScrolledWindow,
    error: gtk::Label,
    name: adw::EntryRow,
    kind: adw::ComboRow,
    stdio: adw::PreferencesGroup,
    remote: adw::PreferencesGroup,
    command: adw::EntryRow,
    arguments: adw::EntryRow,
    environment: gtk::TextView,
    cwd: adw::EntryRow,
    url: adw::EntryRow,
    headers: gtk::TextView,
    headers_group: adw::PreferencesGroup,
    bearer: adw::PasswordEntryRow,
    sandbox: SandboxGroup,
}

fn entry(title: &str) -> adw::EntryRow {
    adw::EntryRow::builder().title(title).build()
}

fn lines_view(label: &str) -> gtk::TextView {
    let view = crate::ui::a11y::labelled::<gtk::TextView>("GtkTextView", label).unwrap_or_default();
    view.set_monospace(true);
    view.set_wrap_mode(gtk::WrapMode::WordChar);
    for set in [
        gtk::TextView::set_top_margin,
        gtk::TextView::set_bottom_margin,
        gtk::TextView::set_left_margin,
        gtk::TextView::set_right_margin,
    ] {
        set(&view, 8);
    }
    view.set_height_request(72);
    view.add_css_class("card");
    view
}

fn text_of(view: &gtk::TextView) -> String {
    let buffer = view.buffer();
    buffer
        .text(&buffer.start_iter(), &buffer.end_iter(), false)
        .to_string()
}

fn list(rows: &[&gtk::Widget]) -> gtk::ListBox {
    let list = gtk::ListBox::builder()
        .selection_mode(gtk::SelectionMode::None)
        .css_classes(["boxed-list"])
        .build();
    for row in rows {
        list.append(*row);
    }
    list
}

impl Editor {
    /// An empty form; changing the transport tells `sender`.
    pub fn new(sender: &ComponentSender<Servers>) -> Self {
        let error = gtk::Label::builder()
            .wrap(true)
            .xalign(0.0)
            .visible(false)
            .css_classes(["error"])
            .build();
        let name = entry(&gettext("Name"));
        let kinds = gtk::StringList::new(&[
            &gettext("Local program (stdio)"),
            &gettext("Remote (HTTP)"),
            &gettext("Remote (WebSocket)"),
        ]);
        let kind = adw::ComboRow::builder()
            .title(gettext("Transport"))
            .model(&kinds)
            .build();
        let s = sender.clone();
        kind.connect_selected_notify(move |_| s.input(ServersInput::TransportChanged));
        let general = adw::PreferencesGroup::new();
        general.add(&list(&[name.upcast_ref(), kind.upcast_ref()]));

        let command = entry(&gettext("Command"));
        let arguments = entry(&gettext("Arguments"));
        let cwd = entry(&gettext("Working Folder"));
        let browse =
            crate::ui::a11y::labelled::<gtk::Button>("GtkButton", &gettext("Choose Folder…"))
                .unwrap_or_default();
        browse.set_icon_name("folder-open-symbolic");
        browse.set_tooltip_text(Some(&gettext("Choose Folder…")));
        browse.set_valign(gtk::Align::Center);
        browse.add_css_class("flat");
        let s = sender.clone();
        browse.connect_clicked(move |_| s.input(ServersInput::ChooseFolder));
        cwd.add_suffix(&browse);
        let stdio = adw::PreferencesGroup::builder()
            .title(gettext("Local Program"))
            .description(gettext(
                "Arguments are separated by spaces; quote those that contain spaces.",
            ))
            .build();
        stdio.add(&list(&[
            command.upcast_ref(),
            arguments.upcast_ref(),
            cwd.upcast_ref(),
        ]));
        let environment = lines_view(&gettext("Environment"));
        let env_group = adw::PreferencesGroup::builder()
            .title(gettext("Environment"))
            .description(gettext(
                "One NAME=value per line. Values that look like keys or tokens are kept in the system keyring.",
            ))
            .build();
        env_group.add(&environment);
        let stdio_box = gtk::Box::new(gtk::Orientation::Vertical, 24);
        stdio_box.append(&stdio);
        stdio_box.append(&env_group);
        let sandbox = SandboxGroup::new();
        stdio_box.append(&sandbox.group);
        stdio_box.append(&sandbox.limits);
        let stdio_group = adw::PreferencesGroup::new();
        stdio_group.add(&stdio_box);

        let url = entry(&gettext("URL"));
        let bearer = adw::PasswordEntryRow::builder()
            .title(gettext("Bearer Token"))
            .build();
        crate::ui::a11y::name_peek_button(&bearer, &gettext("Show Token"), &gettext("Hide Token"));
        let remote = adw::PreferencesGroup::builder()
            .title(gettext("Remote Server"))
            .description(gettext(
                "The token is kept in the system keyring; leave it empty to keep the stored one.",
            ))
            .build();
        remote.add(&list(&[url.upcast_ref(), bearer.upcast_ref()]));
        let headers = lines_view(&gettext("Headers"));
        let headers_group = adw::PreferencesGroup::builder()
            .title(gettext("Headers"))
            .description(gettext("One “Name: value” per line."))
            .build();
        headers_group.add(&headers);

        let column = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(24)
            .margin_top(18)
            .margin_bottom(18)
            .margin_start(12)
            .margin_end(12)
            .build();
        for widget in [
            error.upcast_ref::<gtk::Widget>(),
            general.upcast_ref(),
            stdio_group.upcast_ref(),
            remote.upcast_ref(),
            headers_group.upcast_ref(),
        ] {
            column.append(widget);
        }
        let page = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .child(
                &adw::Clamp::builder()
                    .maximum_size(600)
                    .child(&column)
                    .build(),
            )
            .build();
        let editor = Self {
            page,
            error,
            name,
            kind,
            stdio: stdio_group,
            remote,
            command,
            arguments,
            environment,
            cwd,
            url,
            headers,
            headers_group,
            bearer,
            sandbox,
        };
        editor.show_kind();
        editor
    }

    /// Whether the sandbox can be used (see [`SandboxGroup::set_available`]).
    pub fn sandbox_checked(&self, available: Result<(), String>) {
        self.sandbox.set_available(available);
    }

    /// Empties the fields for a new server; its sandbox starts from the
    /// recommended settings where Bubblewrap can be used.
    pub fn load_new(&self) {
        self.load(&FormValues::default());
        self.sandbox.load_new();
    }

    /// Fills the fields with `values` and clears the message.
    pub fn load(&self, values: &FormValues) {
        self.name.set_text(&values.name);
        self.kind.set_selected(values.kind.index());
        self.command.set_text(&values.command);
        self.arguments.set_text(&values.arguments);
        self.environment.buffer().set_text(&values.environment);
        self.cwd.set_text(&values.cwd);
        self.url.set_text(&values.url);
        self.headers.buffer().set_text(&values.headers);
        self.bearer.set_text("");
        self.sandbox.load(&values.sandbox);
        self.set_error(None);
        self.show_kind();
        self.name.grab_focus();
    }

    /// The typed text.
    pub fn values(&self) -> FormValues {
        FormValues {
            name: self.name.text().to_string(),
            kind: Kind::from_index(self.kind.selected()),
            command: self.command.text().to_string(),
            arguments: self.arguments.text().to_string(),
            environment: text_of(&self.environment),
            cwd: self.cwd.text().to_string(),
            url: self.url.text().to_string(),
            headers: text_of(&self.headers),
            bearer: self.bearer.text().to_string(),
            sandbox: self.sandbox.settings(),
        }
    }

    /// Shows only the groups of the chosen transport.
    pub fn show_kind(&self) {
        let kind = Kind::from_index(self.kind.selected());
        self.stdio.set_visible(kind == Kind::Stdio);
        self.remote.set_visible(kind != Kind::Stdio);
        self.bearer.set_visible(kind == Kind::Http);
        self.headers_group.set_visible(kind == Kind::Http);
    }

    /// Puts `path` in the Working Folder field.
    pub fn set_cwd(&self, path: &str) {
        self.cwd.set_text(path);
    }

    /// Shows `message` above the fields, or hides it.
    pub fn set_error(&self, message: Option<&str>) {
        self.error.set_visible(message.is_some());
        self.error.set_label(message.unwrap_or_default());
    }
}
