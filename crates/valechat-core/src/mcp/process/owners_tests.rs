use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command};

use super::*;

/// A `sleep` leading a process group of its own.
fn group() -> Child {
    Command::new("sleep")
        .arg("300")
        .process_group(0)
        .spawn()
        .unwrap()
}

/// A process that has come and gone: `(pid, start time)`.
fn dead_owner() -> (u32, u64) {
    let mut child = Command::new("sleep").arg("300").spawn().unwrap();
    let pid = child.id();
    let start = start_time(pid).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(start_time(pid), None);
    (pid, start)
}

fn note(dir: &Path, boot: &str, owner: (u32, u64), groups: &[&Child]) -> PathBuf {
    let path = dir.join(format!("{boot}-{}-{}", owner.0, owner.1));
    let lines: Vec<String> = groups
        .iter()
        .map(|g| format!("{} {}", g.id(), start_time(g.id()).unwrap()))
        .collect();
    let lines = lines.join("\n") + "\n";
    std::fs::write(&path, lines).unwrap();
    path
}

/// Whether `child` is still running (not exited, not a zombie).
fn running(child: &mut Child) -> bool {
    child.try_wait().unwrap().is_none()
}

#[test]
fn start_times_come_from_proc() {
    assert!(start_time(std::process::id()).is_some());
    assert_eq!(start_time(u32::MAX), None);
    assert!(boot_id().is_some_and(|b| b.len() >= 32));
}

#[test]
fn only_the_groups_of_owners_that_are_gone_are_killed() {
    let dir = tempfile::tempdir().unwrap();
    let boot = boot_id().unwrap();
    let mut orphan = group();
    let mut kept = group();
    let mut earlier_boot = group();
    let live_owner = Command::new("sleep").arg("300").spawn().unwrap();
    let live = (live_owner.id(), start_time(live_owner.id()).unwrap());
    let dead_file = note(dir.path(), &boot, dead_owner(), &[&orphan]);
    let live_file = note(dir.path(), &boot, live, &[&kept]);
    let old_file = note(dir.path(), "0-old-boot", dead_owner(), &[&earlier_boot]);

    let sweep = sweep_in(dir.path());

    assert_eq!(sweep.killed, [orphan.id()]);
    assert_eq!(sweep.live_owners, [live.0]);
    orphan.wait().unwrap(); // Returns: it was killed.
    assert!(running(&mut kept), "a live owner's server was killed");
    assert!(
        running(&mut earlier_boot),
        "an earlier boot's pid was killed"
    );
    assert!(!dead_file.exists() && !old_file.exists());
    assert!(live_file.exists());
    for mut child in [kept, earlier_boot, live_owner] {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[test]
fn a_leader_pid_taken_by_another_process_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let boot = boot_id().unwrap();
    let mut other = group();
    // Noted with another start time: the same pid, another process.
    let line = format!("{} {}\n", other.id(), start_time(other.id()).unwrap() + 1);
    let (pid, start) = dead_owner();
    std::fs::write(dir.path().join(format!("{boot}-{pid}-{start}")), line).unwrap();
    let sweep = sweep_in(dir.path());
    assert!(sweep.killed.is_empty(), "{sweep:?}");
    assert!(running(&mut other));
    other.kill().unwrap();
    other.wait().unwrap();
}

#[test]
fn recording_appends_a_line_to_this_owners_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = group();
    record_in(&dir.path().join("processes"), child.id()).unwrap();
    record_in(&dir.path().join("processes"), child.id()).unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path().join("processes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let (_, pid, _) = owner_of(&files[0]).unwrap();
    assert_eq!(pid, std::process::id());
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert_eq!(text.lines().count(), 2);
    assert_eq!(
        group_of(text.lines().next().unwrap()).map(|g| g.0),
        Some(child.id())
    );
    // This process is alive: its own groups survive a sweep.
    assert!(sweep_in(&dir.path().join("processes")).killed.is_empty());
    assert!(running(&mut child));
    child.kill().unwrap();
    child.wait().unwrap();
}
