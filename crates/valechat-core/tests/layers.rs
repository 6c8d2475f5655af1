//! The core's layers run one way (issue 12): reads the crate's own sources,
//! finds which top-level module names which, and checks that
//! - no module imports a module that imports it back (no cycle, however
//!   long, in the graph of top-level modules);
//! - `store` names only `model` (and `paths`, a leaf);
//! - `model`, the plain value types at the bottom, names nothing else.
//!
//! A reference is any path in code that reaches another top-level module:
//! `crate::ledger::…`, each first segment of `crate::{billing, chat::X}`,
//! and a `super::…` chain that climbs out of its top-level module to the
//! crate root (module depth comes from the file's path plus the inline
//! `mod x { … }` blocks around it). Comments, doc comments included, and
//! string and character literals are skipped: an intra-doc link to a
//! higher module is documentation, not a dependency. Every file under
//! `src/<module>/` (also those included with `#[path]`) counts for
//! `<module>`.

#[path = "layers/scan.rs"]
mod scan;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use scan::references;

/// Modules `store` may name.
const STORE_MAY_USE: [&str; 2] = ["model", "paths"];

/// Which top-level modules each top-level module names (itself left out).
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The crate's `src/` directory.
fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The graph of the crate's top-level modules.
fn module_graph() -> Graph {
    let src = src_dir();
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(&src).expect("src/") {
        let path = entry.expect("directory entry").path();
        let stem = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned);
        if let Some(stem) = stem.filter(|s| s != "lib" && s != "main")
            && (path.is_dir() || path.extension().is_some_and(|e| e == "rs"))
        {
            modules.insert(stem);
        }
    }
    let mut graph = Graph::new();
    for module in &modules {
        let mut files = Vec::new();
        let file = src.join(format!("{module}.rs"));
        if file.exists() {
            files.push(file);
        }
        let dir = src.join(module);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        }
        let mut uses = BTreeSet::new();
        for file in files {
            let source = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            // `src/store.rs` is one module deep, `src/store/x.rs` two…
            let depth = file
                .strip_prefix(&src)
                .expect("under src/")
                .components()
                .count();
            uses.extend(
                references(&source, depth)
                    .into_iter()
                    .filter(|name| name != module && modules.contains(name)),
            );
        }
        graph.insert(module.clone(), uses);
    }
    graph
}

/// A cycle of `graph` as the path of module names, first name repeated at
/// the end (`["store", "ledger", "store"]`), or `None`.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        Fresh,
        Open,
        Done,
    }
    fn visit(
        graph: &Graph,
        node: &str,
        state: &mut BTreeMap<String, State>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), State::Open);
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(State::Fresh) {
                State::Open => {
                    let start = path.iter().position(|n| n == next).expect("on the path");
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                State::Fresh => {
                    if let Some(cycle) = visit(graph, next, state, path) {
                        return Some(cycle);
                    }
                }
                State::Done => {}
            }
        }
        path.pop();
        state.insert(node.to_owned(), State::Done);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node).copied().unwrap_or(State::Fresh) == State::Fresh
            && let Some(cycle) = visit(graph, node, &mut state, &mut Vec::new())
        {
            return Some(cycle);
        }
    }
    None
}

/// The graph as text, one module a line, for failure messages.
fn show(graph: &Graph) -> String {
    graph
        .iter()
        .map(|(module, uses)| {
            let uses: Vec<&str> = uses.iter().map(String::as_str).collect();
            format!("  {module} -> {}", uses.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let graph = module_graph();
    assert!(
        graph.contains_key("store"),
        "no store module under {:?}",
        src_dir()
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "the core's modules import each other in a loop: {}\nall imports:\n{}",
            cycle.join(" -> "),
            show(&graph)
        );
    }
}

#[test]
fn the_store_uses_only_the_plain_value_types() {
    let graph = module_graph();
    let extra: Vec<&String> = graph
        .get("store")
        .expect("src/store.rs exists")
        .iter()
        .filter(|m| !STORE_MAY_USE.contains(&m.as_str()))
        .collect();
    assert!(
        extra.is_empty(),
        "store may use only {STORE_MAY_USE:?}, but also uses {extra:?}\nall imports:\n{}",
        show(&graph)
    );
}

#[test]
fn the_plain_value_types_use_nothing_else() {
    let graph = module_graph();
    let uses = graph.get("model").expect("src/model.rs exists");
    assert!(
        uses.is_empty(),
        "model must not use other modules of the crate, but uses {uses:?}"
    );
}

#[test]
fn references_are_read_from_code_only() {
    let source = r#"
        //! See [`crate::chat`].
        use crate::{billing, ledger::{Period, period}, self as _};
        use crate::store::Store;
        /* crate::mcp in a comment */
        const TEXT: &str = "crate::secrets";
        const RAW: &str = r"crate::format";
        fn f<'a>(c: char) -> bool { c == '{' || c == '\'' }
        pub(crate) fn g() -> crate::provider::Role { todo!() }
        mod tests {
            use super::super::i18n; // one level up from a depth-1 file: the root
        }
    "#;
    let found: Vec<String> = references(source, 1).into_iter().collect();
    assert_eq!(found, ["billing", "i18n", "ledger", "provider", "store"]);
    let raw_with_hashes = "const R: &str = r#\"crate::chat \"quoted\"\"#; use crate::store;";
    assert_eq!(
        references(raw_with_hashes, 1)
            .into_iter()
            .collect::<Vec<_>>(),
        ["store"]
    );
    // Two files deep, `super::super` stays inside the top-level module.
    assert!(references("use super::super::message::Role;", 3).is_empty());
    assert_eq!(
        references("use super::super::ledger::Period;", 2)
            .into_iter()
            .collect::<Vec<_>>(),
        ["ledger"]
    );
}

#[test]
fn a_loop_is_found_and_named() {
    let graph: Graph = [
        ("model", vec![]),
        ("store", vec!["model", "ledger"]),
        ("ledger", vec!["billing"]),
        ("billing", vec!["store"]),
    ]
    .into_iter()
    .map(|(m, uses)| (m.to_owned(), uses.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(
        find_cycle(&graph).map(|c| c.join(" -> ")),
        Some("billing -> store -> ledger -> billing".to_owned())
    );
    let mut acyclic = graph;
    acyclic.insert("billing".into(), BTreeSet::from(["model".to_owned()]));
    assert_eq!(find_cycle(&acyclic), None);
}
