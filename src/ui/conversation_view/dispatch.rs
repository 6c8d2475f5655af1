//! Where each input and command of the conversation view goes: the
//! dispatch of [`ConversationViewInput`] and [`ConversationViewCommand`] to
//! the modules that handle them (`turn`, `pages`, `drafts`, `branches`…).

use relm4::prelude::*;

use super::{
    ConversationView, ConversationViewCommand, ConversationViewInput, ConversationViewOutput,
    ConversationViewWidgets,
};
use crate::ui::chat_worker::ChatWorkerInput;
use crate::ui::compare_view::CompareViewInput;
use crate::ui::composer::ComposerInput;

impl ConversationView {
    pub(super) fn handle_input(
        &mut self,
        widgets: &ConversationViewWidgets,
        message: ConversationViewInput,
        sender: &ComponentSender<Self>,
    ) {
        match message {
            ConversationViewInput::SetEngine(engine, servers) => {
                self.composer
                    .sender()
                    .emit(ComposerInput::SetServers(servers));
                self.chat
                    .sender()
                    .emit(ChatWorkerInput::SetEngine(engine.clone()));
                self.compare
                    .sender()
                    .emit(CompareViewInput::SetEngine(engine.clone()));
                self.engine = Some(engine);
                self.read_draft(sender);
            }
            ConversationViewInput::Open(id) => self.open(id, sender),
            ConversationViewInput::SetTarget {
                target,
                ready,
                model,
            } => {
                self.target = target;
                self.ready = ready;
                if self.model != model {
                    self.composer
                        .sender()
                        .emit(ComposerInput::SetModel(model.clone()));
                    self.model = model;
                }
            }
            ConversationViewInput::Send(draft) => self.send(draft, false, sender),
            ConversationViewInput::Compare(draft) => self.compare(draft),
            ConversationViewInput::FromCompare(output) => self.on_compare(output, sender),
            ConversationViewInput::SendAnyway(draft) => match self.refused_regenerate.take() {
                Some((id, model)) => self.regenerate(id, model, true, sender),
                None => self.send(draft, true, sender),
            },
            ConversationViewInput::RestoreDraft(draft) => {
                self.refused_regenerate = None;
                self.composer.sender().emit(ComposerInput::Restore(draft));
            }
            ConversationViewInput::Retry => self.retry(sender),
            ConversationViewInput::Stop => self.stop(),
            ConversationViewInput::Focus => self.composer.sender().emit(ComposerInput::Focus),
            ConversationViewInput::ResourceChanged(server, uri) => {
                self.composer
                    .sender()
                    .emit(ComposerInput::ResourceChanged(server, uri));
            }
            ConversationViewInput::FlushStream => self.flush_stream(),
            ConversationViewInput::ShowEarlier => self.show_earlier(sender),
            ConversationViewInput::Reveal(id, words) => self.reveal(id, words, sender),
            ConversationViewInput::EndFlash(id) => self.end_flash(id),
            // An edit's text is not the conversation's draft.
            ConversationViewInput::DraftEdited(_) if self.drafts.editing() => {}
            ConversationViewInput::DraftEdited(text) => {
                let batch = self.drafts.edited(text);
                self.save_drafts(batch, sender);
            }
            ConversationViewInput::DraftStashed(draft) => {
                if let Some(back) = self.drafts.stashed(draft) {
                    self.composer.sender().emit(ComposerInput::Restore(back));
                }
            }
            ConversationViewInput::Chat(progress) => self.on_chat(widgets, progress, sender),
            ConversationViewInput::Notice(text) => {
                let _ = sender.output(ConversationViewOutput::Toast(text));
            }
            ConversationViewInput::ShowToast(_) => {}
            branch @ (ConversationViewInput::ShowVersion(_)
            | ConversationViewInput::Edit(_)
            | ConversationViewInput::CancelEdit
            | ConversationViewInput::Regenerate(_)
            | ConversationViewInput::RegenerateWith(_)
            | ConversationViewInput::RegenerateWithModel(..)
            | ConversationViewInput::AskDelete(_)
            | ConversationViewInput::DeleteBranch(_)) => self.on_branch_input(branch, sender),
        }
    }

    pub(super) fn handle_command(
        &mut self,
        message: ConversationViewCommand,
        sender: &ComponentSender<Self>,
    ) {
        match message {
            ConversationViewCommand::Loaded(loaded) => {
                self.show_loaded(*loaded);
                self.continue_reveal(sender);
            }
            ConversationViewCommand::Failed(error) => {
                let _ = sender.output(ConversationViewOutput::Toast(error));
            }
            ConversationViewCommand::DraftRead(key, text) => self.draft_read(key, text),
            ConversationViewCommand::DraftsSaved => {
                let batch = self.drafts.saved();
                self.save_drafts(batch, sender);
            }
            ConversationViewCommand::Continued(continuation) => {
                self.show_continuation(*continuation, sender);
            }
            // Asked in `update_cmd_with_view`, which has the root.
            ConversationViewCommand::BranchSized(..) => {}
        }
    }
}
