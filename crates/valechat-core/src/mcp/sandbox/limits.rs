//! Resource limits as `prlimit` options (util-linux `prlimit(1)`).
//!
//! `prlimit --as=B --nofile=N --cpu=S -- command…` sets the limits on
//! itself (`setrlimit(2)`, soft and hard alike) and execs the command, which
//! keeps them, as do its children. A `pre_exec` hook calling `setrlimit`
//! would do the same without the extra program, but needs `unsafe`, which
//! the crate forbids; `prlimit` also works on the host from inside Flatpak
//! (`flatpak-spawn --host prlimit …`), where a hook in our process would
//! only limit `flatpak-spawn`.

use super::SandboxSettings;

/// Bytes in a mebibyte.
const MIB: u64 = 1024 * 1024;

/// The `prlimit` options for the limits in `settings`, in the order
/// address space (`--as=BYTES`, `RLIMIT_AS`), open files (`--nofile=N`,
/// `RLIMIT_NOFILE`), CPU time (`--cpu=SECONDS`, `RLIMIT_CPU`); empty when no
/// limit is set.
#[must_use]
pub fn prlimit_args(settings: &SandboxSettings) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(mb) = settings.max_memory_mb {
        args.push(format!("--as={}", mb.saturating_mul(MIB)));
    }
    if let Some(files) = settings.max_open_files {
        args.push(format!("--nofile={files}"));
    }
    if let Some(seconds) = settings.max_cpu_seconds {
        args.push(format!("--cpu={seconds}"));
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_limit_becomes_one_option() {
        assert!(prlimit_args(&SandboxSettings::default()).is_empty());
        let settings = SandboxSettings {
            max_memory_mb: Some(256),
            max_open_files: Some(32),
            max_cpu_seconds: Some(7),
            ..SandboxSettings::default()
        };
        assert_eq!(
            prlimit_args(&settings),
            ["--as=268435456", "--nofile=32", "--cpu=7"]
        );
    }
}
