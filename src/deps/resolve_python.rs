//! Python modules to files. Import roots are found from the tree: every directory above
//! a chain of packages (`__init__.py`), so `src/` layouts, `tests/` directories and the
//! repository root all resolve; relative imports climb from the importing file's package.

use super::tree::{child, dir_of, internal, Outcome, Tree};
use std::collections::{BTreeSet, HashSet};

/// The import roots of a tree and the top-level names under them.
pub struct PyRoots {
    /// Directories holding packages, the repository root and `src`: tried for every file.
    roots: Vec<String>,
    /// Directories holding plain modules: tried for the files below them.
    local: HashSet<String>,
    top: HashSet<String>,
}

impl PyRoots {
    pub fn new(tree: &Tree) -> PyRoots {
        let mut roots: BTreeSet<String> = ["".to_string(), "src".to_string()].into();
        let mut top = HashSet::new();
        let mut local = HashSet::new();
        for p in tree
            .paths
            .iter()
            .filter(|p| p.ends_with(".py") || p.ends_with(".pyi"))
        {
            let mut dir = dir_of(p);
            let mut first = super::tree::stem(p);
            let mut walked = false;
            while !dir.is_empty() && tree.file(&child(dir, "__init__.py")).is_some() {
                first = dir.rsplit('/').next().unwrap_or(dir);
                dir = dir_of(dir);
                walked = true;
            }
            top.insert(first.to_string());
            if !walked {
                local.insert(dir.to_string());
            } else {
                roots.insert(dir.to_string());
            }
        }
        PyRoots {
            roots: roots.into_iter().collect(),
            local,
            top,
        }
    }

    /// The module file of `dir/a/b` (`b.py`, `b.pyi`, `b/__init__.py`).
    fn module_at(tree: &Tree, dir: &str, module: &[String]) -> Option<u32> {
        let base = child(dir, &module.join("/"));
        if module.is_empty() {
            return tree.file(&child(dir, "__init__.py"));
        }
        tree.first([
            format!("{base}.py"),
            format!("{base}.pyi"),
            format!("{base}/__init__.py"),
        ])
    }

    /// Every file `from <module> import <names>` (or `import <module>` when `names` is
    /// empty) reads, under the directories `bases`: submodules named, else the module.
    fn resolve_in(
        tree: &Tree,
        bases: &[&str],
        module: &[String],
        names: &[String],
    ) -> Option<Outcome> {
        for base in bases {
            let mut files = Vec::new();
            let mut all_found = true;
            for n in names.iter().filter(|n| n.as_str() != "*") {
                let mut m = module.to_vec();
                m.push(n.clone());
                match Self::module_at(tree, base, &m) {
                    Some(f) => files.push(f),
                    None => all_found = false,
                }
            }
            if !all_found || names.is_empty() || names.iter().any(|n| n == "*") {
                let here = Self::module_at(tree, base, module);
                // a namespace package (no `__init__.py`) is found through its submodules
                match here {
                    Some(f) => files.push(f),
                    None if !files.is_empty() => {}
                    None if module.is_empty() => {}
                    None => continue,
                }
            }
            if let Some(o) = internal(files) {
                return Some(o);
            }
        }
        None
    }

    pub fn resolve(
        &self,
        tree: &Tree,
        from: &str,
        level: usize,
        module: &[String],
        names: &[String],
    ) -> Outcome {
        if level > 0 {
            let mut dir = dir_of(from);
            for _ in 1..level {
                if dir.is_empty() {
                    return Outcome::Unresolved;
                }
                dir = dir_of(dir);
            }
            return Self::resolve_in(tree, &[dir], module, names).unwrap_or(Outcome::Unresolved);
        }
        // the importing file's own root first (a test directory importing its helpers)
        let mut own = dir_of(from);
        let mut bases: Vec<&str> = Vec::new();
        loop {
            if self.local.contains(own) || self.roots.iter().any(|r| r == own) {
                bases.push(own);
            }
            if own.is_empty() {
                break;
            }
            own = dir_of(own);
        }
        bases.extend(self.roots.iter().map(String::as_str));
        if let Some(o) = Self::resolve_in(tree, &bases, module, names) {
            return o;
        }
        let first = module.first().map_or("", String::as_str);
        if self.top.contains(first) {
            Outcome::Unresolved
        } else {
            Outcome::External(first.to_string())
        }
    }
}
