//! Preferences → Tools: how far MCP tools may go in one reply — the rounds
//! of tool calls per reply and the characters of one tool result sent to
//! the model. Stored in the database (`tool_limits`), so `valechat mcp
//! settings` shows the same values; the next reply uses them.
//!
//! ```text
//! adw::PreferencesPage "Tools"
//! └─ adw::PreferencesGroup "Tool Calls" (header suffix: Reset)
//!    ├─ adw::ActionRow "Rounds per Reply" + gtk::SpinButton (1–100)
//!    └─ adw::ActionRow "Result Size Sent to the Model" + gtk::SpinButton
//!       (characters, 1,000–1,000,000)
//! ```

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::{Component, ComponentParts, ComponentSender, adw, gtk};

use valechat_core::chat::{Engine, EngineError, ToolLimits};

/// The page's state: the engine and the bounds last stored.
pub struct ToolsPage {
    engine: Engine,
    stored: ToolLimits,
}

impl std::fmt::Debug for ToolsPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolsPage")
            .field("stored", &self.stored)
            .finish_non_exhaustive()
    }
}

/// What the page is told.
#[derive(Debug)]
pub enum ToolsPageInput {
    /// A spin button changed: store the values shown.
    Edited,
    /// Go back to the defaults.
    Reset,
    /// Read the stored bounds again (the CLI may have changed them).
    Reload,
}

/// What the page tells the Preferences window.
#[derive(Debug)]
pub enum ToolsPageOutput {
    /// A message for a toast (a failure to read or store).
    Toast(String),
}

/// Results of the page's database work.
#[derive(Debug)]
pub enum ToolsPageCommand {
    /// The stored bounds (`None` when never set) or the error, in words.
    Loaded(Result<Option<ToolLimits>, String>),
    /// A store finished: the bounds now in force, or the error.
    Stored(Result<ToolLimits, String>),
}

/// The two spin buttons.
#[derive(Debug)]
pub struct ToolsPageWidgets {
    rounds: gtk::SpinButton,
    result_chars: gtk::SpinButton,
}

impl Component for ToolsPage {
    type CommandOutput = ToolsPageCommand;
    type Input = ToolsPageInput;
    type Output = ToolsPageOutput;
    type Init = Engine;
    type Root = adw::PreferencesPage;
    type Widgets = ToolsPageWidgets;

    fn init_root() -> Self::Root {
        adw::PreferencesPage::builder()
            .title(gettext("Tools"))
            .icon_name("applications-engineering-symbolic")
            .build()
    }

    fn init(
        engine: Engine,
        root: Self::Root,
        sender: ComponentSender<Self>,
    ) -> ComponentParts<Self> {
        let group = adw::PreferencesGroup::builder()
            .title(gettext("Tool Calls"))
            .description(gettext(
                "Limits for the tools of MCP servers in one reply. You always see a tool’s whole result.",
            ))
            .build();
        let reset = gtk::Button::builder()
            .label(gettext("Reset"))
            .tooltip_text(gettext("Go back to the default limits"))
            .valign(gtk::Align::Center)
            .build();
        let s = sender.clone();
        reset.connect_clicked(move |_| s.input(ToolsPageInput::Reset));
        group.set_header_suffix(Some(&reset));

        let defaults = ToolLimits::default();
        let rounds = spin_row(
            &group,
            &gettext("Rounds per Reply"),
            &gettext("How many times a model may call tools before it must answer"),
            (
                f64::from(*ToolLimits::ROUNDS.start()),
                f64::from(*ToolLimits::ROUNDS.end()),
                1.0,
            ),
        );
        rounds.set_value(f64::from(defaults.max_rounds));
        let result_chars = spin_row(
            &group,
            &gettext("Result Size Sent to the Model"),
            &gettext("Characters of one tool result; longer results are cut for the model"),
            (
                usize_f64(*ToolLimits::RESULT_CHARS.start()),
                usize_f64(*ToolLimits::RESULT_CHARS.end()),
                1_000.0,
            ),
        );
        result_chars.set_value(usize_f64(defaults.max_result_chars));
        root.add(&group);

        let store = engine.store().clone();
        sender.oneshot_command(async move {
            ToolsPageCommand::Loaded(store.tool_limits().await.map_err(words))
        });
        let widgets = ToolsPageWidgets {
            rounds,
            result_chars,
        };
        for spin in [&widgets.rounds, &widgets.result_chars] {
            let s = sender.clone();
            spin.connect_value_changed(move |_| s.input(ToolsPageInput::Edited));
        }
        let model = ToolsPage {
            engine,
            stored: defaults,
        };
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        input: Self::Input,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        let store = self.engine.store().clone();
        match input {
            ToolsPageInput::Edited => {
                let shown = ToolLimits {
                    max_rounds: spin_u32(&widgets.rounds),
                    max_result_chars: usize::try_from(spin_u32(&widgets.result_chars))
                        .unwrap_or(ToolLimits::DEFAULT_MAX_RESULT_CHARS),
                };
                if shown == self.stored || shown.validate().is_err() {
                    return;
                }
                sender.oneshot_command(async move {
                    ToolsPageCommand::Stored(
                        store
                            .set_tool_limits(shown)
                            .await
                            .map(|()| shown)
                            .map_err(words),
                    )
                });
            }
            ToolsPageInput::Reload => {
                sender.oneshot_command(async move {
                    ToolsPageCommand::Loaded(store.tool_limits().await.map_err(words))
                });
            }
            ToolsPageInput::Reset => {
                sender.oneshot_command(async move {
                    ToolsPageCommand::Stored(
                        store
                            .clear_tool_limits()
                            .await
                            .map(|()| ToolLimits::default())
                            .map_err(words),
                    )
                });
            }
        }
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        let shown = match message {
            ToolsPageCommand::Loaded(Ok(limits)) => limits.unwrap_or_default(),
            ToolsPageCommand::Stored(Ok(limits)) => limits,
            ToolsPageCommand::Loaded(Err(error)) | ToolsPageCommand::Stored(Err(error)) => {
                let _ = sender.output(ToolsPageOutput::Toast(error));
                self.stored
            }
        };
        self.stored = shown;
        // Setting a value equal to the stored one sends `Edited`, which then
        // finds nothing to store.
        widgets.rounds.set_value(f64::from(shown.max_rounds));
        widgets
            .result_chars
            .set_value(usize_f64(shown.max_result_chars));
    }
}

/// Adds a row with a spin button over `(min, max, step)` to `group`.
fn spin_row(
    group: &adw::PreferencesGroup,
    title: &str,
    subtitle: &str,
    range: (f64, f64, f64),
) -> gtk::SpinButton {
    let (row, spin) = crate::ui::spin_row::spin_row(title, subtitle, range);
    group.add(&row);
    spin
}

/// The spin button's whole value (its range keeps it positive and small).
fn spin_u32(spin: &gtk::SpinButton) -> u32 {
    u32::try_from(spin.value_as_int()).unwrap_or(1)
}

/// `n` as a spin-button value (the ranges used here are exact in `f64`).
fn usize_f64(n: usize) -> f64 {
    u32::try_from(n).map(f64::from).unwrap_or(f64::MAX)
}

/// A store error as the sentence shown in a toast.
fn words(error: valechat_core::store::StoreError) -> String {
    EngineError::from(error).user_message()
}
