//! The search's filters, in a popover beside the search entry: the model
//! (any, or one `provider/model` of the conversations listed) and the date
//! (any time, today, the past 7 or 30 days, the past year; local days),
//! the folder (any, none, or one of the folders) and whether archived
//! conversations are searched (on by default, as in the store). A change asks the sidebar to search again
//! ([`super::SidebarInput::SearchFilterChanged`]).

use chrono::{Duration, Local, NaiveTime};
use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use super::SidebarInput;
use valechat_core::store::{ArchivedScope, Folder, FolderScope, SearchFilter};

/// Days back each date choice reaches (after "Any Time"): today, the past
/// 7 days, the past 30 days, the past year, each including today.
const DAYS: [i64; 4] = [1, 7, 30, 365];

/// The filter button, its popover and the models offered.
#[derive(Debug)]
pub(super) struct FilterPopover {
    button: gtk::MenuButton,
    models: gtk::DropDown,
    model_names: gtk::StringList,
    /// `(provider id, model)` of each model choice after "Any Model".
    pairs: Vec<(String, String)>,
    dates: gtk::DropDown,
    folders: gtk::DropDown,
    folder_names: gtk::StringList,
    /// Id and name of each folder choice after "Any Folder" and "No Folder".
    folder_ids: Vec<(i64, String)>,
    archived: gtk::Switch,
}

/// Folder choices before the folders: "Any Folder", "No Folder".
const FOLDER_CHOICES: u32 = 2;

impl FilterPopover {
    /// The button (its popover built, "Any Model" and "Any Time" chosen)
    /// reporting changes to `input`.
    pub(super) fn new(input: &relm4::Sender<SidebarInput>) -> Self {
        let button: gtk::MenuButton =
            crate::ui::a11y::labelled("GtkMenuButton", &gettext("Search Filters"))
                .unwrap_or_default();
        button.set_icon_name("view-more-symbolic");
        button.set_tooltip_text(Some(&gettext("Search Filters")));
        button.set_valign(gtk::Align::Center);
        let model_names = gtk::StringList::new(&[&gettext("Any Model")]);
        let models = gtk::DropDown::new(Some(model_names.clone()), gtk::Expression::NONE);
        let dates = gtk::DropDown::from_strings(&[
            &gettext("Any Time"),
            &gettext("Today"),
            &gettext("Past 7 Days"),
            &gettext("Past 30 Days"),
            &gettext("Past Year"),
        ]);
        let folder_names = gtk::StringList::new(&[&gettext("Any Folder"), &gettext("No Folder")]);
        let folders = gtk::DropDown::new(Some(folder_names.clone()), gtk::Expression::NONE);
        let grid = gtk::Grid::new();
        grid.set_row_spacing(6);
        grid.set_column_spacing(12);
        for (row, (title, drop_down)) in [
            (gettext("Model"), &models),
            (gettext("Date"), &dates),
            (gettext("Folder"), &folders),
        ]
        .into_iter()
        .enumerate()
        {
            let label = gtk::Label::new(Some(&title));
            label.set_xalign(0.0);
            label.set_mnemonic_widget(Some(drop_down));
            let row = i32::try_from(row).unwrap_or(0);
            grid.attach(&label, 0, row, 1, 1);
            grid.attach(drop_down, 1, row, 1, 1);
            let input = input.clone();
            drop_down.connect_selected_notify(move |_| {
                input.emit(SidebarInput::SearchFilterChanged);
            });
        }
        // Named by its label (labelled-by).
        let archived = gtk::Switch::new();
        archived.set_active(true);
        archived.set_halign(gtk::Align::Start);
        let archived_label = gtk::Label::new(Some(&gettext("Include Archived")));
        archived_label.set_xalign(0.0);
        archived_label.set_mnemonic_widget(Some(&archived));
        grid.attach(&archived_label, 0, 3, 1, 1);
        grid.attach(&archived, 1, 3, 1, 1);
        {
            let input = input.clone();
            archived.connect_active_notify(move |_| {
                input.emit(SidebarInput::SearchFilterChanged);
            });
        }
        let popover = gtk::Popover::new();
        popover.set_child(Some(&grid));
        button.set_popover(Some(&popover));
        Self {
            button,
            models,
            model_names,
            pairs: Vec::new(),
            dates,
            folders,
            folder_names,
            folder_ids: Vec::new(),
            archived,
        }
    }

