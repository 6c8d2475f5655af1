//! Pin, archive and folders in the sidebar (issue 14, part 3): the
//! groups drawn as headers (`groups`), folder headers (`folders`), the
//! main menu's New Folder… and Show Archived, and what the conversation
//! menu's Pin/Unpin, Archive/Unarchive and Move to… do.

use std::cell::RefCell;
use std::rc::Rc;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::gtk::{gio, glib};
use relm4::{ComponentSender, gtk};

use super::groups::{Group, Layout, title, title_label};
use super::{Sidebar, SidebarInput, SidebarOutput, folder_dialogs, folders};
use valechat_core::store::{Conversation, Folder, Listing};

/// What the sidebar's organising parts ask of it.
#[derive(Debug, Clone)]
pub enum OrganiseInput {
    /// Pin conversation `id`, or unpin it if pinned.
    TogglePin(i64),
    /// Archive conversation `id`, or unarchive it if archived.
    ToggleArchive(i64),
    /// Ask which folder conversation `id` goes to (Move to…).
    AskMove(i64),
    /// File conversation `.0` in folder `.1` (`None`: no folder).
    Move(i64, Option<i64>),
    /// Ask for a new folder's name; then move conversation `.0` into it.
    AskNewFolder(Option<i64>),
    /// Create a folder named `.0`; then move conversation `.1` into it.
    CreateFolder(String, Option<i64>),
    /// Ask for folder `id`'s new name.
    AskRenameFolder(i64),
    /// Rename folder `.0` to `.1`.
    RenameFolder(i64, String),
    /// Ask to confirm deleting folder `id`.
    AskDeleteFolder(i64),
    /// Export the conversations filed in folder `id` (its Export…).
    ExportFolder(i64),
    /// Delete folder `id` (its conversations are kept).
    DeleteFolder(i64),
    /// Collapse or expand folder `id`.
    ToggleFolder(i64),
    /// List archived conversations too (in their own group, last).
    ShowArchived(bool),
}

/// The sidebar's organising state.
pub(super) struct Organiser {
    layout: Rc<RefCell<Layout>>,
    show_archived: bool,
    /// The list's last row: empty, never selected; its header draws
    /// folders no conversation row heads.
    end: gtk::ListBoxRow,
}

impl Organiser {
    /// Sets up `list` (headers, collapsed folders, drops into and out of
    /// folders) and the `sidebar.*` actions of the main menu's section
    /// (on `root`; [`Organiser::add_to_menu`] adds the section).
    pub(super) fn install(
        list: &gtk::ListBox,
        root: &gtk::Box,
        sender: &ComponentSender<Sidebar>,
    ) -> Self {
        let layout = Rc::new(RefCell::new(Layout::default()));
        let l = layout.clone();
        let s = sender.clone();
        list.set_header_func(move |row, before| {
            row.set_header(header(&l.borrow(), row, before, &s).as_ref());
        });
        let l = layout.clone();
        list.set_filter_func(move |row| !l.borrow().hides(row.index()));
        // Drops on folder headers are theirs; drops on rows are the list's.
        list.add_controller(list_drop(&layout, list, sender));

        let end = gtk::ListBoxRow::builder()
            .selectable(false)
            .activatable(false)
            .focusable(false)
            .accessible_role(gtk::AccessibleRole::Presentation)
            .build();
        list.append(&end);

        let group = gio::SimpleActionGroup::new();
        let show = gio::SimpleAction::new_stateful("show-archived", None, &false.to_variant());
        let s = sender.clone();
        show.connect_change_state(move |action, state| {
            if let Some(on) = state.and_then(glib::Variant::get::<bool>) {
                action.set_state(&on.to_variant());
                s.input(SidebarInput::Organise(OrganiseInput::ShowArchived(on)));
            }
        });
        group.add_action(&show);
        let new_folder = gio::SimpleAction::new("new-folder", None);
        let s = sender.clone();
        new_folder.connect_activate(move |_, _| {
            s.input(SidebarInput::Organise(OrganiseInput::AskNewFolder(None)));
        });
        group.add_action(&new_folder);
        root.insert_action_group("sidebar", Some(&group));
        Self {
            layout,
            show_archived: false,
            end,
        }
    }

