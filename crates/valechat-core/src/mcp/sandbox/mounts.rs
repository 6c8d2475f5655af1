//! The Bubblewrap command line of a sandboxed server.
//!
//! Mount table, in order (later mounts win over earlier ones):
//! 1. `/usr /etc /opt /nix /bin /sbin /lib /lib32 /lib64 /libx32` that
//!    exist: directories `--ro-bind`, symlinks (merged `/usr`: `/bin ->
//!    usr/bin`) recreated with `--symlink`.
//! 2. `--dev /dev --proc /proc --tmpfs /tmp`.
//! 3. HOME: a fresh `--tmpfs` at the real path. The home folder holds the
//!    user's keys, mail and chat history, so none of it is visible; tools
//!    that expand `~` still find a writable, empty home.
//! 4. Read-only: the login-shell PATH directories, language runtimes kept
//!    in home ([`RUNTIME_DIRS`]: nvm, volta, fnm, pyenv, pipx, bun, deno,
//!    asdf, mise, pnpm, cargo's bin), the install root of the program and of its
//!    `#!` interpreter (`…/venv` for `…/venv/bin/x`, symlinks followed),
//!    the files named by absolute-path arguments (a path inside
//!    `node_modules` binds that whole `node_modules`, else the file's
//!    folder), the working folder; and, with network, the folder of
//!    `/etc/resolv.conf`'s target (systemd-resolved keeps it under `/run`).
//!    Nothing that is, or contains, HOME is bound this way.
//! 5. Read-write: the server's own package cache folder ([`Host::cache`],
//!    `~/.cache/valechat/mcp/<id>`, see `super::cache`), where its
//!    environment points npm, uv and pip, so `npx` and `uvx` download once
//!    and start offline afterwards; then the allowed folders. The user's
//!    own `~/.npm` and `~/.cache/uv` stay out of reach: a server cannot
//!    poison what unsandboxed launches would run.
//! 6. `--unshare-all` (user, IPC, PID, network, UTS, cgroup namespaces),
//!    `--share-net` when network is allowed, `--unshare-user
//!    --disable-userns` where this bwrap knows it (0.8 and later: no user
//!    namespace can be made inside, the door to most kernel bugs reachable
//!    unprivileged), `--seccomp FD` with the filter of `super::seccomp`,
//!    `--die-with-parent`, `--chdir`. The command runs behind `prlimit
//!    --nproc=N` inside the sandbox when a process limit is set: there,
//!    in the sandbox's own user namespace, `RLIMIT_NPROC` counts the
//!    sandbox's tasks only (kernel 5.14 and later), where set outside it
//!    would count every process of the user.
//!    No `--new-session`: it would move the server out of ValeChat's process
//!    group; `super::super::process` starts sandboxed servers in a session of
//!    their own (setsid) instead, which also detaches them from a terminal.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::SandboxSettings;
use crate::mcp::path;

/// Top-level system directories bound read-only (or recreated as symlinks).
pub const SYSTEM_DIRS: [&str; 10] = [
    "usr", "etc", "opt", "nix", "bin", "sbin", "lib", "lib32", "lib64", "libx32",
];

/// Runtime installs under HOME bound read-only when they exist.
pub const RUNTIME_DIRS: [&str; 12] = [
    ".nvm",
    ".volta",
    ".fnm",
    ".local/share/fnm",
    ".pyenv",
    ".local/pipx",
    ".bun",
    ".deno",
    ".asdf",
    ".local/share/mise",
    ".local/share/pnpm",
    ".cargo/bin",
];

/// Folder names whose parent is a program's install root.
const BIN_DIRS: [&str; 3] = ["bin", "sbin", "shims"];

/// What the sandbox is built from: the host as ValeChat sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    /// Where the system directories are looked at (`/`; tests use a
    /// temporary folder). The mounts always name `/<dir>`.
    pub root: PathBuf,
    /// The home folder, `None` when unknown.
    pub home: Option<PathBuf>,
    /// The login-shell PATH, split.
    pub path_dirs: Vec<PathBuf>,
    /// The Bubblewrap program, `None`: not installed.
    pub bwrap: Option<PathBuf>,
    /// The `prlimit` program, `None`: not installed.
    pub prlimit: Option<PathBuf>,
    /// The variables a sandboxed server keeps, `(name, value)`
    /// (see `super::environment`).
    pub env: Vec<(String, String)>,
    /// Whether this Bubblewrap knows `--disable-userns` (probed once, see
    /// `super::probe`).
    pub disable_userns: bool,
    /// This server's package cache folder, bound read-write (it must
    /// exist); `None`: none (the server downloads into its private home).
    pub cache: Option<PathBuf>,
    /// The descriptor the spawned process reads the seccomp filter from
    /// (`--seccomp FD`); `None`: no filter.
    pub seccomp_fd: Option<i32>,
}

