//! One reply: template → tokens → prompt decode → sample token by token,
//! streaming whole UTF-8 characters, until an end-of-generation token, the
//! output limit, the context's end or a cancel.
//!
//! The model's context is kept between replies (`cache.rs`): only the
//! prompt's tokens after what it shares with the cache are decoded.

use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;

use super::cache::{BATCH, ContextSize, KvCache};
use super::models::LoadedModel;
use super::{Inbox, Output, template};
use crate::local::protocol::{Message, Reply, RunnerError, Sampling};

/// How many recent tokens the repeat penalty looks at.
const PENALTY_LAST_N: i32 = 64;

/// What to generate.
pub(super) struct Job<'a> {
    pub(super) id: u64,
    pub(super) messages: &'a [Message],
    pub(super) sampling: Sampling,
    pub(super) max_output_tokens: Option<u32>,
}

/// Runs `job`, sending its deltas; returns the [`Reply::Done`] line.
pub(super) fn run(
    backend: &LlamaBackend,
    loaded: &mut LoadedModel,
    job: &Job<'_>,
    inbox: &mut Inbox,
    out: &mut Output,
) -> Result<Reply, RunnerError> {
    let name = loaded.name.clone();
    let applied = template::apply(loaded, job.messages)?;
    let vocab = loaded.model().vocab();
    let bos_text = vocab
        .text(vocab.bos())
        .map(|t| t.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A template that writes the BOS itself gets no second one.
    let add_special = bos_text.is_empty() || !applied.prompt.starts_with(&bos_text);
    let prompt = loaded.tokenize(&applied.prompt, add_special, true);
    let input_tokens = u64::try_from(prompt.len()).unwrap_or(u64::MAX);
    let size = ContextSize {
        tokens: loaded.context_length,
        threads: loaded.threads,
    };
    if input_tokens >= u64::from(size.tokens) {
        return Err(RunnerError::ContextOverflow {
            model: name,
            input_tokens,
            context_length: u64::from(size.tokens),
        });
    }
    if prompt.is_empty() {
        return Err(RunnerError::Other {
            message: format!("the chat template of {name} gave an empty prompt"),
        });
    }
    let prompted = Prompted {
        name: &name,
        prompt: &prompt,
        size: &size,
        job,
    };
    loaded.cell.with_dependent_mut(|model, cache| {
        let result = prompted.generate(backend, model, cache, inbox, out);
        if result.is_err() {
            cache.forget();
        }
        result
    })
}

/// One reply's inputs, for the part that runs on the kept context.
struct Prompted<'r> {
    name: &'r str,
    prompt: &'r [LlamaToken],
    size: &'r ContextSize,
    job: &'r Job<'r>,
}

