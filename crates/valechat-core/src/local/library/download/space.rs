//! Free space on the file system of a folder, before a download.

use std::path::Path;

/// Bytes an unprivileged process may still write on the file system
/// holding `dir` (`statvfs`: available blocks × fragment size).
///
/// # Errors
/// The OS error when `dir` cannot be examined.
pub fn available_bytes(dir: &Path) -> std::io::Result<u64> {
    let stat = nix::sys::statvfs::statvfs(dir).map_err(std::io::Error::from)?;
    #[allow(clippy::useless_conversion)] // the field types differ between platforms
    let blocks = u64::from(stat.blocks_available());
    #[allow(clippy::useless_conversion)]
    let size = u64::from(stat.fragment_size());
    Ok(blocks.saturating_mul(size))
}
