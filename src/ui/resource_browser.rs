//! The resource browser (Attach Resource… in the composer): every ready
//! MCP server's resources (name, URI, MIME type, size) and resource
//! templates, with a search field. Attach reads the resource and adds it to
//! the composer as a chip; a template's variables are filled in first, with
//! suggestions from the server (`completion/complete`). Servers that offer
//! `resources.subscribe` get a “Watch for Changes” switch per resource.
//!
//! Rows are built in [`rows`].

mod rows;

use std::collections::HashSet;
use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw;
use relm4::adw::prelude::*;
use relm4::gtk;

use crate::ui::composer::ComposerInput;
use valechat_core::mcp::{McpServers, ServerResources};
use valechat_core::provider::ResourceAttachment;

/// What the rows need to act.
#[derive(Clone)]
struct Context {
    servers: McpServers,
    input: relm4::Sender<ComposerInput>,
    window: adw::Window,
    /// `(server id, URI)` already watched.
    watched: Rc<HashSet<(String, String)>>,
}

/// Opens the browser over `parent`; attached resources and watch changes
/// go to the composer through `input`. `watched` are the `(server id, URI)`
/// pairs watched so far.
pub fn open(
    parent: Option<&gtk::Window>,
    servers: McpServers,
    watched: HashSet<(String, String)>,
    input: relm4::Sender<ComposerInput>,
) -> adw::Window {
    let window = adw::Window::builder()
        .title(gettext("Attach Resource"))
        .modal(true)
        .default_width(560)
        .default_height(560)
        .build();
    window.set_transient_for(parent);
    let search: gtk::SearchEntry =
        crate::ui::a11y::labelled("GtkSearchEntry", &gettext("Search Resources"))
            .unwrap_or_default();
    search.set_hexpand(true);
    let header = adw::HeaderBar::builder()
        .title_widget(&adw::WindowTitle::new(&gettext("Attach Resource"), ""))
        .build();
    let content = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(18)
        .margin_top(12)
        .margin_bottom(12)
        .margin_start(12)
        .margin_end(12)
        .build();
    let loading = adw::StatusPage::builder()
        .title(gettext("Loading Resources…"))
        .icon_name("network-server-symbolic")
        .build();
    content.append(&loading);
    let clamp = adw::Clamp::builder().child(&content).build();
    let scroller = gtk::ScrolledWindow::builder()
        .child(&clamp)
        .vexpand(true)
        .hscrollbar_policy(gtk::PolicyType::Never)
        .build();
    let body = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .build();
    body.append(&header);
    let search_bar = gtk::Box::builder()
        .margin_start(12)
        .margin_end(12)
        .margin_top(6)
        .build();
    search_bar.append(&search);
    body.append(&search_bar);
    body.append(&scroller);
    window.set_content(Some(&body));
    let context = Context {
        servers: servers.clone(),
        input,
        window: window.clone(),
        watched: Rc::new(watched),
    };
    {
        let content = content.clone();
        search.connect_search_changed(move |entry| {
            rows::filter(&content, &entry.text().to_lowercase());
        });
    }
    relm4::spawn_local(async move {
        let listed = relm4::spawn(async move { servers.list_all_resources().await })
            .await
            .unwrap_or_default();
        content.remove(&loading);
        fill(&content, &listed, &context);
    });
    window.present();
    window
}

/// Adds a group per server, or a status page when there is nothing.
fn fill(content: &gtk::Box, listed: &[ServerResources], context: &Context) {
    if listed.is_empty() {
        let empty = adw::StatusPage::builder()
            .title(gettext("No Resources"))
            .description(gettext("None of the running MCP servers offers resources."))
            .icon_name("network-server-symbolic")
            .build();
        content.append(&empty);
        return;
    }
    for server in listed {
        content.append(&rows::server_group(server, context));
    }
}

/// Reads `uri` of `server` and hands it to the composer (the browser
/// closes), or tells the composer why it could not be read.
fn attach(context: &Context, server: &str, uri: &str, name: &str) {
    let (servers, input, window) = (
        context.servers.clone(),
        context.input.clone(),
        context.window.clone(),
    );
    let (server, uri, name) = (server.to_owned(), uri.to_owned(), name.to_owned());
    relm4::spawn_local(async move {
        let read: Result<Vec<ResourceAttachment>, String> = relm4::spawn(async move {
            servers
                .read_attachments(&server, &uri, &name)
                .await
                .map_err(|e| {
                    crate::i18n::gettext_f(
                        "Could not read “{name}”: {error}",
                        &[("name", &name), ("error", &e.to_string())],
                    )
                })
        })
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
        match read {
            Ok(resources) => {
                input.emit(ComposerInput::AddResources(resources));
                window.close();
            }
            Err(message) => input.emit(ComposerInput::Refused(message)),
        }
    });
}
