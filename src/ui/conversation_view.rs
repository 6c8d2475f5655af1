//! The conversation view: the messages of one conversation, the reply
//! streaming into it, and the composer under them.
//!
//! ```text
//! gtk::Box (vertical)
//! ├─ adw::ToastOverlay (the window's toasts while a conversation is shown,
//! │  │                  above the composer rather than over Send)
//! │  └─ gtk::Stack
//! │     ├─ "empty"    adw::StatusPage: a new conversation, its model, a hint
//! │     └─ "messages" gtk::Overlay
//! │        ├─ gtk::ScrolledWindow (follows the end, see `follow`)
//! │        │  └─ gtk::ListView of MessageRow (the end of a long conversation
//! │        │     first, earlier rows as the user scrolls up: see `list`)
//! │        └─ "Jump to the End" button (shown once the user scrolled up)
//! │     └─ "compare"  CompareView (2–4 models side by side; the composer is
//! │                   hidden meanwhile, see `compare`)
//! └─ Composer
//! ```
//!
//! The window says which conversation to show ([`ConversationViewInput::Open`])
//! and where the next message goes ([`ConversationViewInput::SetTarget`]); the
//! view sends, streams and stops replies itself and reports what the window
//! shows elsewhere (a created conversation, the cost so far, toasts) through
//! [`ConversationViewOutput`]. Reading from the store is one-shot component
//! commands; a reply runs in the chat worker
//! ([`crate::ui::chat_worker::ChatWorker`], a Relm4 `Worker` on its own
//! thread), whose progress comes back as [`ConversationViewInput::Chat`],
//! and text reaches the rows at most once per frame (see `turn`).

mod actions;
mod branches;
mod compare;
mod dispatch;
mod drafts;
mod earlier;
mod edit_banner;
mod follow;
mod list;
mod messages;
mod pages;
mod reveal;
mod rows;
mod timing;
mod turn;

pub use messages::{ConversationViewCommand, ConversationViewInput, ConversationViewOutput};
pub use pages::LoadedConversation;

use gettextrs::gettext;
use relm4::adw::prelude::*;
use relm4::prelude::*;
use relm4::{adw, gtk};
use tokio_util::sync::CancellationToken;

use crate::ui::chat_worker::ChatWorker;
use crate::ui::compare_view::CompareView;
use crate::ui::composer::{Composer, ComposerInput, ComposerOutput, Draft};
use valechat_core::chat::{ConversationTarget, Engine, NewConversationRequest};

/// The reply being streamed into the view.
#[derive(Debug)]
struct Streaming {
    /// The conversation the reply belongs to (`None` until a new one is
    /// created).
    conversation_id: Option<i64>,
    cancel: Option<CancellationToken>,
    /// Text received but not yet shown (flushed once per frame).
    pending_text: String,
    pending_reasoning: String,
    /// A frame callback is already scheduled.
    flush_scheduled: bool,
    /// Images and resources of the user message being sent, shown on its
    /// row once stored.
    user_attachments: Draft,
    /// The message an edit or a regeneration replaces, until the turn's
    /// first stored message takes its row.
    replaces: Option<i64>,
    /// The reply regenerated and the model asked for, if this turn is a
    /// regeneration (sent again by Send Anyway after a refusal).
    regenerating: Option<(i64, Option<(String, String)>)>,
}

