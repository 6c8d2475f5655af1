//! Tests of the Bubblewrap argument builder on a fake root and home.

use std::os::unix::fs::{PermissionsExt, symlink};

use super::*;

/// A fake `/` with `usr/`, `etc/`, `bin -> usr/bin`, and a home with a
/// venv whose python is a symlink into a pyenv-like install.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        for sub in ["usr/bin", "etc"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        symlink("usr/bin", root.join("bin")).unwrap();
        let home = dir.path().join("home");
        let python = home.join(".pyenv/versions/3.12/bin/python3");
        std::fs::create_dir_all(python.parent().unwrap()).unwrap();
        executable(&python, "\x7fELF");
        let venv_bin = home.join("project/venv/bin");
        std::fs::create_dir_all(&venv_bin).unwrap();
        symlink(&python, venv_bin.join("python3")).unwrap();
        let script = format!("#!{}\nimport server\n", venv_bin.join("python3").display());
        executable(&venv_bin.join("server"), &script);
        for cache in [".npm", ".cache/uv", ".cache/valechat/mcp/server", "notes"] {
            std::fs::create_dir_all(home.join(cache)).unwrap();
        }
        Self { dir }
    }

    fn path(&self, rest: &str) -> PathBuf {
        self.dir.path().join(rest)
    }

    fn host(&self) -> Host {
        Host {
            root: self.path("root"),
            home: Some(self.path("home")),
            path_dirs: vec!["/usr/bin".into(), self.path("home/project/venv/bin")],
            bwrap: None,
            prlimit: None,
            env: Vec::new(),
            disable_userns: false,
            cache: Some(self.path("home/.cache/valechat/mcp/server")),
            seccomp_fd: None,
        }
    }
}

fn executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The `(option, source)` pairs of the bind mounts in `args`.
fn binds(args: &[String], option: &str) -> Vec<String> {
    args.windows(2)
        .filter(|w| w[0] == option)
        .map(|w| w[1].clone())
        .collect()
}

fn position(args: &[String], items: &[&str]) -> usize {
    args.windows(items.len())
        .position(|w| w == items)
        .unwrap_or_else(|| panic!("{items:?} not in {args:?}"))
}

#[test]
fn system_dirs_are_read_only_and_symlinks_recreated() {
    let f = Fixture::new();
    let program = f.path("home/project/venv/bin/server");
    let args = bwrap_args(&SandboxSettings::default(), &f.host(), &program, &[], None);
    position(&args, &["--ro-bind", "/usr", "/usr"]);
    position(&args, &["--ro-bind", "/etc", "/etc"]);
    position(&args, &["--symlink", "usr/bin", "/bin"]);
    assert!(
        !args.contains(&"/opt".to_owned()),
        "no /opt in the fake root"
    );
    position(
        &args,
        &["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"],
    );
    // /usr/bin on the PATH is inside /usr already.
    assert!(!binds(&args, "--ro-bind").contains(&"/usr/bin".to_owned()));
}

#[test]
fn home_is_private_with_the_program_its_interpreter_and_own_cache() {
    let f = Fixture::new();
    let home = f.path("home").display().to_string();
    let program = f.path("home/project/venv/bin/server");
    let args = bwrap_args(
        &SandboxSettings::default(),
        &f.host(),
        &program,
        &["--flag".into()],
        None,
    );
    let tmpfs_home = position(&args, &["--tmpfs", &home]);
    let read_only = binds(&args, "--ro-bind");
    let venv = f.path("home/project/venv").display().to_string();
    let pyenv = f.path("home/.pyenv").display().to_string();
    // The venv (the script's install root) and pyenv (a runtime dir, and
    // the interpreter's canonical root) are visible, read-only.
    assert!(read_only.contains(&venv), "{read_only:?}");
    assert!(read_only.contains(&pyenv), "{read_only:?}");
    assert!(position(&args, &["--ro-bind", &venv, &venv]) > tmpfs_home);
    // Nothing binds the home folder itself or notes in it.
    assert!(!read_only.iter().any(|b| *b == home || b.ends_with("notes")));
    let writable = binds(&args, "--bind");
    assert_eq!(
        writable,
        [format!("{home}/.cache/valechat/mcp/server")],
        "the server's own cache, not the user's ~/.npm or ~/.cache/uv"
    );
    let end = position(&args, &["--", &program.display().to_string(), "--flag"]);
    assert_eq!(end + 3, args.len());
    position(&args, &["--die-with-parent", "--chdir", &home, "--"]);
    assert!(
        args.contains(&"--share-net".to_owned()),
        "network by default"
    );
}

