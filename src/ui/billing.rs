//! The Billing window (Ctrl+Shift+B, main menu → Billing, or a spending
//! notification): this month's spend against every limit, the month-end
//! projection, a 30-day chart by provider, and tables by model, provider and
//! conversation, with CSV and PDF export.
//!
//! ```text
//! adw::Window "Billing"
//! └─ gtk::Box
//!    ├─ adw::HeaderBar: Export menu (CSV, PDF), Refresh   (billing/header.rs)
//!    └─ adw::ToastOverlay › ScrolledWindow › adw::Clamp › gtk::Box
//!       ├─ totals: "Spent this month", "Requests this month" (billing/layout.rs)
//!       ├─ "Spending limits": ListBox of limit rows   (billing/limit_row.rs)
//!       ├─ "Last 30 days": DrawingArea, or "No Spending Yet" (billing/chart_area.rs)
//!       └─ StackSwitcher + Stack of three ListBoxes   (billing/tables.rs)
//! ```
//!
//! Everything is read by one command ([`BillingReport::load`]) off the main
//! loop each time the window is shown or refreshed. Providers show by their
//! display names, figures and the month in the user's locale.

pub mod chart_area;
pub mod export;
pub mod format;
pub mod header;
pub mod layout;
pub mod limit_row;
pub mod tables;

use std::path::PathBuf;

use chrono::Local;
use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};

use crate::i18n::gettext_f;
use crate::reports::format::period_name;
use crate::reports::{BillingReport, ChartSpan};
use chart_area::ChartArea;
use layout::{boxed_list, section, totals_box};
use valechat_core::chat::Engine;
use valechat_core::format::{format_count, format_usd};
use valechat_core::ledger::CHART_DAYS;

/// The Billing window's state.
pub struct Billing {
    engine: Engine,
    report: Option<BillingReport>,
}

impl std::fmt::Debug for Billing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Billing").finish_non_exhaustive()
    }
}

/// What the Billing window is asked to do.
#[derive(Debug)]
pub enum BillingInput {
    /// Reload the figures and bring the window up.
    Show,
    /// Reload the figures.
    Refresh,
    /// Ask where to save this month's usage as CSV.
    ExportCsv,
    /// Ask where to save this month's PDF report.
    ExportPdf,
    /// Write the usage of this range as CSV to this file.
    WriteCsv(PathBuf, export::CsvRange),
    /// Write the PDF report to this file.
    WritePdf(PathBuf),
}

/// Results of background work.
#[derive(Debug)]
pub enum BillingCommand {
    /// The month's figures, or the error's message.
    Loaded(Box<Result<BillingReport, String>>),
    /// A file was exported, or the error's message.
    Exported(Result<PathBuf, String>),
}

/// Widgets the window updates.
#[derive(Debug)]
pub struct BillingWidgets {
    title: adw::WindowTitle,
    toasts: adw::ToastOverlay,
    spent: gtk::Label,
    requests: gtk::Label,
    limits: gtk::ListBox,
    chart: ChartArea,
    by_model: gtk::ListBox,
    by_provider: gtk::ListBox,
    by_conversation: gtk::ListBox,
}

impl Component for Billing {
    type CommandOutput = BillingCommand;
    type Input = BillingInput;
    type Output = ();
    type Init = Engine;
    type Root = adw::Window;
    type Widgets = BillingWidgets;

    fn init_root() -> Self::Root {
        adw::Window::builder()
            .title(gettext("Billing"))
            .default_width(760)
            .default_height(720)
            .build()
    }