/// The conversation view's state.
pub struct ConversationView {
    engine: Option<Engine>,
    /// The conversation shown; `None` for a new one not yet sent.
    shown: Option<i64>,
    /// Where the next message goes.
    target: ConversationTarget,
    /// Whether a model is chosen, so that sending can work.
    ready: bool,
    /// The model the next message goes to, as the empty page and the
    /// composer's placeholder name it.
    model: Option<String>,
    messages: list::MessageList,
    streaming: Option<Streaming>,
    composer: Controller<Composer>,
    /// Keeps the conversation at its end while the user is there (set once
    /// the widgets exist).
    follow: Option<follow::FollowEnd>,
    /// Brings earlier rows of a long conversation in as the user scrolls
    /// up (set once the widgets exist).
    earlier: Option<earlier::EarlierTrigger>,
    /// What the conversation cost so far, USD: read with its last page,
    /// plus the requests billed since (`None`: nothing billed).
    cost: Option<rust_decimal::Decimal>,
    /// The store holds messages earlier than the first row.
    more_before: bool,
    /// A page of earlier messages is being read.
    reading_earlier: bool,
    /// The conversation's cost as last reported to the window, USD.
    reported_total: Option<rust_decimal::Decimal>,
    /// The cost may have changed since it was last reported.
    total_dirty: bool,
    /// What the composer was last told: `(ready, busy)`. Told again only
    /// on a change, since the view updates at every frame of a reply.
    composer_state: Option<(bool, bool)>,
    /// The conversation being opened, until its rows are shown.
    opening: Option<timing::Opening>,
    /// The composer's drafts per conversation.
    drafts: drafts::Drafts,
    /// Runs the replies; its output comes back as
    /// [`ConversationViewInput::Chat`].
    chat: relm4::WorkerController<ChatWorker>,
    /// The user message being edited in the composer.
    editing: Option<i64>,
    /// The reply whose regeneration a hard limit refused, and the model
    /// asked for (for Send Anyway).
    refused_regenerate: Option<(i64, Option<(String, String)>)>,
    /// Switch, Edit, Regenerate and Delete (set once the widgets exist).
    branch_actions: Option<actions::BranchActions>,
    /// The compare view, shown instead of the messages while `comparing`.
    compare: Controller<CompareView>,
    comparing: bool,
    /// A message a search result asked to jump to, until its row is read.
    revealing: Option<reveal::Pending>,
}

#[relm4::component(pub)]
impl Component for ConversationView {
    type CommandOutput = ConversationViewCommand;
    type Input = ConversationViewInput;
    type Output = ConversationViewOutput;
    type Init = ();

    view! {
        #[root]
        gtk::Box {
            set_orientation: gtk::Orientation::Vertical,

            #[name = "toasts"]
            adw::ToastOverlay {
                set_vexpand: true,

                #[name = "pages"]
                gtk::Stack {
                    add_named[Some("empty")] = &adw::StatusPage {
                        set_icon_name: Some("chat-message-new-symbolic"),
                        #[watch]
                        set_title: &model.model.clone().unwrap_or_else(|| gettext("No Model Chosen")),
                        #[watch]
                        set_description: Some(&if model.model.is_some() {
                            gettext("Ask anything. Enter sends, Shift+Enter starts a new line.")
                        } else {
                            gettext("Choose a model in the header bar to start a conversation.")
                        }),
                    },
                    add_named[Some("messages")] = &gtk::Overlay {
                        add_overlay: jump_button,

                        #[name = "scroller"]
                        #[wrap(Some)]
                        set_child = &gtk::ScrolledWindow {
                            set_vexpand: true,
                            set_hscrollbar_policy: gtk::PolicyType::Never,
                            #[local_ref]
                            list_view -> gtk::ListView {},
                        },
                    },
                    add_named[Some("compare")] = model.compare.widget(),
                    #[watch]
                    set_visible_child_name: if model.comparing {
                        "compare"
                    } else if model.is_blank() {
                        "empty"
                    } else {
                        "messages"
                    },
                },
            },
            #[local_ref]
            edit_banner -> gtk::Box {
                #[watch]
                set_visible: model.editing.is_some(),
            },
            append: model.composer.widget(),
        }
    }

