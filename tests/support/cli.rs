//! Running the `valechat` binary in tests: its data directory in a temporary
//! folder (`VALECHAT_DATA_DIR`), logs off, a UTF-8 C locale, extra
//! environment as the test needs (e.g. `TZ`), and a deadline so a hanging
//! command fails the test instead of the suite.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

/// Longest one command may run before the test fails instead of hanging.
pub const COMMAND_DEADLINE: Duration = Duration::from_secs(20);

/// Runs `valechat args…` with its data in `data_dir` and `env` added.
pub async fn valechat_with(data_dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_valechat"));
    command
        .args(args)
        .env("VALECHAT_DATA_DIR", data_dir)
        .env("RUST_LOG", "off")
        .env("LC_ALL", "C.UTF-8");
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start valechat");
    tokio::time::timeout(COMMAND_DEADLINE, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("valechat {args:?} did not finish"))
        .expect("wait for valechat")
}

/// The command's standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// The command's standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Asserts a zero exit status, showing stderr otherwise.
pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}, stderr: {}",
        output.status.code(),
        stderr(output)
    );
}
