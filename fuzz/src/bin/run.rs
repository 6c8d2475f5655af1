//! `valechat-fuzz-run TARGET [FILE|DIR…]`: runs one target on files (every
//! file of a folder), or on standard input when none is given, without
//! AFL: to replay a crash AFL found (`fuzz/out/TARGET/default/crashes/…`)
//! under a debugger, or to check a corpus. A broken promise panics.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_default();
    let Some(target) = valechat_fuzz::target(&name) else {
        let names: Vec<_> = valechat_fuzz::TARGETS.iter().map(|t| t.name).collect();
        eprintln!(
            "usage: valechat-fuzz-run TARGET [FILE|DIR…] (TARGET: {})",
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    let paths: Vec<String> = args.collect();
    if paths.is_empty() {
        let mut data = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut data) {
            eprintln!("valechat-fuzz-run: standard input: {e}");
            return ExitCode::FAILURE;
        }
        (target.run)(&data);
        return ExitCode::SUCCESS;
    }
    let mut count = 0usize;
    for path in &paths {
        match run_path(target, Path::new(path)) {
            Ok(n) => count += n,
            Err(e) => {
                eprintln!("valechat-fuzz-run: {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{name}: {count} inputs, no crash");
    ExitCode::SUCCESS
}

/// Runs the target on `path`, or on every file under it; how many inputs.
fn run_path(target: &valechat_fuzz::Target, path: &Path) -> std::io::Result<usize> {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(std::fs::DirEntry::path);
        let mut count = 0;
        for entry in entries {
            count += run_path(target, &entry.path())?;
        }
        Ok(count)
    } else {
        let data = std::fs::read(path)?;
        (target.run)(&data);
        Ok(1)
    }
}
