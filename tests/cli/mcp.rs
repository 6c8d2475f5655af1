//! `valechat mcp …` against server-everything and mcp-server-time (installed
//! by `tests/mcp/install-peers.sh`), with the data directory and `HOME` in
//! temporary folders. No test stores a secret, so no keyring is needed.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

/// Longest one command may run before the test fails instead of hanging.
const COMMAND_DEADLINE: Duration = Duration::from_secs(60);

/// A data directory and a home folder for one test.
struct Sandbox {
    data: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Self {
            data: tempfile::tempdir().expect("data dir"),
            home: tempfile::tempdir().expect("home dir"),
        }
    }

    /// Runs `valechat args…` in the home folder.
    async fn run(&self, args: &[&str]) -> Output {
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_valechat"))
            .args(args)
            .current_dir(self.home.path())
            .env("VALECHAT_DATA_DIR", self.data.path())
            .env("HOME", self.home.path())
            .env("RUST_LOG", "off")
            .env("LC_ALL", "C.UTF-8")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start valechat");
        tokio::time::timeout(COMMAND_DEADLINE, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("valechat {args:?} did not finish"))
            .expect("wait for valechat")
    }

    /// Runs and asserts success; returns stdout.
    async fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args).await;
        assert!(
            output.status.success(),
            "valechat {args:?}: exit {:?}, stderr: {}",
            output.status.code(),
            text(&output.stderr)
        );
        text(&output.stdout)
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// `tests/mcp/<rest>`, failing with the fix when missing.
fn peer(rest: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/mcp")
        .join(rest);
    assert!(
        path.exists(),
        "{} is missing: run tests/mcp/install-peers.sh",
        path.display()
    );
    path.to_string_lossy().into_owned()
}

fn everything_script() -> String {
    peer("node_modules-root/node_modules/@modelcontextprotocol/server-everything/dist/index.js")
}

