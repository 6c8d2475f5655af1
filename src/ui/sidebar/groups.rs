//! The sidebar's groups (issue 14, part 3): pinned conversations first,
//! then one group per folder (by name), then the others by the day of
//! their last activity ("Today", "Yesterday", "Previous 7 days", then
//! month names: "November" this year, "November 2025" before), then, when
//! shown, the archived ones.
//!
//! The list stays one `gtk::ListBox` of conversation rows, in group order,
//! so the search and Ctrl+PgUp/PgDn keep working on rows; the groups are
//! drawn as the rows' headers (`gtk_list_box_set_header_func`). A folder
//! with no row to head (empty, or collapsed) is drawn in the header of the
//! next row shown, or of the list's last row, an empty one (`Layout::end`)
//! that is never selected.

use chrono::{Datelike, NaiveDate};
use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::glib;

use valechat_core::store::{Conversation, Folder};

/// When a conversation was last active, as the sidebar groups it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Day {
    /// Today (local time).
    Today,
    /// Yesterday.
    Yesterday,
    /// 2 to 7 days ago.
    PreviousWeek,
    /// Earlier: a calendar month, newest first (ordered by how long ago).
    Month {
        /// Months before the current one (0: this month).
        ago: i32,
        /// The year, e.g. 2026.
        year: i32,
        /// The month, 1–12.
        month: u32,
    },
}

/// Which group a conversation is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Group {
    /// Pinned (and not archived).
    Pinned,
    /// In folder `position` of the folders listed by name, with this id.
    Folder {
        /// Index in the folders by name.
        position: usize,
        /// `folders.id`.
        id: i64,
    },
    /// Neither pinned nor in a folder: by day.
    Recent(Day),
    /// Archived (listed only when archived conversations are shown).
    Archived,
}

/// The day group of a conversation last active on `date`, seen `today`.
pub(super) fn day_of(date: NaiveDate, today: NaiveDate) -> Day {
    let days = (today - date).num_days();
    match days {
        i64::MIN..=0 => Day::Today,
        1 => Day::Yesterday,
        2..=7 => Day::PreviousWeek,
        _ => {
            let months = |d: NaiveDate| d.year() * 12 + i32::try_from(d.month0()).unwrap_or(0);
            Day::Month {
                ago: months(today) - months(date),
                year: date.year(),
                month: date.month(),
            }
        }
    }
}

/// The local calendar date of `ms` (UTC unix milliseconds).
fn local_date(ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&chrono::Local).date_naive())
        .unwrap_or_default()
}

/// The group of conversation `c`, with `folders` by name, seen `today`.
pub(super) fn group_of(c: &Conversation, folders: &[Folder], today: NaiveDate) -> Group {
    if c.archived {
        return Group::Archived;
    }
    if c.pinned {
        return Group::Pinned;
    }
    if let Some(id) = c.folder_id
        && let Some(position) = folders.iter().position(|f| f.id == id)
    {
        return Group::Folder { position, id };
    }
    Group::Recent(day_of(local_date(c.updated_at), today))
}

/// A group's title: gettext strings, month names from glib's date
/// formatting (the user's locale).
pub(super) fn title(group: Group, folders: &[Folder], this_year: i32) -> String {
    match group {
        Group::Pinned => gettext("Pinned"),
        Group::Folder { position, .. } => folders
            .get(position)
            .map(|f| f.name.clone())
            .unwrap_or_default(),
        Group::Recent(Day::Today) => gettext("Today"),
        Group::Recent(Day::Yesterday) => gettext("Yesterday"),
        Group::Recent(Day::PreviousWeek) => gettext("Previous 7 days"),
        Group::Recent(Day::Month { year, month, .. }) => {
            let month = i32::try_from(month).unwrap_or(1);
            // %B: the month's full name in the locale; %Y: the year.
            let format = if year == this_year { "%B" } else { "%B %Y" };
            glib::DateTime::from_local(year, month, 1, 12, 0, 0.0)
                .and_then(|d| d.format(format))
                .map(|s| s.to_string())
                .unwrap_or_default()
        }
        Group::Archived => gettext("Archived"),
    }
}

/// Today's local date.
pub(super) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// What the header function needs: the groups in order (every folder
/// included, with rows or not) and each row's group.
#[derive(Debug, Default)]
pub(super) struct Layout {
    /// The groups in list order.
    pub sections: Vec<Group>,
    /// Index into `sections` of each conversation row, in list order.
    pub row_section: Vec<usize>,
    /// The folders by name.
    pub folders: Vec<Folder>,
    /// Ids of the folders whose rows are hidden.
    pub collapsed: std::collections::HashSet<i64>,
    /// The current year (month names of this year have no year).
    pub this_year: i32,
    /// The folder whose header takes the focus when drawn next (it was
    /// toggled from its header: the new header keeps the focus).
    pub refocus: std::cell::Cell<Option<i64>>,
}

