//! The rows of the resource browser: a group per server, a row per
//! resource (Attach, and “Watch for Changes” where the server offers
//! subscriptions), an expander per template with one entry per variable,
//! and the search filter over them.

use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw;
use relm4::adw::prelude::*;
use relm4::gtk;
use relm4::gtk::glib;
use rmcp::model::{Resource, ResourceTemplate};

use relm4::Controller;
use relm4::prelude::*;

use super::{Context, ResourceBrowserInput};
use crate::i18n::gettext_f;
use crate::ui::completion_popover::{CompletionInit, CompletionPopover, Source, Target};
use valechat_core::mcp::{ServerResources, expand_template, template_variables};

/// The group of one server: its resources, then its templates; the
/// templates' completions are added to `completions`.
pub(super) fn server_group(
    server: &ServerResources,
    context: &Context,
    completions: &mut Vec<Controller<CompletionPopover>>,
) -> adw::PreferencesGroup {
    let group = adw::PreferencesGroup::builder()
        .title(glib::markup_escape_text(&server.server_id).as_str())
        .build();
    for resource in &server.resources {
        group.add(&resource_row(
            &server.server_id,
            server.subscribe,
            resource,
            context,
        ));
    }
    for template in &server.templates {
        group.add(&template_row(
            &server.server_id,
            template,
            context,
            completions,
        ));
    }
    group
}

/// `URI` then `MIME type · size` (when known).
fn subtitle(resource: &Resource) -> String {
    let mut details = Vec::new();
    if let Some(mime) = &resource.mime_type {
        details.push(mime.clone());
    }
    if let Some(size) = resource.size {
        details.push(glib::format_size(size).to_string());
    }
    if details.is_empty() {
        resource.uri.clone()
    } else {
        format!("{}\n{}", resource.uri, details.join(" · "))
    }
}

fn resource_row(
    server: &str,
    subscribe: bool,
    resource: &Resource,
    context: &Context,
) -> adw::ActionRow {
    let name = resource
        .title
        .clone()
        .unwrap_or_else(|| resource.name.clone());
    let row = adw::ActionRow::builder()
        .title(glib::markup_escape_text(&name).as_str())
        .subtitle(glib::markup_escape_text(&subtitle(resource)).as_str())
        .subtitle_lines(2)
        .build();
    if subscribe {
        let label = gettext("Watch for Changes");
        let switch: gtk::Switch =
            crate::ui::a11y::labelled("GtkSwitch", &label).unwrap_or_default();
        switch.set_tooltip_text(Some(&label));
        switch.set_valign(gtk::Align::Center);
        let key = (server.to_owned(), resource.uri.clone());
        switch.set_active(context.watched.contains(&key));
        let (input, name) = (context.input.clone(), name.clone());
        switch.connect_state_set(move |switch, on| {
            input.emit(ResourceBrowserInput::Watch {
                server: key.0.clone(),
                uri: key.1.clone(),
                name: name.clone(),
                on,
                switch: switch.clone(),
            });
            glib::Propagation::Proceed
        });
        row.add_suffix(&switch);
    }
    let button = attach_button(&name);
    let (input, server, uri) = (
        context.input.clone(),
        server.to_owned(),
        resource.uri.clone(),
    );
    let chosen = name.clone();
    let choose = move || {
        input.emit(ResourceBrowserInput::Attach {
            server: server.clone(),
            uri: uri.clone(),
            name: chosen.clone(),
        });
    };
    // Not `set_activatable_widget`: its labelled-by relation would replace
    // the button's accessible name.
    row.set_activatable(true);
    {
        let choose = choose.clone();
        row.connect_activated(move |_| choose());
    }
    button.connect_clicked(move |_| choose());
    row.add_suffix(&button);
    row
}

/// An “Attach” button whose accessible name says what it attaches.
fn attach_button(name: &str) -> gtk::Button {
    let label = gettext_f("Attach “{name}”", &[("name", name)]);
    let button: gtk::Button = crate::ui::a11y::labelled("GtkButton", &label).unwrap_or_default();
    // A child label, not `set_label`, which would replace the accessible name.
    button.set_child(Some(&gtk::Label::new(Some(&gettext("Attach")))));
    button.set_tooltip_text(Some(&label));
    button.set_valign(gtk::Align::Center);
    button
}