    /// Adds New Folder… and Show Archived to `button`'s menu, after its
    /// first section.
    pub(super) fn add_to_menu(button: &gtk::MenuButton) {
        let Some(menu) = button.menu_model().and_downcast::<gio::Menu>() else {
            return;
        };
        let section = gio::Menu::new();
        section.append(Some(&gettext("New Folder…")), Some("sidebar.new-folder"));
        section.append(
            Some(&gettext("Show Archived")),
            Some("sidebar.show-archived"),
        );
        menu.insert_section(1, None, &section);
    }

    /// Which conversations the sidebar lists.
    pub(super) fn listing(&self) -> Listing {
        if self.show_archived {
            Listing::All
        } else {
            Listing::Active
        }
    }

    /// Orders `list` by group, with `folders` (`None`: those known).
    pub(super) fn arrange(
        &self,
        list: Vec<Conversation>,
        folders: Option<Vec<Folder>>,
    ) -> Vec<Conversation> {
        let mut layout = self.layout.borrow_mut();
        let folders = folders.unwrap_or_else(|| std::mem::take(&mut layout.folders));
        let list = if self.show_archived {
            list
        } else {
            list.into_iter().filter(|c| !c.archived).collect()
        };
        let (arranged, ordered) =
            Layout::arrange(list, folders, std::mem::take(&mut layout.collapsed));
        *layout = arranged;
        ordered
    }

    /// After the rows were rebuilt: the end row goes last again, headers
    /// and collapsed folders are drawn anew.
    pub(super) fn rebuilt(&self, list: &gtk::ListBox) {
        if self.end.parent().is_some() {
            list.remove(&self.end);
        }
        list.append(&self.end);
        self.hide_collapsed(list);
    }

    /// Hides the rows of collapsed folders: with the filter function, so
    /// they stay hidden whatever the search shows, and as hidden widgets,
    /// so that assistive technologies skip them too (the search's rule,
    /// `search::SidebarFilter::apply`, must have run just before).
    fn hide_collapsed(&self, list: &gtk::ListBox) {
        let layout = self.layout.borrow();
        let mut index = 0;
        while let Some(row) = list.row_at_index(index) {
            if layout.hides(index) {
                row.set_visible(false);
            }
            index += 1;
        }
        drop(layout);
        list.invalidate_filter();
        list.invalidate_headers();
    }

    /// Whether there is any folder (an empty one is still listed).
    pub(super) fn has_folders(&self) -> bool {
        !self.layout.borrow().folders.is_empty()
    }

    /// The folders, by name.
    pub(super) fn folders(&self) -> Vec<Folder> {
        self.layout.borrow().folders.clone()
    }
}

/// The list's drop target for rows: a row dropped on a row of a folder
/// goes into that folder, on any other row out of its folder.
fn list_drop(
    layout: &Rc<RefCell<Layout>>,
    list: &gtk::ListBox,
    sender: &ComponentSender<Sidebar>,
) -> gtk::DropTarget {
    let target = gtk::DropTarget::new(i64::static_type(), gtk::gdk::DragAction::MOVE);
    let layout = layout.clone();
    let sender = sender.clone();
    let list = list.downgrade();
    target.connect_drop(move |_, value, _, y| {
        let (Ok(id), Some(list)) = (value.get::<i64>(), list.upgrade()) else {
            return false;
        };
        #[allow(clippy::cast_possible_truncation, reason = "a pixel offset")]
        let folder = list
            .row_at_y(y as i32)
            .and_then(|row| layout.borrow().folder_at(row.index()));
        sender.input(SidebarInput::Organise(OrganiseInput::Move(id, folder)));
        true
    });
    target
}

/// The header of `row`: the groups between the row `before` it and its
/// own group (folders with no row shown), then its group's title.
fn header(
    layout: &Layout,
    row: &gtk::ListBoxRow,
    before: Option<&gtk::ListBoxRow>,
    sender: &ComponentSender<Sidebar>,
) -> Option<gtk::Widget> {
    let own = layout.section_of(row.index());
    let first = before.map_or(0, |b| layout.section_of(b.index()) + 1);
    if first > own {
        return None;
    }
    let bx = gtk::Box::new(gtk::Orientation::Vertical, 0);
    for (i, group) in layout.sections.iter().enumerate().take(own + 1).skip(first) {
        match *group {
            Group::Folder { position, id } => {
                if let Some(f) = layout.folders.get(position) {
                    let focus = layout.refocus.get() == Some(id);
                    bx.append(&folders::header(
                        f,
                        layout.collapsed.contains(&id),
                        focus,
                        sender,
                    ));
                }
            }
            // Other groups only head their own rows.
            g if i == own => bx.append(&title_label(&title(g, &layout.folders, layout.this_year))),
            _ => {}
        }
    }
    bx.first_child().map(|_| bx.upcast())
}