    /// The button to put beside the search entry.
    pub(super) fn button(&self) -> &gtk::MenuButton {
        &self.button
    }

    /// Offers these models (sorted, without repeats), keeping the choice
    /// if it is still offered (else "Any Model").
    pub(super) fn set_models(&mut self, mut pairs: Vec<(String, String)>) {
        pairs.sort();
        pairs.dedup();
        if pairs == self.pairs {
            return;
        }
        let chosen = self.chosen_model().cloned();
        let names: Vec<String> = pairs.iter().map(|(p, m)| format!("{p}/{m}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let old = self.model_names.n_items().saturating_sub(1);
        self.pairs = pairs;
        self.model_names.splice(1, old, &names);
        let index = chosen
            .and_then(|c| self.pairs.iter().position(|p| *p == c))
            .and_then(|i| u32::try_from(i + 1).ok())
            .unwrap_or(0);
        self.models.set_selected(index);
    }

    /// Offers these folders (by name), keeping the choice if the folder is
    /// still there (else "Any Folder").
    pub(super) fn set_folders(&mut self, folders: &[Folder]) {
        let ids: Vec<(i64, String)> = folders.iter().map(|f| (f.id, f.name.clone())).collect();
        if ids == self.folder_ids {
            return;
        }
        let chosen = self.chosen_folder();
        let names: Vec<&str> = ids.iter().map(|(_, name)| name.as_str()).collect();
        let old = self.folder_names.n_items().saturating_sub(FOLDER_CHOICES);
        self.folder_names.splice(FOLDER_CHOICES, old, &names);
        self.folder_ids = ids;
        let index = match chosen {
            FolderScope::Any => 0,
            FolderScope::None => 1,
            FolderScope::In(id) => self
                .folder_ids
                .iter()
                .position(|(f, _)| *f == id)
                .and_then(|i| u32::try_from(i).ok())
                .map_or(0, |i| i + FOLDER_CHOICES),
        };
        self.folders.set_selected(index);
    }

    fn chosen_folder(&self) -> FolderScope {
        match self.folders.selected() {
            0 | gtk::INVALID_LIST_POSITION => FolderScope::Any,
            1 => FolderScope::None,
            i => usize::try_from(i - FOLDER_CHOICES)
                .ok()
                .and_then(|i| self.folder_ids.get(i))
                .map_or(FolderScope::Any, |(id, _)| FolderScope::In(*id)),
        }
    }

    fn chosen_model(&self) -> Option<&(String, String)> {
        let index = usize::try_from(self.models.selected()).ok()?;
        index.checked_sub(1).and_then(|i| self.pairs.get(i))
    }

    /// The filter chosen, its dates from the current local day.
    pub(super) fn filter(&self) -> SearchFilter {
        let (provider_id, model) = match self.chosen_model() {
            Some((p, m)) => (Some(p.clone()), Some(m.clone())),
            None => (None, None),
        };
        let since = usize::try_from(self.dates.selected())
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| DAYS.get(i))
            .and_then(|&days| {
                let first = Local::now().date_naive() - Duration::days(days - 1);
                first
                    .and_time(NaiveTime::MIN)
                    .and_local_timezone(Local)
                    .earliest()
            })
            .map(|t| t.timestamp_millis());
        SearchFilter {
            provider_id,
            model,
            since,
            until: None,
            folder: self.chosen_folder(),
            archived: if self.archived.is_active() {
                ArchivedScope::Include
            } else {
                ArchivedScope::Exclude
            },
        }
    }
}