    fn init((): (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let messages = list::MessageList::new();
        let composer =
            Composer::builder()
                .launch(())
                .forward(sender.input_sender(), |out| match out {
                    ComposerOutput::Send(draft) => ConversationViewInput::Send(draft),
                    ComposerOutput::Compare(draft) => ConversationViewInput::Compare(draft),
                    ComposerOutput::Notice(text) => ConversationViewInput::Notice(text),
                    ComposerOutput::Stop => ConversationViewInput::Stop,
                    ComposerOutput::Cancel => ConversationViewInput::CancelEdit,
                    ComposerOutput::Edited(text) => ConversationViewInput::DraftEdited(text),
                    ComposerOutput::Stashed(draft) => ConversationViewInput::DraftStashed(draft),
                });
        let jump_button: &gtk::Button =
            &crate::ui::a11y::labelled("GtkButton", &gettext("Jump to the End"))
                .unwrap_or_default();
        jump_button.set_icon_name("go-bottom-symbolic");
        jump_button.set_tooltip_text(Some(&gettext("Jump to the End")));
        jump_button.add_css_class("osd");
        jump_button.add_css_class("circular");
        jump_button.set_halign(gtk::Align::End);
        jump_button.set_valign(gtk::Align::End);
        jump_button.set_margin_end(18);
        jump_button.set_margin_bottom(18);
        jump_button.set_visible(false);
        let mut model = ConversationView {
            engine: None,
            shown: None,
            target: ConversationTarget::New(NewConversationRequest::default()),
            ready: false,
            model: None,
            messages,
            streaming: None,
            composer,
            follow: None,
            earlier: None,
            cost: None,
            more_before: false,
            reading_earlier: false,
            reported_total: None,
            total_dirty: false,
            composer_state: None,
            opening: None,
            drafts: drafts::Drafts::default(),
            chat: ChatWorker::builder()
                .detach_worker(())
                .forward(sender.input_sender(), ConversationViewInput::Chat),
            editing: None,
            revealing: None,
            refused_regenerate: None,
            branch_actions: None,
            compare: CompareView::builder()
                .launch(())
                .forward(sender.input_sender(), ConversationViewInput::FromCompare),
            comparing: false,
        };
        let list_view = model.messages.widget();
        let edit_banner = &edit_banner::new(sender.input_sender());
        let widgets = view_output!();
        model.compare.widget().set_visible(false);
        model.branch_actions = Some(actions::install(&root, &sender));
        model.follow = Some(follow::FollowEnd::attach(&widgets.scroller, jump_button));
        model.earlier = Some(earlier::EarlierTrigger::attach(
            &widgets.scroller,
            sender.input_sender().clone(),
        ));
        crate::ui::composer::add_drop_target(&widgets.pages, &model.composer);
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::Input,
        sender: ComponentSender<Self>,
        _root: &Self::Root,
    ) {
        if let ConversationViewInput::ShowToast(text) = message {
            let toast = adw::Toast::new(&text);
            toast.set_timeout(6);
            crate::ui::a11y::add_toast(&widgets.toasts, toast, |t| {
                widgets.toasts.add_toast(t.clone());
            });
        } else {
            self.handle_input(widgets, message, &sender);
        }
        self.render(&sender);
        self.update_view(widgets, sender);
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        message: Self::CommandOutput,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        if let ConversationViewCommand::BranchSized(id, count) = message {
            self.confirm_delete(root, id, count, &sender);
        } else {
            self.handle_command(message, &sender);
        }
        self.render(&sender);
        self.update_view(widgets, sender);
    }
}

impl ConversationView {
    /// Brings the composer and the window's cost line in line with the state.
    ///
    /// Children get messages through their senders, which only warn if a
    /// child is gone (it can be, while the application quits), where a
    /// controller's `emit` would panic.
    fn render(&mut self, sender: &ComponentSender<Self>) {
        // The compare view has its own buttons. A page the stack does not
        // show stays in the accessibility tree unless it is hidden.
        self.composer.widget().set_visible(!self.comparing);
        self.compare.widget().set_visible(self.comparing);
        let state = (self.ready, self.streaming.is_some());
        if self.composer_state != Some(state) {
            self.composer_state = Some(state);
            let composer = self.composer.sender();
            composer.emit(ComposerInput::SetReady(state.0));
            composer.emit(ComposerInput::SetBusy(state.1));
            if let Some(actions) = &self.branch_actions {
                actions.set_enabled(!state.1);
            }
        }
        if !std::mem::take(&mut self.total_dirty) {
            return;
        }
        let total = self.cost;
        if total != self.reported_total {
            self.reported_total = total;
            let _ = sender.output(ConversationViewOutput::Total(total));
        }
    }

    /// Whether the view shows a new conversation with nothing in it yet
    /// (the empty page instead of the list).
    fn is_blank(&self) -> bool {
        self.shown.is_none() && self.streaming.is_none() && self.messages.last().is_none()
    }

    /// No reply runs any more: says so to the window.
    fn set_idle(&mut self, sender: &ComponentSender<Self>) {
        if self.streaming.take().is_some() {
            let _ = sender.output(ConversationViewOutput::Replying(false));
        }
    }
}
