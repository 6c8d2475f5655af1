//! What the installed Bubblewrap can do, asked once per program.
//!
//! `--disable-userns` came with bubblewrap 0.8.0 (Debian 12 ships 0.8.0,
//! Ubuntu 22.04 0.6.1): [`supports_disable_userns`] runs `bwrap --help`
//! once and looks for the option, so older versions still start servers,
//! without that hardening.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// The last answer, with the program it is about (tests point
/// `VALECHAT_BWRAP` at other programs).
static DISABLE_USERNS: Mutex<Option<(PathBuf, bool)>> = Mutex::new(None);

/// Whether `bwrap` lists `--disable-userns` in its `--help`. Runs the
/// program the first time it is asked about (a few milliseconds); `false`
/// when it cannot be run.
#[must_use]
pub fn supports_disable_userns(bwrap: &Path) -> bool {
    let mut cached = DISABLE_USERNS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((program, answer)) = cached.as_ref()
        && program == bwrap
    {
        return *answer;
    }
    let answer = Command::new(bwrap)
        .arg("--help")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|out| lists_disable_userns(&String::from_utf8_lossy(&out.stdout)));
    *cached = Some((bwrap.to_owned(), answer));
    answer
}

/// Whether a `bwrap --help` text lists the option.
fn lists_disable_userns(help: &str) -> bool {
    help.lines()
        .any(|line| line.trim_start().starts_with("--disable-userns"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_is_read_from_the_help_text() {
        assert!(lists_disable_userns(
            "    --disable-userns             Disable further use of user namespaces inside sandbox\n"
        ));
        assert!(!lists_disable_userns(
            "    --unshare-user               Create new user namespace\n"
        ));
        assert!(!supports_disable_userns(Path::new("/nonexistent/bwrap")));
        if Path::new("/usr/bin/bwrap").exists() {
            // Debian 12's bubblewrap 0.8.0 has it.
            let version = Command::new("/usr/bin/bwrap")
                .arg("--version")
                .output()
                .unwrap();
            let version = String::from_utf8_lossy(&version.stdout).to_string();
            let newer = !version.contains(" 0.6") && !version.contains(" 0.7");
            assert_eq!(
                supports_disable_userns(Path::new("/usr/bin/bwrap")),
                newer,
                "{version}"
            );
        }
    }
}
