//! The composer's `/` menu: typing `/` at the start of an otherwise
//! one-word draft lists the prompts of every ready MCP server
//! ("server: prompt — description") in a popover above the field, filtered
//! by what follows the `/`. Up and Down move the selection, Enter or Tab
//! chooses, Escape closes; a click chooses too. The text view keeps the
//! keyboard focus throughout (the popover neither grabs nor autohides), so
//! the menu scrolls the selected row into view itself.
//!
//! The prompts are listed afresh each time a draft starts with `/`.

use std::cell::RefCell;
use std::rc::Rc;

use gettextrs::gettext;
use relm4::gtk;
use relm4::gtk::prelude::*;

use super::ComposerInput;
use valechat_core::mcp::PromptEntry;

/// Rows shown at most.
const MAX_ROWS: usize = 50;

/// The `/` popover and the prompts it offers.
#[derive(Debug)]
pub struct SlashMenu {
    popover: gtk::Popover,
    scroller: gtk::ScrolledWindow,
    list: gtk::ListBox,
    /// Every prompt of the last listing.
    prompts: RefCell<Vec<PromptEntry>>,
    /// Indices into `prompts` of the rows shown, in row order.
    shown: RefCell<Vec<usize>>,
}

/// The filter text when `text` is a slash command being typed: `/` then
/// no whitespace (`"/args"` → `Some("args")`, `"/args x"` → `None`).
pub fn slash_query(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('/')?;
    (!rest.contains(char::is_whitespace)).then_some(rest)
}

impl SlashMenu {
    /// A closed menu above `parent`; a chosen prompt is sent to `input` as
    /// [`ComposerInput::PromptChosen`].
    pub fn new(parent: &impl IsA<gtk::Widget>, input: relm4::Sender<ComposerInput>) -> Rc<Self> {
        let list = gtk::ListBox::builder()
            .selection_mode(gtk::SelectionMode::Browse)
            .css_classes(["navigation-sidebar"])
            .build();
        let scroller = gtk::ScrolledWindow::builder()
            .child(&list)
            .hscrollbar_policy(gtk::PolicyType::Never)
            .propagate_natural_height(true)
            .max_content_height(280)
            .propagate_natural_width(true)
            .build();
        // With no horizontal scrolling GTK 4.8 ignores `min-content-width`.
        scroller.set_size_request(480, -1);
        let popover = gtk::Popover::builder()
            .child(&scroller)
            .autohide(false)
            .has_arrow(false)
            .can_focus(false)
            .position(gtk::PositionType::Top)
            .halign(gtk::Align::Start)
            .css_classes(["slash-menu"])
            .build();
        popover.set_parent(parent);
        let menu = Rc::new(Self {
            popover,
            scroller,
            list,
            prompts: RefCell::new(Vec::new()),
            shown: RefCell::new(Vec::new()),
        });
        let weak = Rc::downgrade(&menu);
        menu.list.connect_row_activated(move |_, row| {
            if let Some(menu) = weak.upgrade()
                && let Some(entry) = menu.entry_at(row.index())
            {
                menu.close();
                input.emit(ComposerInput::PromptChosen(Box::new(entry)));
            }
        });
        menu
    }

    /// Replaces the prompts offered.
    pub fn set_prompts(&self, prompts: Vec<PromptEntry>) {
        *self.prompts.borrow_mut() = prompts;
    }

