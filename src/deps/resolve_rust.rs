//! Rust paths to files. A crate is a directory with a `Cargo.toml`; its roots are
//! `src/lib.rs`, `src/main.rs` and every other target file (`tests/x.rs`, `tests/x/main.rs`,
//! `src/bin/x.rs`); a module's file is found the way rustc finds it (`a.rs` or
//! `a/mod.rs` in the parent's directory; `#[path]` honoured). `crate::`, `self::`,
//! `super::`, a child module of the current one and another crate of the workspace (by its
//! package name) resolve inside; anything else is an external crate.

use super::tree::{child, dir_of, join, stem, Outcome, Tree};
use std::collections::HashMap;

const STD: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

/// The crates of a repository.
#[derive(Default)]
pub struct Crates {
    /// Crate directory → its library name (`-` as `_`).
    dirs: HashMap<String, String>,
    /// Library name → its crate directory.
    names: HashMap<String, String>,
    /// (declaring file, module name) → the file `mod name;` resolved to (`#[path]` too).
    mods: HashMap<(u32, String), u32>,
}

/// A file's place: the crate root file and the module path from it.
struct Place {
    root: u32,
    module: Vec<String>,
}

impl Crates {
    pub fn new(configs: &HashMap<String, String>) -> Crates {
        let mut c = Crates::default();
        for (path, text) in configs
            .iter()
            .filter(|(p, _)| p.rsplit('/').next() == Some("Cargo.toml"))
        {
            let dir = dir_of(path).to_string();
            let name = package_name(text).map(|n| n.replace('-', "_"));
            if let Some(n) = &name {
                c.names.insert(n.clone(), dir.clone());
            }
            c.dirs.insert(dir, name.unwrap_or_default());
        }
        c
    }