impl Host {
    /// This machine: `/`, the home folder, the login-shell PATH,
    /// Bubblewrap (through [`super::BWRAP_ENV`] or that PATH) and `prlimit`
    /// found on it, and the variables passed through to a sandbox; no
    /// cache, no filter, `--disable-userns` not probed (the launch fills
    /// those in). Blocks up to 3 s on the first call (login shell).
    pub fn current() -> Self {
        let login = path::login_path();
        let override_path = std::env::var_os(super::BWRAP_ENV).map(PathBuf::from);
        Self {
            root: PathBuf::from("/"),
            home: dirs::home_dir(),
            path_dirs: std::env::split_paths(login).collect(),
            bwrap: super::locate_bwrap(override_path.as_deref(), login),
            prlimit: path::find_in("prlimit", login),
            env: super::environment::passed_through(|name| std::env::var(name).ok(), login),
            disable_userns: false,
            cache: None,
            seccomp_fd: None,
        }
    }
}

/// The bind mounts chosen so far.
struct Mounts<'a> {
    args: Vec<String>,
    bound: Vec<PathBuf>,
    writable: &'a [PathBuf],
    home: Option<&'a Path>,
}

impl Mounts<'_> {
    fn push(&mut self, items: &[&str]) {
        self.args.extend(items.iter().map(|s| (*s).to_owned()));
    }

    fn covered(&self, path: &Path) -> bool {
        self.bound.iter().any(|b| path.starts_with(b))
    }

    /// Binds `path` read-only unless it is missing, already visible, inside
    /// an allowed folder (bound writable later), or is / contains HOME.
    fn read_only(&mut self, path: &Path) {
        let holds_home = self.home.is_some_and(|h| h.starts_with(path));
        if !path.is_absolute()
            || !path.exists()
            || holds_home
            || self.covered(path)
            || self.writable.iter().any(|w| path.starts_with(w))
        {
            return;
        }
        let text = path.to_string_lossy();
        self.push(&["--ro-bind", &text, &text]);
        self.bound.push(path.to_owned());
    }

    /// Binds `path` read-write when it exists.
    fn read_write(&mut self, path: &Path) {
        if path.exists() {
            let text = path.to_string_lossy();
            self.push(&["--bind", &text, &text]);
            self.bound.push(path.to_owned());
        }
    }

    /// Binds the install root of `program` and of its canonical path.
    fn program(&mut self, program: &Path) {
        self.read_only(&self.install_root(program));
        if let Ok(real) = program.canonicalize() {
            self.read_only(&self.install_root(&real));
        }
    }

    /// `…/prefix` for `…/prefix/bin/x` (not when the prefix is `/` or a
    /// folder right in HOME), else the file's folder; the file itself when
    /// that folder is `/` or holds HOME.
    fn install_root(&self, file: &Path) -> PathBuf {
        let Some(dir) = file.parent() else {
            return file.to_owned();
        };
        let in_bin = dir
            .file_name()
            .is_some_and(|n| BIN_DIRS.iter().any(|b| n == *b));
        let exposes = |p: &Path| p == Path::new("/") || self.home.is_some_and(|h| h.starts_with(p));
        // `~/.local` or `~/.cargo` hold far more than programs (data,
        // credentials): climb only to deeper prefixes (`~/.pyenv/versions/3.12`).
        let top_of_home = |p: &Path| self.home.is_some_and(|h| p.parent() == Some(h));
        match dir.parent() {
            Some(prefix) if in_bin && !exposes(prefix) && !top_of_home(prefix) => prefix.to_owned(),
            _ if !exposes(dir) => dir.to_owned(),
            _ => file.to_owned(),
        }
    }

    /// Binds what an absolute-path argument points at.
    fn argument(&mut self, arg: &str) {
        let path = Path::new(arg);
        if !path.is_absolute() || !path.exists() {
            return;
        }
        let mut node_modules = PathBuf::new();
        for part in path.components() {
            node_modules.push(part);
            if part.as_os_str() == "node_modules" {
                self.read_only(&node_modules);
                return;
            }
        }
        if path.is_dir() {
            self.read_only(path);
        } else {
            self.read_only(&self.install_root(path));
        }
    }
}