fn template_row(
    server: &str,
    template: &ResourceTemplate,
    context: &Context,
    completions: &mut Vec<Controller<CompletionPopover>>,
) -> adw::ExpanderRow {
    let name = template
        .title
        .clone()
        .unwrap_or_else(|| template.name.clone());
    let row = adw::ExpanderRow::builder()
        .title(glib::markup_escape_text(&name).as_str())
        .subtitle(glib::markup_escape_text(&template.uri_template).as_str())
        .build();
    let form = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(6)
        .margin_top(6)
        .margin_bottom(6)
        .margin_start(12)
        .margin_end(12)
        .build();
    let mut entries = Vec::new();
    for variable in template_variables(&template.uri_template) {
        let entry: gtk::Entry =
            crate::ui::a11y::labelled("GtkEntry", &variable).unwrap_or_default();
        entry.set_placeholder_text(Some(&variable));
        form.append(&entry);
        entries.push((variable, entry));
    }
    let entries = Rc::new(entries);
    for (variable, entry) in entries.iter() {
        let completion = CompletionPopover::builder()
            .launch(CompletionInit {
                entry: entry.clone(),
                source: suggestions(server, template, variable, &entries, context),
            })
            .detach();
        completions.push(completion);
    }
    let button = attach_button(&name);
    button.set_halign(gtk::Align::End);
    form.append(&button);
    let (input, server) = (context.input.clone(), server.to_owned());
    let uri_template = template.uri_template.clone();
    button.connect_clicked(move |_| {
        let values = values(&entries);
        input.emit(ResourceBrowserInput::Attach {
            server: server.clone(),
            uri: expand_template(&uri_template, &values),
            name: name.clone(),
        });
    });
    row.add_row(&form);
    row
}

/// `(variable, value)` of the filled-in entries.
fn values(entries: &[(String, gtk::Entry)]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|(n, e)| (n.clone(), e.text().trim().to_owned()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// Completion of template variable `variable`, with the other variables
/// as context.
fn suggestions(
    server: &str,
    template: &ResourceTemplate,
    variable: &str,
    entries: &Rc<Vec<(String, gtk::Entry)>>,
    context: &Context,
) -> Source {
    let entries = Rc::downgrade(entries);
    Source {
        servers: context.servers.clone(),
        server_id: server.to_owned(),
        target: Target::ResourceTemplate(template.uri_template.clone()),
        argument: variable.to_owned(),
        context: Rc::new(move || entries.upgrade().map(|e| values(&e)).unwrap_or_default()),
    }
}

/// Shows only the rows whose title or subtitle contains `query`
/// (lower-case); groups without a visible row are hidden.
pub(super) fn filter(content: &gtk::Box, query: &str) {
    let mut group = content.first_child();
    while let Some(widget) = group {
        group = widget.next_sibling();
        let Some(prefs) = widget.downcast_ref::<adw::PreferencesGroup>() else {
            continue;
        };
        let mut any = false;
        visit_rows(prefs.upcast_ref(), &mut |row| {
            let text = format!("{}\n{}", row.title(), subtitle_of(row)).to_lowercase();
            let shown = query.is_empty() || text.contains(query);
            row.set_visible(shown);
            any |= shown;
        });
        widget.set_visible(any);
    }
}

fn subtitle_of(row: &adw::PreferencesRow) -> String {
    if let Some(action) = row.downcast_ref::<adw::ActionRow>() {
        return action.subtitle().map(|s| s.to_string()).unwrap_or_default();
    }
    if let Some(expander) = row.downcast_ref::<adw::ExpanderRow>() {
        return expander.subtitle().to_string();
    }
    String::new()
}

/// Calls `f` on every preferences row under `widget` (not inside rows).
fn visit_rows(widget: &gtk::Widget, f: &mut dyn FnMut(&adw::PreferencesRow)) {
    let mut child = widget.first_child();
    while let Some(current) = child {
        child = current.next_sibling();
        if let Some(row) = current.downcast_ref::<adw::PreferencesRow>() {
            f(row);
        } else {
            visit_rows(&current, f);
        }
    }
}
