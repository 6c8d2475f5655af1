//! Which ValeChat process started which server process group, so that the
//! next start can kill what a crashed or killed ValeChat left behind.
//!
//! A server's own process dies with ValeChat (`--die-with-parent`,
//! `setpriv --pdeathsig`), but what that process started itself (`npx`'s
//! `node`, a shell's background job) only shares its process group. So
//! every spawn is noted: one file per owning process in
//! [`crate::paths::processes_dir`], named `BOOT-PID-START` (the kernel's
//! boot id, the owner's pid and its start time, field 22 of
//! `/proc/PID/stat`, in clock ticks since boot), holding a line
//! `PGID START` per group (the group leader's pid and start time).
//!
//! [`sweep_once`] (once per process, at start-up and before the first spawn)
//! reads the files of other owners and, for each owner that is gone (no
//! process with that pid and start time), SIGKILLs its groups, then
//! deletes the file. An owner that is alive, a window, a CLI command, or
//! `valechat` serving MCP, keeps its servers: a pid and a start time
//! together name one process of one boot. A group is killed only when its
//! leader is the recorded process (same start time) or gone; a leader pid
//! now used by another process means the group ended long ago. Files of an
//! earlier boot are deleted without killing anything.

use std::io::Write;
use std::path::Path;
use std::sync::{Once, OnceLock};

/// What one [`sweep_in`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sweep {
    /// Groups that were sent SIGKILL (some may have been empty already).
    pub killed: Vec<u32>,
    /// Owners found alive, whose groups were left alone.
    pub live_owners: Vec<u32>,
}

/// The start time of process `pid` (field 22 of `/proc/PID/stat`, clock
/// ticks since boot); `None` when there is no such process (or no
/// `/proc`).
#[must_use]
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which may hold spaces and ')'.
    let rest = stat.rsplit_once(')')?.1;
    // Field 3 (state) is the first after it: field 22 is the 20th.
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// The kernel's boot id (`/proc/sys/kernel/random/boot_id`).
fn boot_id() -> Option<String> {
    let id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
    Some(id.trim().to_owned()).filter(|id| !id.is_empty() && !id.contains('/'))
}

/// This process as an owner: `(pid, start time)`.
fn me() -> Option<(u32, u64)> {
    static ME: OnceLock<Option<(u32, u64)>> = OnceLock::new();
    *ME.get_or_init(|| {
        let pid = std::process::id();
        start_time(pid).map(|start| (pid, start))
    })
}

/// Notes in [`crate::paths::processes_dir`] that this process started the
/// group `pgid`. Failures are logged, never fatal: the group still dies
/// with its leader.
pub fn record(pgid: u32) {
    let Ok(dir) = crate::paths::processes_dir() else {
        return;
    };
    if let Err(error) = record_in(&dir, pgid) {
        tracing::warn!(%error, dir = %dir.display(), "could not note the server's process group");
    }
}

/// [`record`] into `dir` (created owner-only when missing).
///
/// # Errors
/// The I/O error of creating `dir` or appending to this owner's file.
pub fn record_in(dir: &Path, pgid: u32) -> std::io::Result<()> {
    let (Some(boot), Some((owner, start))) = (boot_id(), me()) else {
        return Ok(()); // No /proc: nothing to compare with later.
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let leader = start_time(pgid).unwrap_or(0);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(format!("{boot}-{owner}-{start}")))?;
    // One short write on an O_APPEND file: lines of concurrent spawns do
    // not interleave.
    file.write_all(format!("{pgid} {leader}\n").as_bytes())
}

/// [`sweep_in`] on [`crate::paths::processes_dir`], once per process (later
/// calls do nothing). Called at start-up by the window and the command line,
/// and before the first server is spawned.
pub fn sweep_once() {
    static SWEPT: Once = Once::new();
    SWEPT.call_once(|| {
        let Ok(dir) = crate::paths::processes_dir() else {
            return;
        };
        let sweep = sweep_in(&dir);
        if !sweep.killed.is_empty() {
            tracing::info!(groups = ?sweep.killed, "killed MCP servers left by a ValeChat that is gone");
        }
    });
}

/// Kills the groups of the owners in `dir` that are gone and deletes their
/// files (see the module doc); a missing `dir` is an empty one.
#[must_use]
pub fn sweep_in(dir: &Path) -> Sweep {
    let mut sweep = Sweep::default();
    let Some(boot) = boot_id() else {
        return sweep;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return sweep;
    };
    for path in entries.filter_map(|e| Some(e.ok()?.path())) {
        let Some((file_boot, pid, start)) = owner_of(&path) else {
            continue;
        };
        if file_boot != boot {
            let _ = std::fs::remove_file(&path);
            continue;
        }
        if start_time(pid) == Some(start) {
            sweep.live_owners.push(pid);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (pgid, leader) in text.lines().filter_map(group_of) {
            if should_kill(pgid, leader) && kill_group(pgid) {
                sweep.killed.push(pgid);
            }
        }
        let _ = std::fs::remove_file(&path);
    }
    sweep
}

/// `(boot id, pid, start time)` of an owner file's name.
fn owner_of(path: &Path) -> Option<(String, u32, u64)> {
    let name = path.file_name()?.to_str()?;
    let mut parts = name.rsplitn(3, '-');
    let start = parts.next()?.parse().ok()?;
    let pid = parts.next()?.parse().ok()?;
    Some((parts.next()?.to_owned(), pid, start))
}

/// `(pgid, leader start time)` of a line.
fn group_of(line: &str) -> Option<(u32, u64)> {
    let (pgid, start) = line.split_once(' ')?;
    Some((pgid.parse().ok()?, start.trim().parse().ok()?))
}

/// Whether group `pgid`, led by a process started at `leader` (0:
/// unknown), is still the one that was noted: its leader is that process,
/// or gone (a group id is its leader's pid, which is not reused while the
/// group has members). Never ValeChat's own group, nor pid 0 or 1.
fn should_kill(pgid: u32, leader: u64) -> bool {
    if pgid <= 1 || own_group() == Some(pgid) {
        return false;
    }
    match start_time(pgid) {
        None => true,
        Some(now) => leader != 0 && now == leader,
    }
}

/// This process's group id (field 5 of `/proc/self/stat`).
fn own_group() -> Option<u32> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(2)?
        .parse()
        .ok()
}

/// SIGKILL to group `pgid`; whether a signal was sent.
#[cfg(target_os = "linux")]
fn kill_group(pgid: u32) -> bool {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    let Ok(raw) = i32::try_from(pgid) else {
        return false;
    };
    killpg(Pid::from_raw(raw), Signal::SIGKILL).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn kill_group(_: u32) -> bool {
    false
}

#[cfg(test)]
#[path = "owners_tests.rs"]
mod tests;