impl Prompted<'_> {
    fn generate<'a>(
        &self,
        backend: &LlamaBackend,
        model: &'a LlamaModel,
        cache: &mut KvCache<'a>,
        inbox: &mut Inbox,
        out: &mut Output,
    ) -> Result<Reply, RunnerError> {
        let (name, prompt, job) = (self.name, self.prompt, self.job);
        let other = |message: String| RunnerError::Other { message };
        let reused = cache.prepare(model, backend, self.size, name, prompt)?;
        let Some((ctx, cached)) = cache.parts() else {
            return Err(other(format!("no context for {name}")));
        };
        let vocab = model.vocab();
        let n_ctx = self.size.tokens;
        let counts = Counts {
            input_tokens: u64::try_from(prompt.len()).unwrap_or(u64::MAX),
            cached_tokens: u64::try_from(reused).unwrap_or(u64::MAX),
        };

        let batch_size = usize::try_from(BATCH.min(n_ctx)).unwrap_or(512);
        let mut batch = LlamaBatch::new(batch_size, 1);
        let mut pos = i32::try_from(reused).unwrap_or(i32::MAX);
        let end = i32::try_from(prompt.len()).unwrap_or(i32::MAX);
        for chunk in prompt[reused..].chunks(batch_size) {
            batch.clear();
            for token in chunk {
                batch
                    .add(*token, pos, &[0], pos + 1 == end)
                    .map_err(|e| other(e.to_string()))?;
                pos += 1;
            }
            ctx.decode(&mut batch)
                .map_err(|e| other(format!("{name} could not read the prompt: {e}")))?;
            cached.extend_from_slice(chunk);
            if inbox.cancelled(job.id, out) {
                return Ok(counts.done(job.id, "cancelled", 0));
            }
        }

        let mut sampler = sampler(job.sampling, model);
        let mut output_tokens: u64 = 0;
        let mut pending: Vec<u8> = Vec::new();
        let finish = loop {
            if inbox.cancelled(job.id, out) {
                break "cancelled";
            }
            let token = sampler.sample(ctx, batch.n_tokens() - 1);
            if vocab.is_eog(token) {
                break "stop";
            }
            output_tokens += 1;
            pending.extend(vocab.token_to_piece(token, false, None));
            let text = take_valid_utf8(&mut pending);
            if !text.is_empty() {
                out.send(&Reply::Delta { id: job.id, text });
            }
            if job
                .max_output_tokens
                .is_some_and(|max| output_tokens >= u64::from(max))
                || u32::try_from(pos).unwrap_or(u32::MAX) + 1 >= n_ctx
            {
                break "length";
            }
            batch.clear();
            batch
                .add(token, pos, &[0], true)
                .map_err(|e| other(e.to_string()))?;
            pos += 1;
            ctx.decode(&mut batch)
                .map_err(|e| other(format!("{name} stopped generating: {e}")))?;
            cached.push(token);
        };
        if !pending.is_empty() {
            out.send(&Reply::Delta {
                id: job.id,
                text: String::from_utf8_lossy(&pending).into_owned(),
            });
        }
        Ok(counts.done(job.id, finish, output_tokens))
    }
}

/// A reply's prompt figures.
struct Counts {
    input_tokens: u64,
    cached_tokens: u64,
}

impl Counts {
    fn done(&self, id: u64, finish_reason: &str, output_tokens: u64) -> Reply {
        Reply::Done {
            id,
            finish_reason: finish_reason.to_owned(),
            input_tokens: self.input_tokens,
            output_tokens,
            cached_tokens: self.cached_tokens,
        }
    }
}

/// The sampler chain llama.cpp's own tools use: repeat penalty, top-k,
/// top-p, min-p, temperature, then a seeded draw (greedy at temperature 0).
fn sampler(s: Sampling, model: &LlamaModel) -> LlamaSampler {
    let temperature = s.temperature.unwrap_or(0.8);
    let mut chain = vec![LlamaSampler::penalties(
        model.n_vocab(),
        PENALTY_LAST_N,
        s.repeat_penalty.unwrap_or(1.0),
        0.0,
        0.0,
    )];
    if temperature <= 0.0 {
        chain.push(LlamaSampler::greedy());
    } else {
        chain.push(LlamaSampler::top_k(s.top_k.unwrap_or(40)));
        chain.push(LlamaSampler::top_p(s.top_p.unwrap_or(0.95), 1));
        chain.push(LlamaSampler::min_p(s.min_p.unwrap_or(0.05), 1));
        chain.push(LlamaSampler::temp(temperature));
        chain.push(LlamaSampler::dist(s.seed.unwrap_or_else(rand_seed)));
    }
    LlamaSampler::chain_simple(chain)
}

fn rand_seed() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    nanos ^ std::process::id()
}

/// Takes the longest valid UTF-8 prefix of `bytes` (a character may span tokens).
fn take_valid_utf8(bytes: &mut Vec<u8>) -> String {
    let valid = match std::str::from_utf8(bytes) {
        Ok(s) => s.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        // Invalid bytes that no later token can complete: pass them on replaced.
        Err(_) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            bytes.clear();
            return text;
        }
    };
    let rest = bytes.split_off(valid);
    String::from_utf8(std::mem::replace(bytes, rest)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::take_valid_utf8;

    #[test]
    fn a_character_split_across_tokens_waits_for_its_last_byte() {
        let mut pending = "é".as_bytes()[..1].to_vec();
        assert_eq!(take_valid_utf8(&mut pending), "");
        pending.push("é".as_bytes()[1]);
        pending.extend(b"x");
        assert_eq!(take_valid_utf8(&mut pending), "éx");
        assert!(pending.is_empty());
    }
}