impl Layout {
    /// Orders `list` by group (stable: the store's order within a group)
    /// and records the sections, with every folder of `folders`.
    pub(super) fn arrange(
        list: Vec<Conversation>,
        folders: Vec<Folder>,
        collapsed: std::collections::HashSet<i64>,
    ) -> (Self, Vec<Conversation>) {
        let today = today();
        let mut keyed: Vec<(Group, Conversation)> = list
            .into_iter()
            .map(|c| (group_of(&c, &folders, today), c))
            .collect();
        keyed.sort_by_key(|(g, _)| *g);
        let mut sections: Vec<Group> = keyed.iter().map(|(g, _)| *g).collect();
        sections.extend(
            folders
                .iter()
                .enumerate()
                .map(|(position, f)| Group::Folder { position, id: f.id }),
        );
        sections.sort();
        sections.dedup();
        let row_section = keyed
            .iter()
            .map(|(g, _)| sections.binary_search(g).unwrap_or(0))
            .collect();
        let layout = Self {
            sections,
            row_section,
            folders,
            collapsed,
            this_year: today.year(),
            refocus: std::cell::Cell::new(None),
        };
        (layout, keyed.into_iter().map(|(_, c)| c).collect())
    }

    /// The section of the row at `index`; the end row (past the
    /// conversations) is past the last section.
    pub(super) fn section_of(&self, index: i32) -> usize {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.row_section.get(i).copied())
            .unwrap_or(self.sections.len())
    }

    /// Whether the row at `index` is in a collapsed folder.
    pub(super) fn hides(&self, index: i32) -> bool {
        matches!(
            self.sections.get(self.section_of(index)),
            Some(Group::Folder { id, .. }) if self.collapsed.contains(id)
        )
    }

    /// The folder a drop on the row at `index` files into (`None`: out of
    /// any folder).
    pub(super) fn folder_at(&self, index: i32) -> Option<i64> {
        match self.sections.get(self.section_of(index)) {
            Some(Group::Folder { id, .. }) => Some(*id),
            _ => None,
        }
    }
}

/// A plain group title, as GNOME's sidebars draw them.
pub(super) fn title_label(text: &str) -> gtk::Label {
    gtk::Label::builder()
        .label(text)
        .xalign(0.0)
        .margin_top(12)
        .margin_bottom(3)
        .margin_start(12)
        .margin_end(12)
        .css_classes(["heading", "dim-label"])
        .accessible_role(gtk::AccessibleRole::Heading)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a date")
    }

    #[test]
    fn days_become_today_yesterday_the_week_then_months() {
        let today = date(2026, 12, 7);
        assert_eq!(day_of(date(2026, 12, 7), today), Day::Today);
        assert_eq!(day_of(date(2026, 12, 6), today), Day::Yesterday);
        assert_eq!(day_of(date(2026, 12, 5), today), Day::PreviousWeek);
        assert_eq!(day_of(date(2026, 11, 30), today), Day::PreviousWeek);
        assert_eq!(
            day_of(date(2026, 11, 29), today),
            Day::Month {
                ago: 1,
                year: 2026,
                month: 11
            }
        );
        assert_eq!(
            day_of(date(2026, 12, 1), date(2026, 12, 31)),
            Day::Month {
                ago: 0,
                year: 2026,
                month: 12
            }
        );
        assert_eq!(
            day_of(date(2025, 11, 3), today),
            Day::Month {
                ago: 13,
                year: 2025,
                month: 11
            }
        );
        // A clock set back: the future counts as today.
        assert_eq!(day_of(date(2026, 12, 9), today), Day::Today);
        // Newer months sort first.
        assert!(day_of(date(2026, 10, 1), today) < day_of(date(2025, 12, 1), today));
    }

    fn conversation(id: i64, pinned: bool, archived: bool, folder: Option<i64>) -> Conversation {
        Conversation {
            id,
            title: format!("c{id}"),
            provider_id: None,
            model: None,
            system_prompt: None,
            temperature: None,
            max_output_tokens: None,
            created_at: 0,
            updated_at: chrono::Utc::now().timestamp_millis(),
            active_leaf_id: None,
            pinned,
            archived,
            folder_id: folder,
            top_p: None,
            top_k: None,
            min_p: None,
            repeat_penalty: None,
            seed: None,
        }
    }

    #[test]
    fn pinned_then_folders_by_name_then_recent_then_archived() {
        let folders = vec![
            Folder {
                id: 20,
                name: "Alpha".into(),
                created_at: 0,
            },
            Folder {
                id: 10,
                name: "Empty".into(),
                created_at: 0,
            },
            Folder {
                id: 30,
                name: "Zeta".into(),
                created_at: 0,
            },
        ];
        let list = vec![
            conversation(1, false, false, None),
            conversation(2, false, false, Some(30)),
            conversation(3, true, false, Some(20)),
            conversation(4, false, true, Some(20)),
            conversation(5, false, false, Some(20)),
            conversation(6, false, false, None),
        ];
        let (layout, ordered) = Layout::arrange(list, folders, [30].into());
        let ids: Vec<i64> = ordered.iter().map(|c| c.id).collect();
        assert_eq!(ids, [3, 5, 2, 1, 6, 4]);
        assert_eq!(
            layout.sections,
            [
                Group::Pinned,
                Group::Folder {
                    position: 0,
                    id: 20
                },
                Group::Folder {
                    position: 1,
                    id: 10
                },
                Group::Folder {
                    position: 2,
                    id: 30
                },
                Group::Recent(Day::Today),
                Group::Archived,
            ]
        );
        assert_eq!(layout.row_section, [0, 1, 3, 4, 4, 5]);
        assert!(layout.hides(2) && !layout.hides(1) && !layout.hides(6));
        assert_eq!((layout.folder_at(1), layout.folder_at(3)), (Some(20), None));
        assert_eq!(layout.section_of(6), 6, "the end row is past every section");
    }
}
