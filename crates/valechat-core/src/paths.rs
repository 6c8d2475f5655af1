//! Where ValeChat keeps its files (DESIGN.md, Identity).
//!
//! Data: `$XDG_DATA_HOME/valechat` on Linux (inside the sandbox's data dir
//! under Flatpak, which sets `XDG_DATA_HOME`), `~/Library/Application
//! Support/ValeChat` on macOS. `VALECHAT_DATA_DIR` overrides both (tests,
//! portable setups). Without any of them there is no data directory: the
//! conversations are never put in a shared temporary folder.

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

/// There is no place to keep ValeChat's data: neither
/// `VALECHAT_DATA_DIR` nor the platform's data directory (`$HOME`,
/// `$XDG_DATA_HOME`) is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("ValeChat has no folder for its data: set HOME (or XDG_DATA_HOME), or VALECHAT_DATA_DIR")]
pub struct NoDataDir;

/// ValeChat's data directory: `$VALECHAT_DATA_DIR` if set, else the
/// platform's data directory (`dirs::data_dir()`) joined with `valechat`
/// (`ValeChat` on macOS). Not created here.
///
/// # Errors
/// [`NoDataDir`] when the platform has none (no `$HOME`): data is never
/// kept in the shared temporary folder, where other users could read or
/// replace it.
pub fn data_dir() -> Result<PathBuf, NoDataDir> {
    resolve_data_dir(std::env::var_os(DATA_DIR_ENV), dirs::data_dir())
}

/// The database file: `data_dir()/valechat.db`.
///
/// # Errors
/// [`NoDataDir`], as [`data_dir`].
pub fn database_path() -> Result<PathBuf, NoDataDir> {
    Ok(data_dir()?.join(DATABASE_FILE))
}

/// ValeChat's cache directory: `$VALECHAT_DATA_DIR/cache` when that is
/// set (tests and portable setups keep everything in one place), else the
/// platform's cache directory (`dirs::cache_dir()`, `~/.cache` on Linux)
/// joined with `valechat`. Sandboxed MCP servers keep their package caches
/// here (`mcp/<server id>/`). Not created here.
///
/// # Errors
/// [`NoDataDir`] when neither is known (no `$HOME`).
pub fn cache_dir() -> Result<PathBuf, NoDataDir> {
    match std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        Some(dir) => Ok(PathBuf::from(dir).join("cache")),
        None => dirs::cache_dir().map(|c| c.join(APP_DIR)).ok_or(NoDataDir),
    }
}

/// Where ValeChat notes the MCP server processes it started (see
/// `mcp::process` and its `owners`): `$VALECHAT_DATA_DIR/processes` when
/// that is set, else `$XDG_RUNTIME_DIR/valechat/processes` (emptied at
/// log-out), else `data_dir()/processes`. Not created here.
///
/// # Errors
/// [`NoDataDir`], as [`data_dir`].
pub fn processes_dir() -> Result<PathBuf, NoDataDir> {
    if std::env::var_os(DATA_DIR_ENV).is_some_and(|d| !d.is_empty()) {
        return Ok(data_dir()?.join("processes"));
    }
    match dirs::runtime_dir() {
        Some(runtime) => Ok(runtime.join(APP_DIR).join("processes")),
        None => Ok(data_dir()?.join("processes")),
    }
}

/// Where the library keeps the model files it copied or downloaded
/// (issue 16): `data_dir()/models` (`$XDG_DATA_HOME/valechat/models` on
/// Linux). Referenced models stay where they are. Not created here.
///
/// # Errors
/// [`NoDataDir`], as [`data_dir`].
pub fn models_dir() -> Result<PathBuf, NoDataDir> {
    Ok(data_dir()?.join("models"))
}

/// [`data_dir`] with its inputs passed in, so it can be tested without
/// touching the process environment.
fn resolve_data_dir(
    env_override: Option<OsString>,
    platform: Option<PathBuf>,
) -> Result<PathBuf, NoDataDir> {
    if let Some(dir) = env_override.filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    platform.map(|base| base.join(APP_DIR)).ok_or(NoDataDir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_wins_when_non_empty() {
        let base = Some(PathBuf::from("/home/u/.local/share"));
        assert_eq!(
            resolve_data_dir(Some("/tmp/vc".into()), base.clone()),
            Ok(PathBuf::from("/tmp/vc"))
        );
        assert_eq!(
            resolve_data_dir(Some(OsString::new()), base),
            Ok(PathBuf::from("/home/u/.local/share").join(APP_DIR))
        );
    }

    #[test]
    fn no_platform_dir_is_an_error_not_the_temp_folder() {
        assert_eq!(resolve_data_dir(None, None), Err(NoDataDir));
        assert_eq!(
            resolve_data_dir(Some(OsString::new()), None),
            Err(NoDataDir)
        );
    }
}
