//! The seccomp filter of a sandboxed server: system calls a tool server
//! never needs fail with `EPERM` (a clean error, not a crash).
//!
//! Built with `seccompiler` (pure Rust, no libseccomp, no `unsafe` here) as
//! a classic BPF program, and handed to Bubblewrap as raw bytes on a
//! descriptor (`bwrap --seccomp FD`, mapped by `command-fds` in
//! `super::super::process`); bwrap installs it right before it execs the
//! server, so its own setup (mounts, namespaces) is not filtered.
//!
//! Blocked, and why ([`BLOCKED`]):
//! - `ptrace`, `process_vm_readv`, `process_vm_writev`: reading or changing
//!   another process's memory (a server must not inspect its neighbours in
//!   the sandbox, nor debug its way around the seccomp filter);
//! - `mount`, `umount2`, `pivot_root`, `chroot`, and the new mount API
//!   (`open_tree`, `move_mount`, `fsopen`, `fsconfig`, `fsmount`, `fspick`,
//!   `mount_setattr`): changing the file system view the sandbox built;
//! - `setns`: joining another namespace (user namespaces are already
//!   closed by `--disable-userns`);
//! - `kexec_load`, `kexec_file_load`, `reboot`, `init_module`,
//!   `finit_module`, `delete_module`, `swapon`, `swapoff`, `acct`,
//!   `quotactl`, `settimeofday`, `clock_settime`, `vhangup`: the machine's
//!   business, not a tool's (most need privileges the sandbox lacks; the
//!   filter makes that a rule rather than a hope);
//! - `bpf`, `perf_event_open`, `userfaultfd`, `io_uring_setup`,
//!   `io_uring_enter`, `io_uring_register`: large kernel attack surface,
//!   the usual tools of kernel exploits (Node's libuv falls back to threads
//!   when `io_uring` is refused);
//! - `keyctl`, `add_key`, `request_key`: the kernel keyring is not
//!   namespaced: the session's keys (Kerberos tickets, …) would be reachable;
//! - `syslog`: the kernel log holds kernel addresses;
//! - `open_by_handle_at`, `name_to_handle_at`: open files by handle, past
//!   the mount table (the "shocker" container escape);
//! - `personality` except `PER_LINUX` and the query `0xffffffff`: turning
//!   off address-space randomisation or enabling legacy personalities;
//! - `ioctl` with `TIOCSTI` or `TIOCLINUX`: pushing keystrokes into a
//!   terminal;
//! - on x86-64, every x32 system call (numbers with bit 30 set), so the
//!   x32 numbers of the calls above cannot go around the list.
//!
//! Any other architecture than the one ValeChat was built for is killed by
//! seccompiler's own check (a tool server does not run 32-bit binaries).

use std::collections::BTreeMap;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch, sock_filter,
};

/// The system calls refused unconditionally (see the module doc).
pub const BLOCKED: &[(&str, i64)] = &[
    ("ptrace", libc::SYS_ptrace),
    ("process_vm_readv", libc::SYS_process_vm_readv),
    ("process_vm_writev", libc::SYS_process_vm_writev),
    ("mount", libc::SYS_mount),
    ("umount2", libc::SYS_umount2),
    ("pivot_root", libc::SYS_pivot_root),
    ("chroot", libc::SYS_chroot),
    ("open_tree", libc::SYS_open_tree),
    ("move_mount", libc::SYS_move_mount),
    ("fsopen", libc::SYS_fsopen),
    ("fsconfig", libc::SYS_fsconfig),
    ("fsmount", libc::SYS_fsmount),
    ("fspick", libc::SYS_fspick),
    ("mount_setattr", libc::SYS_mount_setattr),
    ("setns", libc::SYS_setns),
    ("kexec_load", libc::SYS_kexec_load),
    ("kexec_file_load", libc::SYS_kexec_file_load),
    ("reboot", libc::SYS_reboot),
    ("init_module", libc::SYS_init_module),
    ("finit_module", libc::SYS_finit_module),
    ("delete_module", libc::SYS_delete_module),
    ("swapon", libc::SYS_swapon),
    ("swapoff", libc::SYS_swapoff),
    ("acct", libc::SYS_acct),
    ("quotactl", libc::SYS_quotactl),
    ("settimeofday", libc::SYS_settimeofday),
    ("clock_settime", libc::SYS_clock_settime),
    ("vhangup", libc::SYS_vhangup),
    ("bpf", libc::SYS_bpf),
    ("perf_event_open", libc::SYS_perf_event_open),
    ("userfaultfd", libc::SYS_userfaultfd),
    ("io_uring_setup", libc::SYS_io_uring_setup),
    ("io_uring_enter", libc::SYS_io_uring_enter),
    ("io_uring_register", libc::SYS_io_uring_register),
    ("keyctl", libc::SYS_keyctl),
    ("add_key", libc::SYS_add_key),
    ("request_key", libc::SYS_request_key),
    ("syslog", libc::SYS_syslog),
    ("open_by_handle_at", libc::SYS_open_by_handle_at),
    ("name_to_handle_at", libc::SYS_name_to_handle_at),
];