impl Sidebar {
    /// Handles what the organising parts ask.
    pub(super) fn organise(
        &mut self,
        input: OrganiseInput,
        root: &gtk::Box,
        sender: &ComponentSender<Self>,
    ) {
        let find = |id: i64| {
            self.rows
                .iter()
                .find(|r| r.conversation.id == id)
                .map(|r| (r.conversation.clone(), r.display_title()))
        };
        match input {
            OrganiseInput::TogglePin(id) => {
                let pinned = find(id).is_some_and(|(c, _)| c.pinned);
                self.store_then_refresh(sender, move |engine| async move {
                    engine.store().set_pinned(id, !pinned).await
                });
            }
            OrganiseInput::ToggleArchive(id) => {
                let archived = find(id).is_some_and(|(c, _)| c.archived);
                self.store_then_refresh(sender, move |engine| async move {
                    engine.store().set_archived(id, !archived).await
                });
            }
            OrganiseInput::AskMove(id) => {
                if let Some((c, title)) = find(id) {
                    folder_dialogs::ask_move(root, &c, &title, &self.organiser.folders(), sender);
                }
            }
            OrganiseInput::Move(id, folder) => {
                self.store_then_refresh(sender, move |engine| async move {
                    engine.store().move_to_folder(id, folder).await
                });
            }
            OrganiseInput::AskNewFolder(then) => folder_dialogs::ask_name(root, None, then, sender),
            OrganiseInput::CreateFolder(name, then) => {
                self.store_then_refresh(sender, move |engine| async move {
                    let folder = engine.store().create_folder(&name).await?;
                    match then {
                        Some(id) => engine.store().move_to_folder(id, Some(folder.id)).await,
                        None => Ok(()),
                    }
                });
            }
            OrganiseInput::AskRenameFolder(id) => {
                if let Some(f) = self.organiser.folders().into_iter().find(|f| f.id == id) {
                    folder_dialogs::ask_name(root, Some(&f), None, sender);
                }
            }
            OrganiseInput::RenameFolder(id, name) => {
                self.store_then_refresh(sender, move |engine| async move {
                    engine.store().rename_folder(id, &name).await
                });
            }
            OrganiseInput::AskDeleteFolder(id) => {
                if let Some(f) = self.organiser.folders().into_iter().find(|f| f.id == id) {
                    let count = self
                        .rows
                        .iter()
                        .filter(|r| r.conversation.folder_id == Some(id))
                        .count();
                    folder_dialogs::ask_delete(root, &f, count, sender);
                }
            }
            OrganiseInput::ExportFolder(id) => {
                if let Some(f) = self.organiser.folders().into_iter().find(|f| f.id == id) {
                    let _ = sender.output(SidebarOutput::ExportFolder(id, f.name));
                }
            }
            OrganiseInput::DeleteFolder(id) => {
                self.store_then_refresh(sender, move |engine| async move {
                    engine.store().delete_folder(id).await.map(|_| ())
                });
            }
            OrganiseInput::ToggleFolder(id) => {
                {
                    let mut layout = self.organiser.layout.borrow_mut();
                    if !layout.collapsed.remove(&id) {
                        layout.collapsed.insert(id);
                    }
                    layout.refocus.set(Some(id));
                }
                let list = self.rows.widget();
                self.filter.apply(list);
                self.organiser.hide_collapsed(list);
                // Headers are drawn anew as rows hide or show: the last
                // one drawn keeps the focus; later ones leave it alone.
                let layout = self.organiser.layout.clone();
                glib::idle_add_local_once(move || layout.borrow().refocus.set(None));
            }
            OrganiseInput::ShowArchived(on) => {
                self.organiser.show_archived = on;
                self.refresh(sender);
            }
        }
    }
}
