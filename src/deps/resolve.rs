//! Every file's imports resolved against the tree, each language by its own rules.

use super::facts::{Facts, Lang, Spec};
use super::resolve_dotted::{declared, family};
use super::resolve_go::GoModules;
use super::resolve_js::JsContext;
use super::resolve_python::PyRoots;
use super::resolve_rust::Crates;
use super::tree::{Outcome, Tree};
use std::collections::HashMap;

/// The imports of every read file, resolved.
pub struct Resolved {
    pub tree: Tree,
    /// (file, its language, one outcome per import).
    pub files: Vec<(u32, Lang, Vec<Outcome>)>,
    /// Some imports that name this repository's code but resolve to no file, as
    /// `path: import` (at most `MAX_UNRESOLVED_SHOWN`, the first file of each distinct
    /// import), so a person can see why.
    pub unresolved: Vec<String>,
}

/// Unresolved imports kept as examples.
pub const MAX_UNRESOLVED_SHOWN: usize = 20;

/// An import as a person would recognise it.
fn written(spec: &Spec) -> String {
    match spec {
        Spec::Dotted { path, wildcard, .. } => {
            format!("{}{}", path.join("."), if *wildcard { ".*" } else { "" })
        }
        Spec::Python {
            level,
            module,
            names,
        } => {
            format!(
                "from {}{} import {}",
                ".".repeat(*level),
                module.join("."),
                names.join(", ")
            )
        }
        Spec::Path(s) => s.clone(),
        Spec::Use(segs) => segs.join("::"),
        Spec::Mod { name, .. } => format!("mod {name}"),
    }
}

/// Resolves the imports in `facts` (path → what its reader found) against the tree
/// `paths`, with the manifests and configurations in `configs` (path → text).
pub fn resolve<'f>(
    paths: Vec<String>,
    facts: impl IntoIterator<Item = (&'f str, &'f Facts)>,
    configs: &HashMap<String, String>,
) -> Resolved {
    let tree = Tree::new(paths);
    let mut read: Vec<(u32, &Facts)> = facts
        .into_iter()
        .filter_map(|(p, f)| tree.file(p).map(|i| (i, f)))
        .collect();
    read.sort_by_key(|(i, _)| *i);
    let dotted = declared(&tree, &read);
    let py = PyRoots::new(&tree);
    let js = JsContext::new(configs);
    let go = GoModules::new(configs);
    let mut rust = Crates::new(configs);
    rust.learn_mods(&tree, &read);
    let mut unresolved = Vec::new();
    // one example per import as written: a hundred files missing the same one show once
    let mut seen = std::collections::HashSet::new();
    let files = read
        .iter()
        .map(|(i, f)| {
            let from = tree.path(*i);
            let outcomes = f
                .imports
                .iter()
                .filter_map(|spec| {
                    Some(match spec {
                        Spec::Dotted {
                            path,
                            wildcard,
                            member,
                        } => dotted[family(f.lang)].resolve(path, *wildcard, *member, f.lang),
                        Spec::Python {
                            level,
                            module,
                            names,
                        } => py.resolve(&tree, from, *level, module, names),
                        Spec::Path(s) if f.lang == Lang::Go => go.resolve(&tree, s),
                        Spec::Path(s) => js.resolve(&tree, from, s),
                        Spec::Use(segs) if Crates::is_item(segs.first()?) => return None,
                        Spec::Use(segs) => rust.resolve_use(&tree, from, segs),
                        Spec::Mod { name, path } => {
                            rust.resolve_mod(&tree, from, name, path.as_deref())
                        }
                    })
                })
                .collect::<Vec<Outcome>>();
            if unresolved.len() < MAX_UNRESOLVED_SHOWN {
                let missing = f
                    .imports
                    .iter()
                    .zip(&outcomes)
                    .filter(|(_, o)| **o == Outcome::Unresolved);
                for (spec, _) in missing {
                    let text = written(spec);
                    if unresolved.len() < MAX_UNRESOLVED_SHOWN && seen.insert(text.clone()) {
                        unresolved.push(format!("{from}: {text}"));
                    }
                }
            }
            (*i, f.lang, outcomes)
        })
        .collect();
    Resolved {
        tree,
        files,
        unresolved,
    }
}
