//! The KV cache kept between replies: each loaded model keeps one llama.cpp
//! context, and the tokens whose keys and values it holds.
//!
//! A chat's next prompt repeats the previous one (the same template over
//! the same earlier messages) and adds the reply and the new message, so
//! only what follows the longest common token prefix is decoded again.
//! llama.cpp's server does the same (`cache_prompt`). Where the tokens
//! differ, the cache is cut there (`llama_memory_seq_rm` from that
//! position); a model whose memory cannot be cut part-way (recurrent
//! architectures) is cleared whole and the prompt decoded from its start.
//!
//! The context borrows the model (`LlamaContext<'a>` holds a
//! `&'a LlamaModel`), so the two live in one [`ModelCell`] (`self_cell`:
//! the model is the owner, the cache its dependent, dropped first).

use std::num::NonZeroU32;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;

use crate::local::protocol::RunnerError;

/// Tokens decoded per batch while reading a prompt.
pub(super) const BATCH: u32 = 512;

self_cell::self_cell!(
    /// A loaded model and its kept context.
    pub(super) struct ModelCell {
        owner: LlamaModel,
        #[covariant]
        dependent: KvCache,
    }
);

/// The context of the last reply and what it holds.
pub(super) struct KvCache<'a> {
    context: Option<LlamaContext<'a>>,
    /// The tokens in the cache, by position: the last prompt and the reply
    /// tokens decoded after it.
    tokens: Vec<LlamaToken>,
}

impl KvCache<'_> {
    /// An empty cache: the context is made by the first reply.
    pub(super) fn empty(_model: &LlamaModel) -> KvCache<'_> {
        KvCache {
            context: None,
            tokens: Vec::new(),
        }
    }
}

/// What a context is made with.
pub(super) struct ContextSize {
    /// Context length in tokens.
    pub(super) tokens: u32,
    /// Threads for generation and prompt reading.
    pub(super) threads: i32,
}

impl<'a> KvCache<'a> {
    /// Makes the context on first use, then removes every position from
    /// the longest prefix `prompt` shares with the cache on; returns how
    /// many of `prompt`'s tokens are already in it (at most
    /// `prompt.len() - 1`: the last one is decoded again for its logits).
    /// Then [`KvCache::parts`] gives the context and its token list.
    ///
    /// # Errors
    /// [`RunnerError::Other`] when llama.cpp cannot make the context (out
    /// of memory for its KV cache).
    pub(super) fn prepare(
        &mut self,
        model: &'a LlamaModel,
        backend: &LlamaBackend,
        size: &ContextSize,
        name: &str,
        prompt: &[LlamaToken],
    ) -> Result<usize, RunnerError> {
        let context = if let Some(context) = self.context.take() {
            context
        } else {
            self.tokens.clear();
            let params = LlamaContextParams::default()
                .with_n_ctx(NonZeroU32::new(size.tokens))
                .with_n_batch(BATCH.min(size.tokens))
                .with_n_threads(size.threads)
                .with_n_threads_batch(size.threads);
            model
                .new_context(backend, params)
                .map_err(|e| RunnerError::Other {
                    message: format!("no context for {name} ({} tokens): {e}", size.tokens),
                })?
        };
        let context = self.context.insert(context);
        let mut keep = shared_prefix(&self.tokens, prompt).min(prompt.len().saturating_sub(1));
        let cut = u32::try_from(keep)
            .ok()
            .and_then(|p0| context.clear_kv_cache_seq(Some(0), Some(p0), None).ok())
            .unwrap_or(false);
        if !cut {
            context.clear_kv_cache();
            keep = 0;
        }
        self.tokens.truncate(keep);
        Ok(keep)
    }

    /// The context and the tokens it holds (push each token decoded);
    /// `None` before [`KvCache::prepare`].
    pub(super) fn parts(&mut self) -> Option<(&mut LlamaContext<'a>, &mut Vec<LlamaToken>)> {
        let tokens = &mut self.tokens;
        self.context.as_mut().map(|context| (context, tokens))
    }

    /// Forgets what the cache holds (after a failed decode, whose state
    /// llama.cpp leaves undefined).
    pub(super) fn forget(&mut self) {
        if let Some(context) = self.context.as_mut() {
            context.clear_kv_cache();
        }
        self.tokens.clear();
    }
}

/// How many leading tokens `a` and `b` have in common.
fn shared_prefix(a: &[LlamaToken], b: &[LlamaToken]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::shared_prefix;
    use llama_cpp_2::token::LlamaToken;

    #[test]
    fn the_shared_prefix_stops_at_the_first_difference() {
        let t = |ids: &[i32]| ids.iter().map(|&i| LlamaToken(i)).collect::<Vec<_>>();
        assert_eq!(shared_prefix(&t(&[1, 2, 3, 4]), &t(&[1, 2, 9, 4])), 2);
        assert_eq!(shared_prefix(&t(&[1, 2]), &t(&[1, 2, 3])), 2);
        assert_eq!(shared_prefix(&t(&[]), &t(&[1])), 0);
    }
}
