//! `valechat-fuzz-afl TARGET`: one target under AFL++ (built with
//! `cargo afl build -p valechat-fuzz --features afl`, run by `tools/fuzz.sh`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = valechat_fuzz::target(&name) else {
        let names: Vec<_> = valechat_fuzz::TARGETS.iter().map(|t| t.name).collect();
        eprintln!(
            "usage: valechat-fuzz-afl TARGET (one of {})",
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    afl::fuzz!(|data: &[u8]| (target.run)(data));
    ExitCode::SUCCESS
}
