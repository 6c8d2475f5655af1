//! The `valechat` binary: the GUI without arguments, the CLI with them.

fn main() -> std::process::ExitCode {
    valechat::run()
}
