//! One reply: template → tokens → prompt decode → sample token by token,
//! streaming whole UTF-8 characters, until an end-of-generation token, the
//! output limit, the context's end or a cancel.
//!
//! The model's context is kept between replies (`cache.rs`): only the
//! prompt's tokens after what it shares with the cache are decoded.
//!
//! A model whose template thinks in `<think>` tags has its reasoning split
//! from its reply ([`ReasoningSplitter`]): reasoning goes out as
//! [`Reply::Reasoning`] lines, the rest as the reply.
//!
//! With tools offered, the generated text goes through the template's
//! tool-call parser ([`ToolCallParser`]): calls become [`Reply::ToolCall`]
//! lines (never text) and the reply ends with `tool_calls`. Special tokens
//! are then rendered as text (`<|python_tag|>`, `[TOOL_CALLS]` are control
//! tokens some formats start with). The sampler chain then starts with the
//! tool-call grammar (`crate::local::grammar`): lazy for `tool_choice`
//! `auto`, from the first token for `required` or a named tool.

use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;

use super::cache::{BATCH, ContextSize, KvCache};
use super::models::LoadedModel;
use super::sampler::sampler;
use super::template::{self, Thinking};
use super::{Inbox, Output};
use crate::local::grammar::{self, GrammarError, ThinkingStart, ToolGrammar};
use crate::local::protocol::{Message, Reply, RunnerError, Sampling, ToolChoice, ToolDefinition};
use crate::local::reasoning::{Part, ReasoningSplitter};
use crate::local::tool_calls::{Piece, ToolCallFormat, ToolCallParser};

/// What to generate.
pub(super) struct Job<'a> {
    pub(super) id: u64,
    pub(super) messages: &'a [Message],
    pub(super) tools: &'a [ToolDefinition],
    pub(super) tool_choice: &'a ToolChoice,
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
    let applied = template::apply(loaded, job.messages, job.tools)?;
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
    let tool_grammar = match applied.tool_format {
        Some(format) => grammar::build(
            format,
            job.tools,
            job.tool_choice,
            applied.thinking.map(|t| match t {
                Thinking::MayOpen => ThinkingStart::MayOpen,
                Thinking::Opened => ThinkingStart::Opened,
            }),
            |schema| llama_cpp_2::json_schema_to_grammar(schema).map_err(|e| e.to_string()),
        )
        .map_err(
            |GrammarError::Schema { tool, message }| RunnerError::ToolSchema {
                model: name.clone(),
                tool,
                message,
            },
        )?,
        None => None,
    };
    let prompted = Prompted {
        name: &name,
        tool_grammar,
        prompt: &prompt,
        size: &size,
        job,
        tool_format: applied.tool_format,
        thinking: applied.thinking,
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
    tool_grammar: Option<ToolGrammar>,
    prompt: &'r [LlamaToken],
    size: &'r ContextSize,
    job: &'r Job<'r>,
    tool_format: Option<ToolCallFormat>,
    thinking: Option<Thinking>,
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

        let mut sampler = sampler(job.sampling, model, self.tool_grammar.as_ref())?;
        let mut output_tokens: u64 = 0;
        let mut pending: Vec<u8> = Vec::new();
        let mut reply = ReplyOut {
            id: job.id,
            reasoning: self
                .thinking
                .map(|t| ReasoningSplitter::new(t == Thinking::Opened)),
            parser: self.tool_format.map(ToolCallParser::new),
            calls: 0,
        };
        let special = reply.parser.is_some();
        let finish = loop {
            if inbox.cancelled(job.id, out) {
                break "cancelled";
            }
            let token = sampler.sample(ctx, batch.n_tokens() - 1);
            if vocab.is_eog(token) {
                break "stop";
            }
            output_tokens += 1;
            pending.extend(vocab.token_to_piece(token, special, None));
            let text = take_valid_utf8(&mut pending);
            if !text.is_empty() {
                reply.text(&text, out);
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
            reply.text(&String::from_utf8_lossy(&pending), out);
        }
        let calls = reply.finish(out);
        let finish = if calls > 0 && finish != "cancelled" {
            "tool_calls"
        } else {
            finish
        };
        Ok(counts.done(job.id, finish, output_tokens))
    }
}

/// Where a reply's text goes: its reasoning split off first for a thinking
/// model, then the reply straight out as [`Reply::Delta`], or through the
/// tool-call parser when tools were offered.
struct ReplyOut {
    id: u64,
    reasoning: Option<ReasoningSplitter>,
    parser: Option<ToolCallParser>,
    calls: u32,
}

impl ReplyOut {
    fn text(&mut self, text: &str, out: &mut Output) {
        match self.reasoning.as_mut() {
            Some(splitter) => {
                let parts = splitter.push(text);
                self.parts(parts, out);
            }
            None => self.reply_text(text, out),
        }
    }

    fn parts(&mut self, parts: Vec<Part>, out: &mut Output) {
        for part in parts {
            match part {
                Part::Reasoning(text) => out.send(&Reply::Reasoning { id: self.id, text }),
                Part::Text(text) => self.reply_text(&text, out),
            }
        }
    }

    fn reply_text(&mut self, text: &str, out: &mut Output) {
        match self.parser.as_mut() {
            Some(parser) => {
                let pieces = parser.push(text);
                self.send(pieces, out);
            }
            None => out.send(&Reply::Delta {
                id: self.id,
                text: text.to_owned(),
            }),
        }
    }

    /// Sends what the parser still holds; returns the number of calls.
    fn finish(&mut self, out: &mut Output) -> u32 {
        if let Some(splitter) = self.reasoning.as_mut() {
            let parts = splitter.finish();
            self.parts(parts, out);
        }
        if let Some(parser) = self.parser.as_mut() {
            let pieces = parser.finish();
            self.send(pieces, out);
        }
        self.calls
    }

    fn send(&mut self, pieces: Vec<Piece>, out: &mut Output) {
        for piece in pieces {
            match piece {
                Piece::Text(text) => out.send(&Reply::Delta { id: self.id, text }),
                Piece::Call(call) => {
                    out.send(&Reply::ToolCall {
                        id: self.id,
                        index: self.calls,
                        call_id: call.id.unwrap_or_else(new_call_id),
                        name: call.name,
                        arguments: call.arguments,
                    });
                    self.calls += 1;
                }
            }
        }
    }
}

/// A call id for a call the model wrote none for: 9 letters and digits
/// (the length Mistral's templates require of ids sent back).
fn new_call_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..9].to_owned()
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