#[test]
fn writable_folders_win_and_network_can_be_cut() {
    let f = Fixture::new();
    let data = f.path("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    let settings = SandboxSettings {
        enabled: true,
        writable_folders: vec![data.clone()],
        network: false,
        ..SandboxSettings::default()
    };
    let cwd = data.join("sub");
    let args = bwrap_args(&settings, &f.host(), Path::new("/bin/sh"), &[], Some(&cwd));
    let data = data.display().to_string();
    let cwd = cwd.display().to_string();
    position(&args, &["--bind", &data, &data]);
    // The working folder is inside an allowed folder: writable, not read-only.
    assert!(!binds(&args, "--ro-bind").contains(&cwd));
    position(
        &args,
        &["--unshare-all", "--die-with-parent", "--chdir", &cwd],
    );
    assert!(!args.contains(&"--share-net".to_owned()));
    assert!(!args.contains(&"--new-session".to_owned()));
}

#[test]
fn node_modules_arguments_bind_the_whole_tree() {
    let f = Fixture::new();
    let script = f.path("pkgs/node_modules/@scope/server/dist/index.js");
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    std::fs::write(&script, "").unwrap();
    let tool = f.path("tools/run.py");
    std::fs::create_dir_all(tool.parent().unwrap()).unwrap();
    std::fs::write(&tool, "").unwrap();
    let args = bwrap_args(
        &SandboxSettings::default(),
        &f.host(),
        Path::new("/usr/bin/node"),
        &[
            script.display().to_string(),
            tool.display().to_string(),
            "relative.js".into(),
        ],
        None,
    );
    let read_only = binds(&args, "--ro-bind");
    assert!(read_only.contains(&f.path("pkgs/node_modules").display().to_string()));
    assert!(read_only.contains(&f.path("tools").display().to_string()));
}

#[test]
fn install_roots_never_expose_home() {
    let f = Fixture::new();
    let home = f.path("home");
    let mounts = Mounts {
        args: Vec::new(),
        bound: Vec::new(),
        writable: &[],
        home: Some(&home),
    };
    assert_eq!(
        mounts.install_root(&home.join(".local/bin/uvx")),
        home.join(".local/bin")
    );
    assert_eq!(mounts.install_root(&home.join("bin/x")), home.join("bin"));
    assert_eq!(mounts.install_root(&home.join("x")), home.join("x"));
    assert_eq!(
        mounts.install_root(Path::new("/opt/node/bin/node")),
        PathBuf::from("/opt/node")
    );
}

#[test]
fn shebang_interpreters_are_found() {
    let f = Fixture::new();
    let env_script = f.path("env-script");
    executable(&env_script, "#!/usr/bin/env -S python3 -u\n");
    let path_dirs = vec![f.path("home/project/venv/bin")];
    assert_eq!(
        interpreter(&env_script, &path_dirs),
        Some(f.path("home/project/venv/bin/python3"))
    );
    let direct = f.path("home/project/venv/bin/server");
    assert_eq!(
        interpreter(&direct, &[]),
        Some(f.path("home/project/venv/bin/python3"))
    );
    assert_eq!(
        interpreter(&f.path("home/.pyenv/versions/3.12/bin/python3"), &[]),
        None
    );
}
