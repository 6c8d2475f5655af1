//! The Import Conversations window's widgets, and how they show the
//! progress, the summary and a failure.

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{adw, gtk};

use crate::i18n::{gettext_f, ngettext_f};
use valechat_core::format::format_count;
use valechat_core::transfer::{ImportProgress, ImportSummary};

/// The widgets that change as the import goes.
pub(super) struct ImportWidgets {
    pub(super) window: adw::Window,
    cancel: gtk::Button,
    done: gtk::Button,
    pages: gtk::Stack,
    progress: gtk::ProgressBar,
    progress_text: gtk::Label,
    icon: gtk::Image,
    title: gtk::Label,
    description: gtk::Label,
    details: gtk::ListBox,
    details_scroller: gtk::ScrolledWindow,
}

/// Builds the widgets into `window` (not yet shown), on the progress page.
pub(super) fn build(window: adw::Window, file_name: &str) -> ImportWidgets {
    let cancel = gtk::Button::with_label(&gettext("Cancel"));
    let done = gtk::Button::builder()
        .label(gettext("Done"))
        .css_classes(["suggested-action"])
        .visible(false)
        .build();
    let header = adw::HeaderBar::builder()
        .show_end_title_buttons(false)
        .title_widget(&adw::WindowTitle::new(
            &gettext("Import Conversations"),
            file_name,
        ))
        .build();
    header.pack_start(&cancel);
    header.pack_end(&done);
    for button in [&cancel, &done] {
        let w = window.clone();
        button.connect_clicked(move |_| w.close());
    }

    let heading = gtk::Label::builder()
        .label(gettext_f("Importing “{file}”…", &[("file", file_name)]))
        .wrap(true)
        .xalign(0.0)
        .css_classes(["heading"])
        .build();
    let progress = gtk::ProgressBar::new();
    let progress_text = gtk::Label::builder()
        .label(gettext("Reading the file…"))
        .wrap(true)
        .xalign(0.0)
        .css_classes(["dim-label"])
        .build();
    let progress_page = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(12)
        .margin_top(24)
        .margin_bottom(24)
        .margin_start(18)
        .margin_end(18)
        .build();
    progress_page.append(&heading);
    progress_page.append(&progress);
    progress_page.append(&progress_text);

    let icon = gtk::Image::builder()
        .pixel_size(64)
        .css_classes(["dim-label"])
        .build();
    let title = gtk::Label::builder()
        .wrap(true)
        .justify(gtk::Justification::Center)
        .css_classes(["title-2"])
        .build();
    let description = gtk::Label::builder()
        .wrap(true)
        .justify(gtk::Justification::Center)
        .selectable(true)
        .build();
    let details = gtk::ListBox::builder()
        .css_classes(["boxed-list"])
        .selection_mode(gtk::SelectionMode::None)
        .build();
    let details_scroller = gtk::ScrolledWindow::builder()
        .hscrollbar_policy(gtk::PolicyType::Never)
        .propagate_natural_height(true)
        .max_content_height(320)
        .visible(false)
        .child(&details)
        .build();
    let summary_page = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(12)
        .margin_top(24)
        .margin_bottom(18)
        .margin_start(18)
        .margin_end(18)
        .build();
    for widget in [
        icon.upcast_ref::<gtk::Widget>(),
        title.upcast_ref(),
        description.upcast_ref(),
    ] {
        summary_page.append(widget);
    }
    summary_page.append(&details_scroller);

    let pages = gtk::Stack::new();
    pages.add_named(&progress_page, Some("progress"));
    pages.add_named(&summary_page, Some("summary"));
    let content = gtk::Box::new(gtk::Orientation::Vertical, 0);
    content.append(&header);
    content.append(&pages);
    window.set_content(Some(&content));
    cancel.grab_focus();
    ImportWidgets {
        window,
        cancel,
        done,
        pages,
        progress,
        progress_text,
        icon,
        title,
        description,
        details,
        details_scroller,
    }
}

impl ImportWidgets {
    /// Shows how far the import is: the share of the file read, and
    /// "120 conversations · 45 MB of 200 MB".
    pub(super) fn show_progress(&self, p: &ImportProgress) {
        if p.total_bytes > 0 {
            #[allow(clippy::cast_precision_loss)] // a fraction for a bar
            let fraction = p.bytes_read as f64 / p.total_bytes as f64;
            self.progress.set_fraction(fraction.clamp(0.0, 1.0));
        } else {
            self.progress.pulse();
        }
        let conversations = ngettext_f(
            "{count} conversation",
            "{count} conversations",
            u32::try_from(p.conversations).unwrap_or(u32::MAX),
            &[("count", &format_count(p.conversations as u64))],
        );
        self.progress_text.set_text(&gettext_f(
            "{conversations} · {done} of {total}",
            &[
                ("conversations", &conversations),
                ("done", &gtk::glib::format_size(p.bytes_read)),
                ("total", &gtk::glib::format_size(p.total_bytes)),
            ],
        ));
    }

    /// Shows the summary page: the headline, then one row per detail.
    pub(super) fn show_summary(&self, summary: &ImportSummary) {
        let (icon, title) = if summary.skipped.is_empty() {
            ("emblem-ok-symbolic", gettext("Import Finished"))
        } else {
            (
                "dialog-warning-symbolic",
                gettext("Import Finished With Problems"),
            )
        };
        self.finish(icon, &title, &summary.headline(), &summary.details());
    }

    /// Shows the failure page with the error's sentence (which names the
    /// file, the format expected and where parsing stopped).
    pub(super) fn show_failure(&self, message: &str) {
        self.finish(
            "dialog-error-symbolic",
            &gettext("Import Failed"),
            message,
            &[],
        );
    }

    fn finish(&self, icon: &str, title: &str, description: &str, details: &[String]) {
        self.icon.set_icon_name(Some(icon));
        self.title.set_text(title);
        self.description.set_text(description);
        for line in details {
            let row = adw::ActionRow::builder()
                .title(gtk::glib::markup_escape_text(line).as_str())
                .title_lines(0)
                .build();
            self.details.append(&row);
        }
        self.details_scroller.set_visible(!details.is_empty());
        self.pages.set_visible_child_name("summary");
        self.cancel.set_visible(false);
        self.done.set_visible(true);
        self.done.grab_focus();
    }
}
