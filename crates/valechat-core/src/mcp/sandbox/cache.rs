//! Each sandboxed server's own package cache.
//!
//! A sandboxed server gets a folder of its own,
//! `paths::cache_dir()/mcp/<server id>` (`~/.cache/valechat/mcp/<id>`),
//! bound read-write into the sandbox, and its environment points the
//! package managers there ([`VARIABLES`]). `npx` and `uvx` thus download a
//! server once and start it offline afterwards, and a server can only spoil
//! its own cache, never the user's `~/.npm` or `~/.cache/uv` that
//! unsandboxed launches run from.

use std::path::{Path, PathBuf};

/// The variables set for a sandboxed server, with the sub-folder of its
/// cache each points to: npm (`npx`), uv (`uvx` and the Python builds it
/// downloads), pip, Yarn, Bun, and the XDG cache for everything else.
pub const VARIABLES: [(&str, &str); 7] = [
    ("npm_config_cache", "npm"),
    ("UV_CACHE_DIR", "uv"),
    ("UV_PYTHON_INSTALL_DIR", "uv-python"),
    ("PIP_CACHE_DIR", "pip"),
    ("YARN_CACHE_FOLDER", "yarn"),
    ("BUN_INSTALL_CACHE_DIR", "bun"),
    ("XDG_CACHE_HOME", "xdg"),
];

/// The cache folder of server `id` under ValeChat's cache folder `root`
/// (ids are slugs of a-z, 0-9 and `-`, checked by `ServerConfig::validate`).
#[must_use]
pub fn folder(root: &Path, id: &str) -> PathBuf {
    root.join("mcp").join(id)
}

/// Creates `folder` and the sub-folders of [`VARIABLES`], owner-only
/// (0700) on Unix.
///
/// # Errors
/// The I/O error of the first folder that cannot be created.
pub fn prepare(folder: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)?;
    for (_, sub) in VARIABLES {
        builder.create(folder.join(sub))?;
    }
    Ok(())
}

/// The [`VARIABLES`] for `folder`, `(name, value)`.
#[must_use]
pub fn variables(folder: &Path) -> Vec<(String, String)> {
    VARIABLES
        .iter()
        .map(|(name, sub)| {
            (
                (*name).to_owned(),
                folder.join(sub).to_string_lossy().into_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_server_has_its_folder_and_the_variables_point_into_it() {
        let root = tempfile::tempdir().unwrap();
        let one = folder(root.path(), "time");
        assert_eq!(one, root.path().join("mcp/time"));
        prepare(&one).unwrap();
        for (name, value) in variables(&one) {
            assert!(Path::new(&value).starts_with(&one), "{name}={value}");
            assert!(Path::new(&value).is_dir(), "{value}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&one).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
