//! What the code itself says is connected: the import, `use`, `require` and `using`
//! statements of Java, Kotlin, Scala, Python, JavaScript/TypeScript, Go, Rust and C#, read
//! by one careful tokenizer per language family (comments and strings are never read as
//! imports) and resolved to the repository's files by each language's own rules; the
//! module graph over the one module cut (`modules`), with import counts, blast radius and
//! cycles. Pure: the caller reads the blobs, stores the graph and schedules the work.
//!
//! - `lex.rs`: the tokenizer; `read_*.rs`: one reader per language family (`facts.rs`
//!   holds what they find)
//! - `tree.rs`: the tree and the outcome of one import; `resolve_*.rs`: one resolver per
//!   language family; `resolve.rs`: every file's imports resolved
//! - `graph.rs`: the module graph; `links.rs`: file-level links (the ranking's neighbours)

mod facts;
mod graph;
mod lex;
mod links;
mod read_js;
mod read_jvm;
mod read_other;
mod read_python;
mod resolve;
mod resolve_dotted;
mod resolve_go;
mod resolve_js;
mod resolve_python;
mod resolve_rust;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_langs;
mod tree;

pub use facts::{Facts, Lang, Spec};
pub use links::FileLinks;
pub use tree::Outcome;

use crate::domain::DependencyGraph;
use crate::modules::ModuleMap;
use std::collections::HashMap;

/// Reads the imports of one file, when its language is one read here.
pub fn read(path: &str, text: &str) -> Option<Facts> {
    let lang = Lang::of(path)?;
    Some(match lang {
        Lang::Java | Lang::Kotlin | Lang::Scala => read_jvm::read(text, lang),
        Lang::Python => read_python::read(text),
        Lang::Js => read_js::read(text),
        Lang::Go => read_other::read_go(text),
        Lang::Rust => read_other::read_rust(text),
        Lang::CSharp => read_other::read_csharp(text),
    })
}

/// True for the files resolvers read beside the sources: `go.mod`, `Cargo.toml`,
/// `package.json`, `tsconfig*.json`, `jsconfig.json`.
pub fn is_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let vendored = path
        .split('/')
        .any(|d| matches!(d, "node_modules" | "vendor" | "third_party"));
    !vendored
        && (matches!(
            name,
            "go.mod" | "Cargo.toml" | "package.json" | "jsconfig.json"
        ) || (name.starts_with("tsconfig") && name.ends_with(".json")))
}

/// The module graph of a tree: `paths` is every path of the tree, `facts` what `read`
/// found in its source files, `configs` the text of its `is_config` files, `map` the cut.
pub fn graph<'f>(
    commit: &str,
    paths: Vec<String>,
    facts: impl IntoIterator<Item = (&'f str, &'f Facts)>,
    configs: &HashMap<String, String>,
    map: &dyn ModuleMap,
) -> DependencyGraph {
    let r = resolve::resolve(paths, facts, configs);
    let files: Vec<graph::FileImports<'_>> = r
        .files
        .iter()
        .map(|(i, lang, outcomes)| graph::FileImports {
            path: r.tree.path(*i),
            lang: lang.as_str(),
            outcomes,
        })
        .collect();
    let mut g = graph::build(commit, &files, &|t| r.tree.path(t), map);
    g.unresolved = r.unresolved.clone();
    g
}

/// Every file's structural neighbours (what it imports and what imports it), from the same
/// inputs as `graph`.
pub fn links<'f>(
    paths: Vec<String>,
    facts: impl IntoIterator<Item = (&'f str, &'f Facts)>,
    configs: &HashMap<String, String>,
) -> FileLinks {
    FileLinks::of(&resolve::resolve(paths, facts, configs))
}

/// Every file's resolved imports as `(importing path, outcomes)`, with internal targets
/// as paths: what the tests and the measurements look at.
pub fn resolved_paths<'f>(
    paths: Vec<String>,
    facts: impl IntoIterator<Item = (&'f str, &'f Facts)>,
    configs: &HashMap<String, String>,
) -> Vec<(String, Vec<Resolution>)> {
    let r = resolve::resolve(paths, facts, configs);
    r.files
        .iter()
        .map(|(i, _, outcomes)| {
            let list = outcomes
                .iter()
                .map(|o| match o {
                    Outcome::Internal(t) => Resolution::Internal(
                        t.iter().map(|&f| r.tree.path(f).to_string()).collect(),
                    ),
                    Outcome::Unresolved => Resolution::Unresolved,
                    Outcome::External(p) => Resolution::External(p.clone()),
                })
                .collect();
            (r.tree.path(*i).to_string(), list)
        })
        .collect()
}

/// An import's outcome with paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Internal(Vec<String>),
    Unresolved,
    External(String),
}
