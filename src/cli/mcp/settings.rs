//! `valechat mcp settings`: the tool bounds of a chat turn (rounds of tool
//! calls, characters of a result sent to the model), shared with the app's
//! Preferences → Tools through the database.

use std::process::ExitCode;

use valechat_core::chat::{Engine, ToolLimits};

/// Prints the bounds, or stores the ones given (checked first) and prints
/// them; `reset` forgets them.
///
/// # Errors
/// A value out of range (nothing is stored), or the database failing.
pub async fn run(
    engine: &Engine,
    max_rounds: Option<u32>,
    max_result_chars: Option<usize>,
    reset: bool,
) -> anyhow::Result<ExitCode> {
    let store = engine.store();
    if reset {
        store.clear_tool_limits().await?;
    } else if max_rounds.is_some() || max_result_chars.is_some() {
        let current = store.tool_limits().await?.unwrap_or_default();
        let limits = ToolLimits {
            max_rounds: max_rounds.unwrap_or(current.max_rounds),
            max_result_chars: max_result_chars.unwrap_or(current.max_result_chars),
        };
        limits.validate()?;
        store.set_tool_limits(limits).await?;
    }
    let limits = store.tool_limits().await?.unwrap_or_default();
    println!("tool rounds per turn: {}", limits.max_rounds);
    println!(
        "characters of a tool result sent to the model: {}",
        limits.max_result_chars
    );
    Ok(ExitCode::SUCCESS)
}