    /// Shows the prompts whose `server:name` contains `query` (ignoring
    /// case), the first selected; a menu with nothing to offer says so.
    pub fn show(&self, query: &str) {
        while let Some(child) = self.list.first_child() {
            self.list.remove(&child);
        }
        let query = query.to_lowercase();
        let prompts = self.prompts.borrow();
        let shown: Vec<usize> = prompts
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                format!("{}:{}", p.server_id, p.prompt.name)
                    .to_lowercase()
                    .contains(&query)
            })
            .map(|(i, _)| i)
            .take(MAX_ROWS)
            .collect();
        for &index in &shown {
            let label = gtk::Label::builder()
                .label(prompts[index].label())
                .xalign(0.0)
                .ellipsize(gtk::pango::EllipsizeMode::End)
                .max_width_chars(60)
                .build();
            let row = gtk::ListBoxRow::builder().child(&label).build();
            self.list.append(&row);
        }
        if shown.is_empty() {
            let label = gtk::Label::builder()
                .label(gettext("No prompt matches"))
                .css_classes(["dim-label"])
                .margin_top(6)
                .margin_bottom(6)
                .build();
            let row = gtk::ListBoxRow::builder()
                .child(&label)
                .activatable(false)
                .selectable(false)
                .build();
            self.list.append(&row);
        }
        drop(prompts);
        self.list.select_row(self.list.row_at_index(0).as_ref());
        self.scroller.vadjustment().set_value(0.0);
        *self.shown.borrow_mut() = shown;
        if !self.popover.is_visible() {
            self.popover.popup();
        }
    }

    /// Whether the last listing found any prompt.
    pub fn has_prompts(&self) -> bool {
        !self.prompts.borrow().is_empty()
    }

    /// Whether the menu is showing.
    pub fn is_open(&self) -> bool {
        self.popover.is_visible()
    }

    /// Hides the menu.
    pub fn close(&self) {
        self.popover.popdown();
    }

    /// Moves the selection `delta` rows (clamped to the list).
    pub fn move_selection(&self, delta: i32) {
        let count = i32::try_from(self.shown.borrow().len()).unwrap_or(i32::MAX);
        if count == 0 {
            return;
        }
        let current = self.list.selected_row().map_or(0, |r| r.index());
        let next = (current + delta).clamp(0, count - 1);
        if let Some(row) = self.list.row_at_index(next) {
            self.list.select_row(Some(&row));
            self.scroll_to(&row);
        }
    }

    /// Scrolls the least that shows all of `row` (the list has no focus,
    /// so GTK does not do it); the first and last rows scroll to the very
    /// top and bottom, the list's padding included.
    fn scroll_to(&self, row: &gtk::ListBoxRow) {
        let adjustment = self.scroller.vadjustment();
        let last = self.shown.borrow().len().saturating_sub(1);
        match usize::try_from(row.index()) {
            Ok(0) => adjustment.set_value(adjustment.lower()),
            Ok(index) if index == last => {
                adjustment.set_value(adjustment.upper() - adjustment.page_size());
            }
            _ => {
                // Bounds in the viewport are in view coordinates: the top of
                // the visible part is 0.
                let Some(bounds) = self
                    .scroller
                    .child()
                    .and_then(|view| row.compute_bounds(&view))
                else {
                    return;
                };
                let value = adjustment.value();
                adjustment.set_value(scroll_to_show(
                    value,
                    adjustment.page_size(),
                    value + f64::from(bounds.y()),
                    f64::from(bounds.height()),
                ));
            }
        }
    }

    /// The selected prompt (the menu closes), if any.
    pub fn take_selected(&self) -> Option<PromptEntry> {
        let index = self.list.selected_row()?.index();
        let entry = self.entry_at(index)?;
        self.close();
        Some(entry)
    }

    fn entry_at(&self, row: i32) -> Option<PromptEntry> {
        let row = usize::try_from(row).ok()?;
        let index = *self.shown.borrow().get(row)?;
        self.prompts.borrow().get(index).cloned()
    }
}

/// The scroll position (pixels from the top of the list) that shows a row
/// spanning `top..top + height` when `page` pixels starting at `value` are
/// visible: unchanged when the row is in view, else the nearest position;
/// a row taller than the page shows its top.
fn scroll_to_show(value: f64, page: f64, top: f64, height: f64) -> f64 {
    let value = if top + height > value + page {
        top + height - page
    } else {
        value
    };
    value.min(top)
}

impl Drop for SlashMenu {
    fn drop(&mut self) {
        self.popover.unparent();
    }
}

#[cfg(test)]
mod tests {
    use super::{scroll_to_show, slash_query};

    #[test]
    fn the_selected_row_is_scrolled_into_view() {
        // A 280 px page over rows of 40 px.
        assert_eq!(scroll_to_show(0.0, 280.0, 120.0, 40.0), 0.0);
        assert_eq!(scroll_to_show(0.0, 280.0, 280.0, 40.0), 40.0);
        assert_eq!(scroll_to_show(200.0, 280.0, 160.0, 40.0), 160.0);
        assert_eq!(scroll_to_show(200.0, 280.0, 440.0, 40.0), 200.0);
        assert_eq!(scroll_to_show(0.0, 30.0, 80.0, 40.0), 80.0);
    }

    #[test]
    fn only_a_leading_slash_word_is_a_query() {
        assert_eq!(slash_query("/"), Some(""));
        assert_eq!(slash_query("/args"), Some("args"));
        assert_eq!(slash_query("/args now"), None);
        assert_eq!(slash_query("hello /args"), None);
        assert_eq!(slash_query(""), None);
    }
}
