//! What to spawn for a stdio server: the program, its arguments, its
//! environment and working folder, as the [`Launcher`] and the server's
//! sandbox settings say (see `super::super::sandbox::environment` for
//! the environment).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::mcp::McpError;
use crate::mcp::config::{ServerConfig, Transport};
use crate::mcp::path;
use crate::mcp::sandbox::{self, Host, environment};

/// How stdio servers are started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launcher {
    /// As children of ValeChat (outside Flatpak).
    Direct,
    /// On the host through `flatpak-spawn --host` (ValeChat in Flatpak),
    /// with this program as `flatpak-spawn` (tests name a stand-in).
    FlatpakHost(PathBuf),
}

impl Launcher {
    /// [`Launcher::FlatpakHost`] with `flatpak-spawn` inside Flatpak,
    /// [`Launcher::Direct`] elsewhere.
    #[must_use]
    pub fn current() -> Self {
        if path::in_flatpak() {
            Self::FlatpakHost(PathBuf::from("flatpak-spawn"))
        } else {
            Self::Direct
        }
    }
}

/// The descriptor on which `flatpak-spawn` reads a host server's `env`
/// (`--env-fd`, flatpak-xdg-utils 1.0.5 and later, in every current
/// GNOME and freedesktop runtime): the secrets never reach a command line.
pub const ENV_FD: i32 = 3;

/// Builds the command line: `(program, args)` after PATH resolution
/// ([`Launcher::Direct`]) or behind `flatpak-spawn --host`, which reads the
/// server's environment from [`ENV_FD`] when `env_fd` is set. No variable
/// is ever put on it (see `sandbox::environment`).
#[must_use]
pub fn command_line(
    command: &str,
    args: &[String],
    cwd: Option<&str>,
    launcher: &Launcher,
    env_fd: bool,
) -> (String, Vec<String>) {
    if let Launcher::FlatpakHost(flatpak_spawn) = launcher {
        let mut full = vec!["--host".to_owned(), "--watch-bus".to_owned()];
        if let Some(dir) = cwd {
            full.push(format!("--directory={dir}"));
        }
        if env_fd {
            full.push(format!("--env-fd={ENV_FD}"));
        }
        full.push(command.to_owned());
        full.extend(args.iter().cloned());
        return (flatpak_spawn.to_string_lossy().into_owned(), full);
    }
    let program = path::resolve_program(command);
    (program.to_string_lossy().into_owned(), args.to_vec())
}

/// A server's launch, ready to spawn.
#[derive(Debug)]
pub(super) struct Launch {
    /// The program to spawn (`bwrap`, `prlimit`, `flatpak-spawn` or the
    /// server's own).
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// The whole environment of the spawned process; `None` under
    /// `flatpak-spawn`, which keeps ValeChat's.
    pub env: Option<BTreeMap<String, String>>,
    /// What `flatpak-spawn` reads on [`ENV_FD`] (`env -0` format), if any.
    pub env_fd: Option<Vec<u8>>,
    /// The working folder to spawn in (`None` under `flatpak-spawn`, which
    /// is told with `--directory`).
    pub cwd: Option<String>,
    /// Whether the process starts a session of its own (sandboxed).
    pub new_session: bool,
}

/// The [`Launch`] of `config`'s stdio server (secrets resolved) with
/// `launcher`.
///
/// # Errors
/// [`McpError::Config`] for a non-stdio config, [`McpError::Sandbox`] when
/// the sandbox or limits cannot be set up.
pub(super) fn plan(config: &ServerConfig, launcher: &Launcher) -> Result<Launch, McpError> {
    let Transport::Stdio {
        command,
        args,
        env,
        cwd,
    } = &config.transport
    else {
        return Err(McpError::Config {
            server: config.id.clone(),
            reason: "not a stdio server".into(),
        });
    };
    let settings = config.sandbox.clone().unwrap_or_default();
    let sandbox_error = |problem| McpError::Sandbox {
        server: config.id.clone(),
        problem,
    };
    if let Launcher::FlatpakHost(_) = launcher {
        let (command, args) =
            sandbox::wrap_for_flatpak(&settings, command, args).map_err(sandbox_error)?;
        let (program, args) =
            command_line(&command, &args, cwd.as_deref(), launcher, !env.is_empty());
        return Ok(Launch {
            program,
            args,
            env: None,
            env_fd: (!env.is_empty()).then(|| environment::nul_separated(env)),
            cwd: None,
            new_session: false,
        });
    }
    let (program, args) = command_line(command, args, cwd.as_deref(), launcher, false);
    let mut host_env = environment::unsandboxed(std::env::vars_os(), path::login_path());
    let (program, args) = if settings.enabled || settings.has_limits() {
        let host = Host::current();
        if settings.enabled {
            host_env.clone_from(&host.env);
        }
        let dir = cwd.as_deref().map(Path::new);
        sandbox::wrap(&settings, &host, Path::new(&program), &args, dir).map_err(sandbox_error)?
    } else {
        (program, args)
    };
    Ok(Launch {
        program,
        args,
        env: Some(environment::merged(&host_env, env)),
        env_fd: None,
        cwd: cwd.clone(),
        new_session: settings.enabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatpak_wraps_the_command_and_reads_env_from_a_descriptor() {
        let launcher = Launcher::FlatpakHost(PathBuf::from("flatpak-spawn"));
        let (program, args) = command_line("npx", &["-y".into()], Some("/w"), &launcher, true);
        assert_eq!(program, "flatpak-spawn");
        assert_eq!(
            args,
            [
                "--host",
                "--watch-bus",
                "--directory=/w",
                "--env-fd=3",
                "npx",
                "-y"
            ]
        );
        let (_, args) = command_line("npx", &[], None, &launcher, false);
        assert_eq!(args, ["--host", "--watch-bus", "npx"]);
        let (program, args) = command_line("sh", &["-c".into()], None, &Launcher::Direct, false);
        assert!(program.ends_with("/sh"), "{program}");
        assert_eq!(args, ["-c"]);
    }
}