/// The interpreter of a `#!` script, resolved on `path_dirs` when it is
/// `/usr/bin/env NAME`; `None` for binaries.
pub fn interpreter(script: &Path, path_dirs: &[PathBuf]) -> Option<PathBuf> {
    let mut head = [0u8; 256];
    let read = std::fs::File::open(script).ok()?.read(&mut head).ok()?;
    let line = head[..read].strip_prefix(b"#!")?;
    let line = String::from_utf8_lossy(line);
    let mut words = line.lines().next()?.split_whitespace();
    let first = PathBuf::from(words.next()?);
    if first.file_name().is_some_and(|n| n == "env") {
        let name = words.find(|w| !w.starts_with('-'))?;
        let joined = std::env::join_paths(path_dirs).ok()?;
        return path::find_in(name, &joined.to_string_lossy());
    }
    Some(first)
}

/// The `bwrap` arguments (everything after the program name) that run
/// `program args` inside the sandbox of `settings` on `host`, in `cwd`
/// (default: HOME, else `/`). See the module doc for the mount table.
#[must_use]
pub fn bwrap_args(
    settings: &SandboxSettings,
    host: &Host,
    program: &Path,
    args: &[String],
    cwd: Option<&Path>,
) -> Vec<String> {
    let mut mounts = Mounts {
        args: Vec::new(),
        bound: Vec::new(),
        writable: &settings.writable_folders,
        home: host.home.as_deref(),
    };
    for dir in SYSTEM_DIRS {
        let probe = host.root.join(dir);
        let target = format!("/{dir}");
        let Ok(meta) = probe.symlink_metadata() else {
            continue;
        };
        if meta.file_type().is_symlink() {
            if let Ok(link) = probe.read_link() {
                mounts.push(&["--symlink", &link.to_string_lossy(), &target]);
                mounts.bound.push(PathBuf::from(&target));
            }
        } else if meta.is_dir() {
            mounts.push(&["--ro-bind", &target, &target]);
            mounts.bound.push(PathBuf::from(&target));
        }
    }
    mounts.push(&["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);
    if let Some(home) = host.home.as_deref().filter(|h| *h != Path::new("/")) {
        mounts.push(&["--tmpfs", &home.to_string_lossy()]);
    }
    for dir in &host.path_dirs {
        mounts.read_only(dir);
    }
    if let Some(home) = &host.home {
        for dir in RUNTIME_DIRS {
            mounts.read_only(&home.join(dir));
        }
    }
    mounts.program(program);
    let real = program
        .canonicalize()
        .unwrap_or_else(|_| program.to_owned());
    if let Some(interpreter) = interpreter(&real, &host.path_dirs) {
        mounts.program(&interpreter);
    }
    for arg in args {
        mounts.argument(arg);
    }
    if let Some(dir) = cwd {
        mounts.read_only(dir);
    }
    if settings.network
        && let Ok(resolv) = Path::new("/etc/resolv.conf").canonicalize()
        && let Some(dir) = resolv.parent().filter(|d| !d.starts_with("/etc"))
    {
        mounts.read_only(dir);
    }
    if let Some(cache) = &host.cache {
        mounts.read_write(cache);
    }
    let nproc = settings.max_processes.zip(host.prlimit.as_deref());
    if let Some((_, prlimit)) = nproc {
        mounts.program(prlimit);
    }
    for folder in &settings.writable_folders {
        let text = folder.to_string_lossy();
        // Missing folders are bwrap's to report (on the server's stderr).
        mounts.push(&["--bind", &text, &text]);
    }
    mounts.push(&["--unshare-all"]);
    if settings.network {
        mounts.push(&["--share-net"]);
    }
    if host.disable_userns {
        mounts.push(&["--unshare-user", "--disable-userns"]);
    }
    if let Some(fd) = host.seccomp_fd {
        mounts.push(&["--seccomp", &fd.to_string()]);
    }
    let chdir = cwd
        .or(host.home.as_deref())
        .unwrap_or(Path::new("/"))
        .to_string_lossy()
        .into_owned();
    mounts.push(&["--die-with-parent", "--chdir", &chdir, "--"]);
    let mut all = mounts.args;
    if let Some((count, prlimit)) = nproc {
        all.push(prlimit.to_string_lossy().into_owned());
        all.push(format!("--nproc={count}"));
        all.push("--".to_owned());
    }
    all.push(program.to_string_lossy().into_owned());
    all.extend(args.iter().cloned());
    all
}

#[cfg(test)]
#[path = "mounts_tests.rs"]
mod tests;
