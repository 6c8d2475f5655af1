//! `valechat models loaded|unload`: the models the running window keeps
//! loaded, asked of it over D-Bus ([`crate::local_dbus`]); a CLI command's
//! own runner would have none.

use std::process::ExitCode;

use anyhow::bail;
use serde_json::json;

use super::Format;
use super::show::size;
use crate::local_dbus::{self, CallError, LoadedRow};

/// What `models loaded` and `models unload` say when no window runs.
pub const NOT_RUNNING: &str = "ValeChat is not running: no model is loaded";

/// Runs a blocking D-Bus call off the async runtime's threads.
async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, CallError> + Send + 'static,
) -> anyhow::Result<Result<T, CallError>> {
    Ok(tokio::task::spawn_blocking(call).await?)
}

/// `models loaded`: the window's loaded models, or [`NOT_RUNNING`] (exit 0).
pub async fn loaded(format: Format) -> anyhow::Result<ExitCode> {
    let rows = match blocking(local_dbus::list_loaded).await? {
        Ok(rows) => rows,
        Err(CallError::NotRunning) => {
            match format {
                Format::Json => println!("[]"),
                Format::Table => println!("{NOT_RUNNING}"),
            }
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e.into()),
    };
    match format {
        Format::Json => {
            let list: Vec<_> = rows.iter().map(row_json).collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        Format::Table if rows.is_empty() => println!("No model is loaded in ValeChat."),
        Format::Table => {
            println!(
                "{:<6} {:>10} {:>8} {:<19} {:<19} PATH",
                "ID", "MEMORY", "CONTEXT", "LOADED", "LAST USED"
            );
            for r in &rows {
                println!(
                    "{:<6} {:>10} {:>8} {:<19} {:<19} {}",
                    r.id,
                    size(r.memory_bytes),
                    r.context_length,
                    local_time(r.loaded_at_ms),
                    r.last_used_ms
                        .map_or_else(|| "not yet".to_owned(), local_time),
                    r.path
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `models unload ID`: unloads it in the window; an error when no window
/// runs or it is not loaded there.
pub async fn unload(id: &str) -> anyhow::Result<ExitCode> {
    let owned = id.to_owned();
    match blocking(move || local_dbus::unload(&owned)).await? {
        Ok(()) => {
            println!("Unloaded model {id} from ValeChat.");
            Ok(ExitCode::SUCCESS)
        }
        Err(CallError::NotRunning) => bail!("{NOT_RUNNING}"),
        Err(e) => Err(e.into()),
    }
}

fn row_json(r: &LoadedRow) -> serde_json::Value {
    json!({
        "id": r.id,
        "path": r.path,
        "memory_bytes": r.memory_bytes,
        "weights_bytes": r.weights_bytes,
        "context_length": r.context_length,
        "gpu_layers": r.gpu_layers,
        "loaded_at": rfc3339(r.loaded_at_ms),
        "last_used": r.last_used_ms.map(rfc3339),
    })
}

fn rfc3339(ms: u64) -> String {
    chrono::DateTime::<chrono::Utc>::from(local_dbus::from_unix_ms(ms))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn local_time(ms: u64) -> String {
    chrono::DateTime::<chrono::Local>::from(local_dbus::from_unix_ms(ms))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}
