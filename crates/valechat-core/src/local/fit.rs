//! Whether a model fits in memory before it is loaded: the library's
//! estimate (weights + KV cache, [`super::library::memory`]) against the
//! memory the system has available (`MemAvailable` of `/proc/meminfo`, which
//! already excludes the models loaded so far).

use std::path::Path;

use super::library::{memory::MemoryEstimate, metadata};

/// The memory available for a new model, in bytes: `MemAvailable` of
/// `/proc/meminfo`; `None` where that file does not exist or says nothing
/// (then no check is made).
#[must_use]
pub fn available_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_mem_available(&text)
}

/// `MemAvailable: N kB` of a `/proc/meminfo` text, in bytes.
fn parse_mem_available(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line
        .trim_start_matches("MemAvailable:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    kib.checked_mul(1024)
}

/// `bytes` for people, powers of 1,000 (`4.4 GB`, `812.3 MB`).
#[must_use]
pub fn human_bytes(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss, reason = "one decimal shown")]
    let b = bytes as f64;
    if bytes >= 1_000_000_000 {
        format!("{:.1} GB", b / 1e9)
    } else if bytes >= 1_000_000 {
        format!("{:.1} MB", b / 1e6)
    } else if bytes >= 1_000 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

/// The estimate for the GGUF at `path` loaded with `context_length` tokens
/// (`None`: as the runner does, the model's trained length capped at 4,096).
///
/// # Errors
/// The GGUF header's error, in words.
pub fn estimate_file(path: &Path, context_length: Option<u32>) -> Result<MemoryEstimate, String> {
    let meta = metadata::read(path).map_err(|e| e.to_string())?;
    let context = context_length
        .map(u64::from)
        .or_else(|| meta.context_length.map(|c| c.min(4096)))
        .unwrap_or(4096);
    Ok(super::library::estimate(&meta, Some(context)))
}

/// `Err` with a sentence naming both sizes when `needed` exceeds
/// `available` (`model` names the model in it).
///
/// # Errors
/// The sentence, when the model does not fit.
pub fn check_fits(
    model: &str,
    needed: &MemoryEstimate,
    available: Option<u64>,
) -> Result<(), String> {
    match available {
        Some(available) if needed.total_bytes() > available => Err(format!(
            "the model {model} needs about {} of memory ({} of weights and {} for a context of {} tokens) but only {} is available: unload another model or close programs, or choose a shorter context",
            human_bytes(needed.total_bytes()),
            human_bytes(needed.weights_bytes),
            human_bytes(needed.kv_cache_bytes),
            needed.context_length,
            human_bytes(available),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_available_is_read_in_bytes() {
        let text = "MemTotal:       16314412 kB\nMemFree:  1 kB\nMemAvailable:    8000000 kB\n";
        assert_eq!(parse_mem_available(text), Some(8_192_000_000));
        assert_eq!(parse_mem_available("MemTotal: 1 kB\n"), None);
    }

    #[test]
    fn a_model_larger_than_the_memory_available_is_refused_with_both_sizes() {
        let needed = MemoryEstimate {
            context_length: 4096,
            weights_bytes: 4_000_000_000,
            kv_cache_bytes: 500_000_000,
        };
        let err = check_fits("m", &needed, Some(2_000_000_000)).unwrap_err();
        assert!(err.contains("4.5 GB") && err.contains("2.0 GB"), "{err}");
        assert!(check_fits("m", &needed, Some(5_000_000_000)).is_ok());
        assert!(check_fits("m", &needed, None).is_ok());
    }
}
