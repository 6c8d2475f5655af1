//! Where ValeChat keeps its files (DESIGN.md, Identity).
//!
//! Data: `$XDG_DATA_HOME/valechat` on Linux (inside the sandbox's data dir
//! under Flatpak, which sets `XDG_DATA_HOME`), `~/Library/Application
//! Support/ValeChat` on macOS. `VALECHAT_DATA_DIR` overrides both (tests,
//! portable setups).

use std::ffi::OsString;
use std::path::PathBuf;

/// Environment variable that, when set and non-empty, replaces the data
/// directory.
pub const DATA_DIR_ENV: &str = "VALECHAT_DATA_DIR";

/// File name of the database inside [`data_dir`].
pub const DATABASE_FILE: &str = "valechat.db";

/// Name of ValeChat's folder inside the platform's data directory.
#[cfg(target_os = "macos")]
const APP_DIR: &str = "ValeChat";
/// Name of ValeChat's folder inside the platform's data directory.
#[cfg(not(target_os = "macos"))]
const APP_DIR: &str = "valechat";

/// ValeChat's data directory: `$VALECHAT_DATA_DIR` if set, else the
/// platform's data directory (`dirs::data_dir()`) joined with `valechat`
/// (`ValeChat` on macOS). If the platform has none (no `$HOME`), falls back
/// to `<temp dir>/valechat` and logs a warning. Not created here.
#[must_use]
pub fn data_dir() -> PathBuf {
    resolve_data_dir(std::env::var_os(DATA_DIR_ENV), dirs::data_dir())
}

/// The database file: `data_dir()/valechat.db`.
#[must_use]
pub fn database_path() -> PathBuf {
    data_dir().join(DATABASE_FILE)
}

/// [`data_dir`] with its inputs passed in, so it can be tested without
/// touching the process environment.
fn resolve_data_dir(env_override: Option<OsString>, platform: Option<PathBuf>) -> PathBuf {
    if let Some(dir) = env_override.filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(base) = platform {
        base.join(APP_DIR)
    } else {
        let fallback = std::env::temp_dir().join(APP_DIR);
        tracing::warn!(
            dir = %fallback.display(),
            "no platform data directory (is HOME set?); using a temporary one"
        );
        fallback
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_wins_when_non_empty() {
        let base = Some(PathBuf::from("/home/u/.local/share"));
        assert_eq!(
            resolve_data_dir(Some("/tmp/vc".into()), base.clone()),
            PathBuf::from("/tmp/vc")
        );
        assert_eq!(
            resolve_data_dir(Some(OsString::new()), base),
            PathBuf::from("/home/u/.local/share").join(APP_DIR)
        );
    }

    #[test]
    fn falls_back_to_temp_without_platform_dir() {
        assert_eq!(
            resolve_data_dir(None, None),
            std::env::temp_dir().join(APP_DIR)
        );
    }
}