    /// The crate directory holding `path` (the nearest `Cargo.toml` above it).
    fn crate_dir<'p>(&self, path: &'p str) -> Option<&'p str> {
        let mut dir = dir_of(path);
        loop {
            if self.dirs.contains_key(dir) {
                return Some(dir);
            }
            if dir.is_empty() {
                return None;
            }
            dir = dir_of(dir);
        }
    }

    /// Where `path` sits: under `src/` below `src/lib.rs` (or `main.rs`); other targets
    /// are roots of their own, with their directory's files below them.
    fn place(&self, tree: &Tree, path: &str) -> Option<Place> {
        let dir = self.crate_dir(path)?;
        let rel = path.strip_prefix(&format!("{dir}/")).unwrap_or(path);
        let src = child(dir, "src");
        let (root, base) = if dir_of(rel) == "src/bin" || rel == "src/main.rs" {
            (tree.file(path)?, dir_of(path).to_string())
        } else if rel.starts_with("src/") && !rel.starts_with("src/bin/") {
            let root = tree.first([child(&src, "lib.rs"), child(&src, "main.rs")])?;
            (root, src)
        } else {
            // `tests/api/helpers.rs` sits below `tests/api/main.rs`; `tests/x.rs` is a root
            let mut d = dir_of(path).to_string();
            loop {
                if let Some(r) = tree.file(&child(&d, "main.rs")) {
                    break (r, d);
                }
                if d.len() <= dir.len() || !d.contains('/') {
                    break (tree.file(path)?, dir_of(path).to_string());
                }
                d = dir_of(&d).to_string();
            }
        };
        let inner = path.strip_prefix(&format!("{base}/")).unwrap_or(path);
        let mut module: Vec<String> = inner
            .trim_end_matches(".rs")
            .split('/')
            .map(str::to_string)
            .collect();
        if matches!(
            module.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) || tree.path(root) == path
        {
            module.pop();
        }
        if tree.path(root) == path {
            module.clear();
        }
        Some(Place { root, module })
    }

    /// The directory a module's children live in.
    fn child_dir(tree: &Tree, file: u32, is_root: bool) -> String {
        let p = tree.path(file);
        let name = p.rsplit('/').next().unwrap_or(p);
        if is_root || name == "mod.rs" {
            dir_of(p).to_string()
        } else {
            child(dir_of(p), stem(p))
        }
    }

    /// The file of module `a::b` below `root`, descending while files exist; the deepest
    /// found (the remaining names are items in it).
    fn walk(&self, tree: &Tree, root: u32, segs: &[String]) -> u32 {
        let mut file = root;
        let mut is_root = true;
        for s in segs {
            let dir = Self::child_dir(tree, file, is_root);
            let declared = self.mods.get(&(file, s.clone())).copied();
            match declared.or_else(|| {
                tree.first([
                    child(&dir, &format!("{s}.rs")),
                    child(&dir, &format!("{s}/mod.rs")),
                ])
            }) {
                Some(f) => file = f,
                None => break,
            }
            is_root = false;
        }
        file
    }

    /// `mod name;` declared in `from`.
    pub fn resolve_mod(&self, tree: &Tree, from: &str, name: &str, path: Option<&str>) -> Outcome {
        let Some(f) = tree.file(from) else {
            return Outcome::Unresolved;
        };
        let is_root = self.place(tree, from).is_some_and(|p| p.root == f);
        let dir = Self::child_dir(tree, f, is_root);
        let found = match path {
            Some(p) => join(dir_of(from), p).and_then(|p| tree.file(&p)),
            None => tree.first([
                child(&dir, &format!("{name}.rs")),
                child(&dir, &format!("{name}/mod.rs")),
            ]),
        };
        found.map_or(Outcome::Unresolved, |t| Outcome::Internal(vec![t]))
    }

    /// Resolves every `mod` declaration first, so paths walk through `#[path]` modules.
    pub fn learn_mods(&mut self, tree: &Tree, facts: &[(u32, &super::facts::Facts)]) {
        for (file, f) in facts {
            for spec in &f.imports {
                if let super::facts::Spec::Mod { name, path } = spec {
                    let from = tree.path(*file);
                    if let Outcome::Internal(t) =
                        self.resolve_mod(tree, from, name, path.as_deref())
                    {
                        self.mods.insert((*file, name.clone()), t[0]);
                    }
                }
            }
        }
    }

    /// One leaf of a `use` tree in `from`.
    pub fn resolve_use(&self, tree: &Tree, from: &str, segs: &[String]) -> Outcome {
        let first = segs.first().map_or("", String::as_str);
        if first == "::" {
            return Outcome::External(segs.get(1).cloned().unwrap_or_default());
        }
        let place = self.place(tree, from);
        let relative = |place: &Place, up: usize, rest: &[String]| -> Outcome {
            let mut m = place.module.clone();
            m.truncate(m.len().saturating_sub(up));
            m.extend_from_slice(rest);
            Outcome::Internal(vec![self.walk(tree, place.root, &m)])
        };
        match (first, &place) {
            ("crate", Some(p)) => {
                return Outcome::Internal(vec![self.walk(tree, p.root, &segs[1..])])
            }
            ("self" | "super", Some(p)) => {
                let up = segs.iter().take_while(|s| *s == "super").count();
                let skip = if first == "self" { 1 } else { up };
                return relative(p, up, &segs[skip..]);
            }
            ("crate" | "self" | "super", None) => return Outcome::Unresolved,
            _ => {}
        }
        if let (Some(p), Some(f)) = (&place, tree.file(from)) {
            // a child module of the current one (`mod a; use a::B;`)
            let dir = Self::child_dir(tree, f, p.root == f);
            let file_child = tree.first([
                child(&dir, &format!("{first}.rs")),
                child(&dir, &format!("{first}/mod.rs")),
            ]);
            if file_child.is_some() || self.mods.contains_key(&(f, first.to_string())) {
                return relative(p, 0, segs);
            }
        }
        if let Some(dir) = self.names.get(first) {
            let lib = tree.file(&child(dir, "src/lib.rs"));
            return lib.map_or(Outcome::Unresolved, |root| {
                Outcome::Internal(vec![self.walk(tree, root, &segs[1..])])
            });
        }
        if STD.contains(&first) {
            return Outcome::External("std".into());
        }
        Outcome::External(first.to_string())
    }

    /// True for a path's first name that cannot be a crate (`use Kind::*` of an enum in scope).
    pub fn is_item(first: &str) -> bool {
        first.starts_with(|c: char| c.is_ascii_uppercase())
    }
}

/// `[package] name` of a `Cargo.toml`.
fn package_name(text: &str) -> Option<String> {
    let mut in_package = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim() == "name" {
                    return Some(v.trim().trim_matches('"').to_string());
                }
            }
        }
    }
    None
}
