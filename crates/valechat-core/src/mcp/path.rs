//! Finding programs the way the user's terminal would.
//!
//! GUI sessions often start apps with a bare PATH, so `npx`, `uvx` or `node`
//! installed through nvm, volta or `~/.local/bin` are not found. The user's
//! login shell is asked once (`$SHELL -lic 'printf %s "$PATH"'`, 3 s limit)
//! and the answer is cached for the life of the process; on failure the
//! current PATH plus `~/.local/bin` and `/usr/local/bin` is used.
//! Inside Flatpak (`/.flatpak-info` exists) servers run on the host through
//! `flatpak-spawn --host`, which needs the `org.freedesktop.Flatpak`
//! talk-name.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long the login shell may take to print its PATH.
pub const SHELL_TIMEOUT: Duration = Duration::from_secs(3);

static LOGIN_PATH: OnceLock<String> = OnceLock::new();

/// The login-shell PATH (colon-separated), computed once. Blocks up to
/// [`SHELL_TIMEOUT`] on the first call: call it from a blocking context.
pub fn login_path() -> &'static str {
    LOGIN_PATH.get_or_init(|| {
        let shell = std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".to_owned());
        match shell_path(&shell, SHELL_TIMEOUT) {
            Some(path) => path,
            None => fallback_path(),
        }
    })
}

/// Whether ValeChat runs inside a Flatpak sandbox.
#[must_use]
pub fn in_flatpak() -> bool {
    Path::new("/.flatpak-info").exists()
}

/// The absolute path of `program` on [`login_path`], or `program` unchanged
/// when it contains a `/` or is not found (the OS then reports the error).
#[must_use]
pub fn resolve_program(program: &str) -> PathBuf {
    if program.contains('/') {
        return PathBuf::from(program);
    }
    find_in(program, login_path()).unwrap_or_else(|| PathBuf::from(program))
}

/// Looks `program` up in the directories of `path`.
#[must_use]
pub fn find_in(program: &str, path: &str) -> Option<PathBuf> {
    path.split(':')
        .filter(|dir| !dir.is_empty())
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| is_executable(candidate))
}

/// Whether `path` is a file with an execute bit.
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Runs `shell -lic 'printf %s "$PATH"'` and returns its output, or `None`
/// on failure, empty output or after `timeout` (the shell is killed).
pub fn shell_path(shell: &str, timeout: Duration) -> Option<String> {
    let mut child = Command::new(shell)
        .args(["-lic", "printf %s \"$PATH\""])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                tracing::warn!(shell, "the login shell did not print its PATH in time");
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let mut out = String::new();
    child.stdout.take()?.read_to_string(&mut out).ok()?;
    // Interactive shells may print a banner first; PATH is the last line.
    let path = out.lines().last().unwrap_or_default().trim().to_owned();
    (!path.is_empty() && path.contains('/')).then_some(path)
}

/// The current PATH plus `~/.local/bin` and `/usr/local/bin`.
pub fn fallback_path() -> String {
    let mut dirs: Vec<String> = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .collect();
    let mut extra = vec!["/usr/local/bin".to_owned()];
    if let Some(home) = dirs::home_dir() {
        extra.insert(0, home.join(".local/bin").to_string_lossy().into_owned());
    }
    for dir in extra {
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs.join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_prints_its_path() {
        let path = shell_path("/bin/sh", SHELL_TIMEOUT).expect("sh prints PATH");
        assert!(path.contains('/'), "{path}");
    }

    #[test]
    fn a_missing_shell_gives_none() {
        assert_eq!(shell_path("/nonexistent/shell", SHELL_TIMEOUT), None);
    }

    #[test]
    fn fallback_adds_local_bin() {
        assert!(fallback_path().split(':').any(|d| d == "/usr/local/bin"));
    }

    #[test]
    fn programs_are_found_on_a_path() {
        assert_eq!(
            find_in("sh", "/nonexistent:/bin"),
            Some(PathBuf::from("/bin/sh"))
        );
        assert_eq!(find_in("no-such-program-xyz", "/bin:/usr/bin"), None);
        assert_eq!(resolve_program("./x"), PathBuf::from("./x"));
    }
}