/// The line of `listing` that starts with `first` + tab.
fn line<'a>(listing: &'a str, first: &str) -> &'a str {
    listing
        .lines()
        .find(|l| l.split('\t').next() == Some(first))
        .unwrap_or_else(|| panic!("no line for {first} in:\n{listing}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_list_inspect_and_call_server_everything() {
    let sandbox = Sandbox::new();
    let script = everything_script();
    let id = sandbox
        .ok(&[
            "mcp",
            "add",
            "Everything",
            "--env",
            "GREETING=hello",
            "--",
            "node",
            &script,
            "stdio",
        ])
        .await;
    assert_eq!(id.trim(), "everything");

    let listing = sandbox.ok(&["mcp", "list"]).await;
    let fields: Vec<&str> = line(&listing, "everything").split('\t').collect();
    assert_eq!(fields[1], "Everything");
    assert!(fields[2].starts_with("stdio: node "), "{fields:?}");
    assert_eq!(&fields[3..], ["enabled", "-"]);

    let tools = sandbox.ok(&["mcp", "tools", "Everything"]).await;
    let echo: Vec<&str> = line(&tools, "echo").split('\t').collect();
    assert_eq!(
        echo,
        [
            "echo",
            "Echo Tool",
            "read-only",
            "Echoes back the input string"
        ]
    );
    assert!(
        line(&tools, "toggle-simulated-logging").contains("\t-\t"),
        "{tools}"
    );

    // The env var reached the server.
    let env = sandbox.ok(&["mcp", "call", "everything", "get-env"]).await;
    assert!(env.contains("GREETING"), "{env}");

    let echoed = sandbox
        .ok(&[
            "mcp",
            "call",
            "everything",
            "echo",
            "--args",
            r#"{"message":"hi there"}"#,
        ])
        .await;
    assert_eq!(echoed.trim(), "Echo: hi there");

    // The era learned by the first connection is cached.
    let listing = sandbox.ok(&["mcp", "list"]).await;
    assert!(
        line(&listing, "everything").ends_with("\tenabled\t2025-11-25"),
        "{listing}"
    );

    let image = sandbox
        .ok(&["mcp", "call", "everything", "get-tiny-image"])
        .await;
    let marker = image
        .lines()
        .find(|l| l.starts_with("[image "))
        .unwrap_or_else(|| panic!("no image line in {image}"));
    assert!(
        marker.starts_with("[image image/png, ") && marker.ends_with(" bytes]"),
        "{marker}"
    );

    let structured = sandbox
        .ok(&[
            "mcp",
            "call",
            "everything",
            "get-structured-content",
            "--args",
            r#"{"location":"Chicago"}"#,
        ])
        .await;
    let pretty_start = structured.find("{\n").expect("pretty JSON in the output");
    let value: serde_json::Value =
        serde_json::from_str(&structured[pretty_start..]).expect("structured content is JSON");
    assert!(value.get("temperature").is_some(), "{value}");

    let resources = sandbox.ok(&["mcp", "resources", "everything"]).await;
    let uri = "demo://resource/static/document/architecture.md";
    assert!(
        line(&resources, uri).ends_with("\ttext/markdown"),
        "{resources}"
    );
    let document = sandbox.ok(&["mcp", "read", "everything", uri]).await;
    assert!(document.starts_with("# "), "{document}");

    let prompts = sandbox.ok(&["mcp", "prompts", "everything"]).await;
    assert!(
        line(&prompts, "args-prompt").starts_with("args-prompt\tcity*,state\t"),
        "{prompts}"
    );
    assert!(
        line(&prompts, "simple-prompt").starts_with("simple-prompt\t-\t"),
        "{prompts}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tool_errors_and_bad_input_exit_with_1() {
    let sandbox = Sandbox::new();
    let script = everything_script();
    sandbox
        .ok(&["mcp", "add", "everything", "--", "node", &script, "stdio"])
        .await;

    // isError result: printed, exit 1.
    let invalid = sandbox
        .run(&["mcp", "call", "everything", "echo", "--args", "{}"])
        .await;
    assert_eq!(invalid.status.code(), Some(1));
    assert!(
        text(&invalid.stdout).contains("message"),
        "{}",
        text(&invalid.stdout)
    );

    let bad_json = sandbox
        .run(&["mcp", "call", "everything", "echo", "--args", "{oops"])
        .await;
    assert_eq!(bad_json.status.code(), Some(1));
    let message = text(&bad_json.stderr);
    assert!(
        message.starts_with("valechat: --args is not valid JSON"),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");

    let unknown = sandbox.run(&["mcp", "tools", "nope"]).await;
    assert_eq!(unknown.status.code(), Some(1));
    assert_eq!(
        text(&unknown.stderr).trim(),
        "valechat: no MCP server named “nope” (see `valechat mcp list`)"
    );

    let broken = sandbox
        .ok(&["mcp", "add", "broken", "--", "/nonexistent/server-binary"])
        .await;
    assert_eq!(broken.trim(), "broken");
    let failed = sandbox.run(&["mcp", "tools", "broken"]).await;
    assert_eq!(failed.status.code(), Some(1));
    let message = text(&failed.stderr);
    assert!(
        message.contains("could not start MCP server \"broken\""),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mcp_server_time_answers() {
    let sandbox = Sandbox::new();
    let time = peer("venv/bin/mcp-server-time");
    sandbox.ok(&["mcp", "add", "Time", "--", &time]).await;
    let tools = sandbox.ok(&["mcp", "tools", "time"]).await;
    line(&tools, "get_current_time");
    line(&tools, "convert_time");
    let now = sandbox
        .ok(&[
            "mcp",
            "call",
            "time",
            "get_current_time",
            "--args",
            r#"{"timezone":"Europe/Paris"}"#,
        ])
        .await;
    assert!(now.contains("Europe/Paris"), "{now}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_remote_enable_disable_remove() {
    let sandbox = Sandbox::new();
    sandbox
        .ok(&[
            "mcp",
            "add",
            "Remote",
            "--url",
            "https://mcp.example.com/mcp",
            "--header",
            "X-Team=blue",
        ])
        .await;
    sandbox
        .ok(&["mcp", "add", "Socket", "--url", "ws://127.0.0.1:9/mcp"])
        .await;
    let listing = sandbox.ok(&["mcp", "list"]).await;
    assert_eq!(
        line(&listing, "remote"),
        "remote\tRemote\thttp: https://mcp.example.com/mcp\tenabled\t-"
    );
    assert!(line(&listing, "socket").contains("\twebsocket: ws://127.0.0.1:9/mcp\t"));

    sandbox.ok(&["mcp", "disable", "Remote"]).await;
    let listing = sandbox.ok(&["mcp", "list"]).await;
    assert!(
        line(&listing, "remote").ends_with("\tdisabled\t-"),
        "{listing}"
    );
    sandbox.ok(&["mcp", "enable", "remote"]).await;
    let listing = sandbox.ok(&["mcp", "list"]).await;
    assert!(
        line(&listing, "remote").ends_with("\tenabled\t-"),
        "{listing}"
    );

    let duplicate = sandbox
        .run(&["mcp", "add", "remote", "--url", "https://x.example/mcp"])
        .await;
    assert_eq!(duplicate.status.code(), Some(1));
    assert!(text(&duplicate.stderr).contains("already exists"));
    let both = sandbox
        .run(&[
            "mcp",
            "add",
            "x",
            "--url",
            "https://x.example/mcp",
            "--",
            "node",
        ])
        .await;
    assert_ne!(both.status.code(), Some(0));
    let neither = sandbox.run(&["mcp", "add", "x"]).await;
    assert_eq!(neither.status.code(), Some(1));
    assert!(text(&neither.stderr).contains("give a command after --"));
    let bad_pair = sandbox
        .run(&[
            "mcp",
            "add",
            "x",
            "--url",
            "https://x.example/mcp",
            "--header",
            "nope",
        ])
        .await;
    assert!(text(&bad_pair.stderr).contains("not of the form K=V"));

    sandbox.ok(&["mcp", "remove", "socket"]).await;
    let listing = sandbox.ok(&["mcp", "list"]).await;
    assert!(!listing.contains("socket"), "{listing}");
    assert_eq!(
        sandbox
            .run(&["mcp", "remove", "socket"])
            .await
            .status
            .code(),
        Some(1)
    );
}

/// Writes a Claude Desktop config under `home`.
fn claude_desktop(home: &Path, script: &str) {
    let dir = home.join(".config/Claude");
    std::fs::create_dir_all(&dir).expect("config dir");
    let config = serde_json::json!({"mcpServers": {
        "Everything": {"command": "node", "args": [script, "stdio"]},
        "Remote Docs": {"type": "http", "url": "https://docs.example.com/mcp"},
        "broken": {"type": "stdio"}
    }});
    std::fs::write(dir.join("claude_desktop_config.json"), config.to_string()).expect("write");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_discovers_lists_then_imports_and_skips_duplicates() {
    let sandbox = Sandbox::new();
    let nothing = sandbox.ok(&["mcp", "import"]).await;
    assert!(nothing.starts_with("No configuration file"), "{nothing}");

    claude_desktop(sandbox.home.path(), &everything_script());
    let preview = sandbox.ok(&["mcp", "import"]).await;
    assert!(preview.contains("(Claude Desktop):"), "{preview}");
    assert!(
        preview.contains("  Remote Docs\thttp: https://docs.example.com/mcp"),
        "{preview}"
    );
    assert!(preview.contains("note: \"broken\" skipped"), "{preview}");
    assert_eq!(
        sandbox.ok(&["mcp", "list"]).await,
        "",
        "listing imports nothing"
    );

    let imported = sandbox.ok(&["mcp", "import", "--yes"]).await;
    assert!(
        imported.contains("imported everything (Everything), disabled"),
        "{imported}"
    );
    assert!(
        imported.contains("imported remote-docs (Remote Docs)"),
        "{imported}"
    );
    let listing = sandbox.ok(&["mcp", "list"]).await;
    assert!(
        line(&listing, "everything").contains("\tdisabled\t"),
        "{listing}"
    );

    let again = sandbox.ok(&["mcp", "import", "--yes"]).await;
    assert!(
        again.contains("skipped “Everything”: a server with that name already exists"),
        "{again}"
    );
    assert!(!again.contains("imported "), "{again}");

    // An explicit file is imported at once.
    let file = sandbox.home.path().join("other.json");
    std::fs::write(
        &file,
        r#"{"servers": {"Zed Thing": {"command": "uvx", "args": ["x"]}}}"#,
    )
    .expect("write");
    let from_file = sandbox
        .ok(&["mcp", "import", &file.to_string_lossy()])
        .await;
    assert!(
        from_file.contains("imported zed-thing (Zed Thing)"),
        "{from_file}"
    );

    // Imported servers can be used once found; disabled ones too from the CLI.
    let echoed = sandbox
        .ok(&[
            "mcp",
            "call",
            "Everything",
            "echo",
            "--args",
            r#"{"message":"imported"}"#,
        ])
        .await;
    assert_eq!(echoed.trim(), "Echo: imported");
}

#[tokio::test]
async fn settings_store_the_tool_limits_and_refuse_values_out_of_range() {
    let sandbox = Sandbox::new();
    let defaults = sandbox.ok(&["mcp", "settings"]).await;
    assert!(defaults.contains("tool rounds per turn: 10"), "{defaults}");
    assert!(defaults.contains("sent to the model: 32000"), "{defaults}");

    let changed = sandbox
        .ok(&[
            "mcp",
            "settings",
            "--max-rounds",
            "3",
            "--max-result-chars",
            "5000",
        ])
        .await;
    assert!(changed.contains("tool rounds per turn: 3"), "{changed}");
    // Kept in the database for the next run (and the app).
    let again = sandbox.ok(&["mcp", "settings"]).await;
    assert!(again.contains("sent to the model: 5000"), "{again}");

    let refused = sandbox.run(&["mcp", "settings", "--max-rounds", "0"]).await;
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("tool rounds must be between 1 and 100, not 0"),
        "{}",
        text(&refused.stderr)
    );
    let unchanged = sandbox.ok(&["mcp", "settings"]).await;
    assert!(unchanged.contains("tool rounds per turn: 3"), "{unchanged}");

    let reset = sandbox.ok(&["mcp", "settings", "--reset"]).await;
    assert!(reset.contains("tool rounds per turn: 10"), "{reset}");
}
