//! The local runner on its own, for the benchmark
//! (`benches/local_runner.py --binary`): the same `serve_stdio` the app's
//! hidden `valechat local-runner` subcommand runs, in a binary that does not
//! link GTK, so that a release build of the runner takes minutes, not the
//! whole app's build.
//!
//! ```sh
//! cargo build --release -p valechat-core --features local-models --example local_runner
//! tests/llamacpp/venv/bin/python benches/local_runner.py --binary target/release/examples/local_runner
//! ```
//!
//! The first argument must be `local-runner`, as for the app.

use std::process::ExitCode;

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() != Some("local-runner") {
        eprintln!("usage: local_runner local-runner");
        return ExitCode::FAILURE;
    }
    let status = valechat_core::local::runtime::serve_stdio(env!("CARGO_PKG_VERSION"), None);
    ExitCode::from(u8::try_from(status).unwrap_or(1))
}