    fn init(
        engine: Engine,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let (header, title) = header::header(&root, &sender);

        let content = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(24)
            .margin_top(24)
            .margin_bottom(24)
            .margin_start(12)
            .margin_end(12)
            .build();
        let (totals, spent, requests) = totals_box();
        content.append(&totals);

        let limits = boxed_list();
        content.append(&section(&gettext("Spending Limits"), &limits));

        let chart = ChartArea::new(&gettext("Daily spend by provider, last 30 days"));
        let chart_frame = gtk::Frame::builder()
            .child(&chart.widget)
            .css_classes(["view"])
            .build();
        content.append(&section(&gettext("Last 30 Days"), &chart_frame));

        let (by_model, by_provider, by_conversation) = (boxed_list(), boxed_list(), boxed_list());
        let stack = gtk::Stack::builder().vhomogeneous(false).build();
        stack.add_titled(&by_model, Some("model"), &gettext("By Model"));
        stack.add_titled(&by_provider, Some("provider"), &gettext("By Provider"));
        stack.add_titled(
            &by_conversation,
            Some("conversation"),
            &gettext("By Conversation"),
        );
        let switcher = gtk::StackSwitcher::builder()
            .stack(&stack)
            .halign(gtk::Align::Start)
            .build();
        let tables = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(12)
            .build();
        tables.append(&switcher);
        tables.append(&stack);
        content.append(&section(&gettext("This Month"), &tables));

        let toasts = adw::ToastOverlay::new();
        toasts.set_child(Some(
            &gtk::ScrolledWindow::builder()
                .vexpand(true)
                .hscrollbar_policy(gtk::PolicyType::Never)
                .child(
                    &adw::Clamp::builder()
                        .maximum_size(860)
                        .child(&content)
                        .build(),
                )
                .build(),
        ));
        let outer = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .build();
        outer.append(&header);
        outer.append(&toasts);
        root.set_content(Some(&outer));

        let close = gtk::ShortcutController::new();
        close.add_shortcut(gtk::Shortcut::new(
            gtk::ShortcutTrigger::parse_string("Escape"),
            Some(gtk::NamedAction::new("window.close")),
        ));
        root.add_controller(close);

        ComponentParts {
            model: Billing {
                engine,
                report: None,
            },
            widgets: BillingWidgets {
                title,
                toasts,
                spent,
                requests,
                limits,
                chart,
                by_model,
                by_provider,
                by_conversation,
            },
        }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match message {
            BillingInput::Show => {
                self.reload(&sender);
                root.present();
            }
            BillingInput::Refresh => self.reload(&sender),
            BillingInput::ExportCsv | BillingInput::ExportPdf => {
                let Some(report) = &self.report else {
                    return;
                };
                let pdf = matches!(message, BillingInput::ExportPdf);
                let (title, name) = if pdf {
                    (
                        gettext("Export PDF Report"),
                        format!("valechat-{}.pdf", report.month.key),
                    )
                } else {
                    (
                        gettext("Export CSV"),
                        format!("valechat-usage-{}.csv", report.month.key),
                    )
                };
                let s = sender.clone();
                if pdf {
                    export::ask_path(root, &title, &name, move |path| {
                        s.input(BillingInput::WritePdf(path));
                    })
                } else {
                    export::ask_csv_path(root, &title, &name, move |path, range| {
                        s.input(BillingInput::WriteCsv(path, range));
                    });
                }
            }
            BillingInput::WriteCsv(path, range) => {
                let store = self.engine.store().clone();
                let bounds = range.bounds(Local::now());
                sender.oneshot_command(async move {
                    BillingCommand::Exported(export::export_csv(store, bounds, path).await)
                });
            }
            BillingInput::WritePdf(path) => {
                let store = self.engine.store().clone();
                let today = Local::now().date_naive();
                let day = self
                    .report
                    .as_ref()
                    .and_then(|r| chrono::DateTime::from_timestamp_millis(r.as_of_ms))
                    .map_or(today, |t| t.with_timezone(&Local).date_naive());
                sender.oneshot_command(async move {
                    BillingCommand::Exported(export::export_pdf(store, day, path).await)
                });
            }
        }
        let _ = widgets;
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        _sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        match message {
            BillingCommand::Loaded(result) => match *result {
                Ok(report) => {
                    show(widgets, &report);
                    self.report = Some(report);
                }
                Err(e) => toast(widgets, &e),
            },
            BillingCommand::Exported(Ok(path)) => toast(
                widgets,
                &gettext_f("Saved {file}", &[("file", &path.display().to_string())]),
            ),
            BillingCommand::Exported(Err(e)) => toast(widgets, &e),
        }
    }
}

impl Billing {
    /// Loads this month's report in the background.
    fn reload(&self, sender: &ComponentSender<Self>) {
        let store = self.engine.store().clone();
        sender.oneshot_command(async move {
            let now = chrono::Utc::now();
            let today = now.with_timezone(&Local).date_naive();
            let report = BillingReport::load(
                &store,
                today,
                now.timestamp_millis(),
                &Local,
                ChartSpan::LastDays(CHART_DAYS),
            )
            .await
            .map_err(|e| e.to_string());
            BillingCommand::Loaded(Box::new(report))
        });
    }
}

/// Puts `report` on the page.
fn show(widgets: &BillingWidgets, report: &BillingReport) {
    widgets.title.set_subtitle(&period_name(&report.month.key));
    widgets.spent.set_label(&format_usd(report.totals.cost_usd));
    widgets
        .requests
        .set_label(&format_count(report.totals.requests));
    while let Some(child) = widgets.limits.first_child() {
        widgets.limits.remove(&child);
    }
    if report.limits.is_empty() {
        widgets.limits.append(
            &gtk::Label::builder()
                .label(gettext(
                    "No spending limits. Add one in Preferences → Billing.",
                ))
                .wrap(true)
                .css_classes(["dim-label"])
                .margin_top(12)
                .margin_bottom(12)
                .build(),
        );
    }
    for status in &report.limits {
        widgets
            .limits
            .append(&limit_row::limit_row(status, &report.names));
    }
    widgets.chart.set_series(report.daily.clone());
    tables::fill(&widgets.by_model, &report.by_model);
    tables::fill(&widgets.by_provider, &report.by_provider);
    tables::fill(&widgets.by_conversation, &report.by_conversation);
}

fn toast(widgets: &BillingWidgets, text: &str) {
    let toast = adw::Toast::new(text);
    toast.set_timeout(6);
    widgets.toasts.add_toast(toast);
}