/// `personality(2)` values still allowed: `PER_LINUX` and the query.
const PERSONALITY_ALLOWED: [u64; 2] = [0, 0xffff_ffff];

/// Terminal `ioctl(2)` requests refused: `TIOCSTI`, `TIOCLINUX`.
const IOCTL_BLOCKED: [u64; 2] = [0x5412, 0x541C];

/// The x32 ABI bit of x86-64 system call numbers.
#[cfg(target_arch = "x86_64")]
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// Why no filter could be built (an architecture seccompiler does not know,
/// or a rule it refuses): the text of seccompiler's error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the seccomp filter of the sandbox could not be built: {0}")]
pub struct FilterError(String);

/// The filter as bwrap reads it from `--seccomp FD`: the BPF instructions
/// (`struct sock_filter`, 8 bytes each) in native byte order.
///
/// # Errors
/// [`FilterError`] on an architecture other than x86-64, aarch64, riscv64.
pub fn program_bytes() -> Result<Vec<u8>, FilterError> {
    let program = program()?;
    let mut bytes = Vec::with_capacity(program.len() * 8);
    for instruction in &program {
        bytes.extend_from_slice(&instruction.code.to_ne_bytes());
        bytes.push(instruction.jt);
        bytes.push(instruction.jf);
        bytes.extend_from_slice(&instruction.k.to_ne_bytes());
    }
    Ok(bytes)
}

fn errno_eperm() -> SeccompAction {
    #[allow(clippy::cast_sign_loss, reason = "EPERM is 1")]
    SeccompAction::Errno(libc::EPERM as u32)
}

fn program() -> Result<BpfProgram, FilterError> {
    let error = |e: seccompiler::BackendError| FilterError(e.to_string());
    let arch = TargetArch::try_from(std::env::consts::ARCH).map_err(error)?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = BLOCKED
        .iter()
        .map(|(_, number)| (*number, Vec::new()))
        .collect();
    // Refused when the argument differs from every allowed value (the
    // conditions of one rule must all hold).
    let not_any = |index: u8, values: &[u64]| {
        let conditions = values
            .iter()
            .map(|v| SeccompCondition::new(index, SeccompCmpArgLen::Dword, SeccompCmpOp::Ne, *v))
            .collect::<Result<Vec<_>, _>>()?;
        SeccompRule::new(conditions)
    };
    rules.insert(
        libc::SYS_personality,
        vec![not_any(0, &PERSONALITY_ALLOWED).map_err(error)?],
    );
    let ioctl = IOCTL_BLOCKED
        .iter()
        .map(|request| {
            SeccompCondition::new(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, *request)
                .and_then(|c| SeccompRule::new(vec![c]))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(error)?;
    rules.insert(libc::SYS_ioctl, ioctl);
    let filter =
        SeccompFilter::new(rules, SeccompAction::Allow, errno_eperm(), arch).map_err(error)?;
    let mut program = BpfProgram::try_from(filter).map_err(error)?;
    refuse_x32(&mut program);
    Ok(program)
}

/// Puts "x32 call: EPERM" right after seccompiler's architecture check
/// (its first three instructions; its jump over the kill lands on ours).
#[cfg(target_arch = "x86_64")]
fn refuse_x32(program: &mut BpfProgram) {
    const LOAD_NR: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
    const JUMP_IF_GE: u16 = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    const RETURN: u16 = 0x06; // BPF_RET | BPF_K
    let eperm = u32::from(errno_eperm());
    let check = [
        sock_filter {
            code: LOAD_NR,
            jt: 0,
            jf: 0,
            k: 0,
        },
        sock_filter {
            code: JUMP_IF_GE,
            jt: 0,
            jf: 1,
            k: X32_SYSCALL_BIT,
        },
        sock_filter {
            code: RETURN,
            jt: 0,
            jf: 0,
            k: eperm,
        },
    ];
    let at = program.len().min(3);
    program.splice(at..at, check);
}

#[cfg(not(target_arch = "x86_64"))]
fn refuse_x32(_: &mut BpfProgram) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_builds_and_is_whole_instructions() {
        let bytes = program_bytes().unwrap();
        assert_eq!(bytes.len() % 8, 0);
        // BPF programs are at most 4096 instructions; ours is far below,
        // and far below a pipe's buffer, so it is written before the spawn.
        assert!(bytes.len() / 8 < 1024, "{} instructions", bytes.len() / 8);
        let names: Vec<&str> = BLOCKED.iter().map(|(n, _)| *n).collect();
        for needed in [
            "ptrace",
            "mount",
            "bpf",
            "keyctl",
            "userfaultfd",
            "kexec_load",
        ] {
            assert!(names.contains(&needed), "{needed}");
        }
    }
}
