//! llama.cpp's log: warnings and errors to stderr, and the last error lines kept so a
//! failed load can say why (llama.cpp only returns a null model).
//!
//! The binding forwards llama.cpp's log to `tracing`; this module is the
//! runner process's `tracing` subscriber.

use std::fmt::Write as _;
use std::sync::Mutex;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// The last error lines, oldest first (at most [`KEPT`]).
static ERRORS: Mutex<Vec<String>> = Mutex::new(Vec::new());
const KEPT: usize = 8;

/// Sends llama.cpp's log to this process's stderr through [`Capture`].
pub(super) fn install() {
    let _ = tracing::subscriber::set_global_default(Capture);
    llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default());
}

/// Takes the error lines logged since the last call.
pub(super) fn take_errors() -> Vec<String> {
    ERRORS
        .lock()
        .map(|mut e| std::mem::take(&mut *e))
        .unwrap_or_default()
}

struct Capture;

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        }
    }
}

impl Subscriber for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // Info for the one line that names the CPU back end ggml loaded
        // (see `super::backends`); only warnings and errors are printed.
        *metadata.level() <= Level::INFO
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let text = message.0.trim_end().to_owned();
        if *event.metadata().level() == Level::INFO {
            super::backends::note_log_line(&text);
            return;
        }
        eprintln!("{} {text}", event.metadata().level());
        if *event.metadata().level() == Level::ERROR
            && let Ok(mut errors) = ERRORS.lock()
        {
            if errors.len() == KEPT {
                errors.remove(0);
            }
            errors.push(text);
        }
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
