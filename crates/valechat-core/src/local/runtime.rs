//! The runner's side of [`super::protocol`]: `valechat local-runner` reads
//! requests from stdin and answers on stdout, running llama.cpp through the
//! `llama-cpp-2` binding (cargo feature `local-models`).
//!
//! A reader thread forwards stdin lines into a channel; the main thread
//! serves them in order. While it generates it polls the channel between two
//! tokens, so an [`Op::Cancel`] stops a reply within one token; other
//! requests read meanwhile wait their turn. llama.cpp's log goes to stderr
//! through [`log`], which also keeps its last errors for the load errors.

mod backends;
mod cache;
mod generate;
mod jinja;
mod log;
mod models;
mod sampler;
mod template;

use std::collections::VecDeque;
use std::io::{BufRead, Write};
use std::sync::mpsc::{self, Receiver};

use super::protocol::{Op, PROTOCOL_VERSION, Reply, Request, RunnerError};

pub use backends::BACKENDS_DIR_VARIABLE;

/// Serves the protocol on stdin/stdout until stdin closes; returns the
/// process exit status (0 on a clean end, 1 when llama.cpp could not start:
/// no back end could be loaded, or its initialisation failed, said on
/// stderr). `version` is ValeChat's version, sent in the hello line;
/// `backends_dir` the installed directory of llama.cpp's back-end modules,
/// if the app has one (`$VALECHAT_LLAMA_BACKENDS_DIR`, the executable's
/// directory and the build tree are looked in too).
#[must_use]
pub fn serve_stdio(version: &str, backends_dir: Option<&std::path::Path>) -> i32 {
    log::install();
    if let Err(message) = backends::load(backends_dir) {
        eprintln!("valechat local-runner: {message}");
        return 1;
    }
    let backend = match llama_cpp_2::llama_backend::LlamaBackend::init() {
        Ok(backend) => backend,
        Err(e) => {
            eprintln!("valechat local-runner: llama.cpp did not start: {e}");
            return 1;
        }
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if line.trim().is_empty() {
                continue;
            }
            let parsed = serde_json::from_str::<Request>(&line).map_err(|e| e.to_string());
            if tx.send(parsed).is_err() {
                break;
            }
        }
    });
    let mut out = Output(std::io::stdout());
    out.send(&Reply::Hello {
        protocol: PROTOCOL_VERSION,
        version: version.to_owned(),
    });
    let mut inbox = Inbox {
        rx,
        backlog: VecDeque::new(),
    };
    let mut models = models::Models::new(backend);
    while let Some(next) = inbox.next() {
        match next {
            Ok(request) => serve(&mut models, request, &mut inbox, &mut out),
            Err(message) => out.send(&Reply::Error {
                id: 0,
                error: RunnerError::Other {
                    message: format!("unreadable request line: {message}"),
                },
            }),
        }
    }
    0
}

fn serve(models: &mut models::Models, request: Request, inbox: &mut Inbox, out: &mut Output) {
    let id = request.id;
    let result = match request.op {
        Op::Load {
            model,
            path,
            context_length,
            threads,
            gpu_layers,
        } => models
            .load(&model, &path, context_length, threads, gpu_layers)
            .map(|()| serde_json::Value::Null),
        Op::Unload { model } => models.unload(&model).map(|()| serde_json::Value::Null),
        Op::List => Ok(serde_json::to_value(models.list()).unwrap_or_default()),
        Op::Generate {
            model,
            messages,
            tools,
            tool_choice,
            sampling,
            max_output_tokens,
        } => {
            let job = generate::Job {
                id,
                messages: &messages,
                tools: &tools,
                tool_choice: &tool_choice,
                sampling,
                max_output_tokens,
            };
            match models.for_generation(&model) {
                Ok((backend, loaded)) => match generate::run(backend, loaded, &job, inbox, out) {
                    Ok(done) => {
                        out.send(&done);
                        return;
                    }
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            }
        }
        // A cancel for a request that is not running (it ended already).
        Op::Cancel { .. } => Ok(serde_json::Value::Null),
        Op::ApplyTemplate {
            model,
            messages,
            tools,
        } => models.get(&model).and_then(|loaded| {
            let applied = template::apply(loaded, &messages, &tools)?;
            Ok(serde_json::json!({"prompt": applied.prompt, "template": applied.engine}))
        }),
        Op::Tokenize {
            model,
            text,
            add_special,
            parse_special,
        } => models.get(&model).map(|loaded| {
            let tokens: Vec<i32> = loaded
                .tokenize(&text, add_special, parse_special)
                .into_iter()
                .map(|t| t.0)
                .collect();
            serde_json::json!({ "tokens": tokens })
        }),
        Op::Embed { model, texts } => models
            .embed(&model, &texts)
            .map(|embeddings| serde_json::json!({ "embeddings": embeddings })),
        Op::Acceleration => Ok(serde_json::to_value(models.acceleration()).unwrap_or_default()),
    };
    match result {
        Ok(result) => out.send(&Reply::Ok { id, result }),
        Err(error) => out.send(&Reply::Error { id, error }),
    }
}

/// Requests read from stdin, with those read during a generation kept for later.
pub(crate) struct Inbox {
    rx: Receiver<Result<Request, String>>,
    backlog: VecDeque<Result<Request, String>>,
}

impl Inbox {
    fn next(&mut self) -> Option<Result<Request, String>> {
        self.backlog.pop_front().or_else(|| self.rx.recv().ok())
    }

    /// Whether a cancel for `id` arrived; answers every cancel read and
    /// keeps the other requests for after the generation.
    fn cancelled(&mut self, id: u64, out: &mut Output) -> bool {
        let mut cancelled = false;
        while let Ok(next) = self.rx.try_recv() {
            match next {
                Ok(Request {
                    id: cancel_id,
                    op: Op::Cancel { target },
                }) => {
                    cancelled |= target == id;
                    out.send(&Reply::Ok {
                        id: cancel_id,
                        result: serde_json::Value::Null,
                    });
                }
                other => self.backlog.push_back(other),
            }
        }
        cancelled
    }
}

/// stdout, one flushed JSON line per reply.
pub(crate) struct Output(std::io::Stdout);

impl Output {
    fn send(&mut self, reply: &Reply) {
        let Ok(line) = serde_json::to_string(reply) else {
            return;
        };
        let mut stdout = self.0.lock();
        // The client is gone when this fails; the reader thread ends the loop.
        let _ = writeln!(stdout, "{line}").and_then(|()| stdout.flush());
    }
}
