//! llama.cpp's back ends, loaded at run time on Linux.
//!
//! There the binding is built with its `dynamic-backends` feature: ggml's
//! `GGML_BACKEND_DL` and `GGML_CPU_ALL_VARIANTS`, so llama.cpp is a set of
//! shared libraries (`libllama.so`, `libggml.so`, `libggml-base.so`) plus one
//! module per back end, the CPU one once per instruction-set level
//! (`libggml-cpu-x64.so`, `-sse42`, `-sandybridge`, `-haswell`,
//! `-skylakex`, `-icelake`… or `-armv8.0_1` to `-armv9.2_2`). ggml scores
//! every CPU module against the CPU it runs on and loads the best one
//! (`ggml_backend_load_best`, `ggml/src/ggml-backend-reg.cpp`), so one build
//! runs on a CPU without AVX as well as it uses AVX-512 where there is one.
//! A GPU back end built as a module (Vulkan) is found the same way.
//!
//! The modules are looked for, in this order, in:
//! 1. `$VALECHAT_LLAMA_BACKENDS_DIR`, when set (packagers, debugging);
//! 2. the installed directory the app was configured with (meson's
//!    `<libdir>/valechat`);
//! 3. the directory of the running executable (meson's build tree, where
//!    `src/cargo-build.sh` puts them next to the binary);
//! 4. the directory llama-cpp-sys-2's build script installed them to (a
//!    plain `cargo build` or `cargo test`).
//!
//! The first directory from which a CPU back end loads wins. Elsewhere
//! (macOS: llama.cpp linked statically with Metal) nothing is loaded.

use std::path::Path;
#[cfg(target_os = "linux")]
use std::path::PathBuf;

/// The environment variable naming a directory of back-end modules.
pub const BACKENDS_DIR_VARIABLE: &str = "VALECHAT_LLAMA_BACKENDS_DIR";

/// The CPU back end module ggml chose, as its log reported it.
static LOADED_CPU: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Records the file named by ggml's `loaded CPU backend from PATH` log line
/// (called by the runner's log capture for every llama.cpp log line).
pub(super) fn note_log_line(line: &str) {
    if let Some(path) = line.split("loaded CPU backend from ").nth(1)
        && let Ok(mut loaded) = LOADED_CPU.lock()
    {
        *loaded = Some(path.trim().to_owned());
    }
}

/// The file of the CPU back end in use, or `None` where llama.cpp is
/// linked statically.
#[must_use]
pub(super) fn cpu_module() -> Option<String> {
    LOADED_CPU.lock().ok()?.clone()
}

/// The CPU back end in use: the module's file name without `libggml-` and
/// `.so` (`cpu-icelake`), or `None` where llama.cpp is linked statically.
#[must_use]
pub(super) fn cpu_variant() -> Option<String> {
    let path = cpu_module()?;
    let name = Path::new(&path).file_name()?.to_string_lossy().into_owned();
    Some(
        name.trim_start_matches("libggml-")
            .trim_end_matches(".so")
            .to_owned(),
    )
}

/// Loads the back-end modules; `installed` is the app's installed module
/// directory, if it has one.
///
/// # Errors
/// A message that lists the directories looked in, when no CPU back end
/// could be loaded from any of them (an incomplete installation, or a CPU
/// below every module's level).
#[cfg(target_os = "linux")]
pub(super) fn load(installed: Option<&Path>) -> Result<(), String> {
    let mut tried = Vec::new();
    let from_env = std::env::var_os(BACKENDS_DIR_VARIABLE).map(PathBuf::from);
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_owned));
    for dir in [from_env, installed.map(Path::to_owned), exe_dir]
        .into_iter()
        .flatten()
    {
        if try_dir(&dir) {
            return Ok(());
        }
        tried.push(dir.display().to_string());
    }
    // Where the binding's build script put them (a cargo build tree).
    llama_cpp_2::llama_backend::load_backends();
    if has_cpu() {
        return Ok(());
    }
    tried.push("llama.cpp's build directory".to_owned());
    Err(format!(
        "no llama.cpp CPU back end could be loaded (looked in {}); the installation is incomplete, \
         or set {BACKENDS_DIR_VARIABLE} to the directory holding libggml-cpu-*.so",
        tried.join(", ")
    ))
}

/// Nothing to load where llama.cpp is linked statically.
#[cfg(not(target_os = "linux"))]
pub(super) fn load(_installed: Option<&Path>) -> Result<(), String> {
    Ok(())
}

/// Loads the modules of `dir` if it holds a CPU back end; whether one is
/// loaded now.
#[cfg(target_os = "linux")]
fn try_dir(dir: &Path) -> bool {
    // The binding panics on a path that is not UTF-8; such a directory
    // cannot be ours.
    if dir.to_str().is_none() || !holds_cpu_module(dir) {
        return false;
    }
    llama_cpp_2::llama_backend::load_backends_from_path(dir);
    has_cpu()
}

/// Whether `dir` has a `libggml-cpu*.so` file.
#[cfg(target_os = "linux")]
fn holds_cpu_module(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with("libggml-cpu") && name.ends_with(".so")
        })
    })
}

/// Whether ggml has a CPU device registered.
#[cfg(target_os = "linux")]
fn has_cpu() -> bool {
    llama_cpp_2::list_llama_ggml_backend_devices()
        .iter()
        .any(|d| matches!(d.device_type, llama_cpp_2::LlamaBackendDeviceType::Cpu))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loaded_module_is_read_from_ggmls_log_line() {
        note_log_line("ggml_backend_load_best: something else");
        note_log_line(
            "register_backend: loaded CPU backend from /app/lib/valechat/libggml-cpu-haswell.so\n",
        );
        assert_eq!(cpu_variant().as_deref(), Some("cpu-haswell"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_directory_holds_a_cpu_module_only_with_a_libggml_cpu_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!holds_cpu_module(dir.path()));
        std::fs::write(dir.path().join("libggml-vulkan.so"), b"").unwrap();
        assert!(!holds_cpu_module(dir.path()));
        std::fs::write(dir.path().join("libggml-cpu-x64.so"), b"").unwrap();
        assert!(holds_cpu_module(dir.path()));
        assert!(!holds_cpu_module(&dir.path().join("missing")));
    }
}
