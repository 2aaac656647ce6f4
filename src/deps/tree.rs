//! The repository's files as resolvers see them, and what an import resolves to.

use std::collections::HashMap;

/// Most files one import may resolve to (a wildcard import of a package, a Go package, a
/// C# namespace): enough to name every module it reaches.
pub const MAX_TARGETS: usize = 256;

/// What one import statement resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Files of this repository (indices into the tree).
    Internal(Vec<u32>),
    /// It names this repository's code (a known package prefix, a relative path) but no
    /// file was found.
    Unresolved,
    /// Outside the repository: the package it comes from.
    External(String),
}

/// Every path of the tree, with lookups by path and by directory.
pub struct Tree {
    pub paths: Vec<String>,
    by_path: HashMap<String, u32>,
    by_dir: HashMap<String, Vec<u32>>,
    by_name: HashMap<String, Vec<u32>>,
}

impl Tree {
    pub fn new(paths: Vec<String>) -> Tree {
        let mut by_path = HashMap::with_capacity(paths.len());
        let mut by_dir: HashMap<String, Vec<u32>> = HashMap::new();
        let mut by_name: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, p) in paths.iter().enumerate() {
            let name = p.rsplit('/').next().unwrap_or(p);
            by_name.entry(name.to_string()).or_default().push(i as u32);
            by_path.insert(p.clone(), i as u32);
            by_dir
                .entry(dir_of(p).to_string())
                .or_default()
                .push(i as u32);
        }
        Tree {
            paths,
            by_path,
            by_dir,
            by_name,
        }
    }

    pub fn file(&self, path: &str) -> Option<u32> {
        self.by_path.get(path).copied()
    }

    /// The first of `candidates` that is a file.
    pub fn first<I: IntoIterator<Item = String>>(&self, candidates: I) -> Option<u32> {
        candidates.into_iter().find_map(|c| self.file(&c))
    }

    /// Files directly in `dir` (`""` is the root).
    pub fn in_dir(&self, dir: &str) -> &[u32] {
        self.by_dir.get(dir).map_or(&[], Vec::as_slice)
    }

    /// The one file whose path ends with `tail` at a directory boundary, if exactly one does.
    pub fn unique_tail(&self, tail: &str) -> Option<u32> {
        match self.with_tail(tail)[..] {
            [one] => Some(one),
            _ => None,
        }
    }

    /// Every file whose path ends with `tail` at a directory boundary.
    pub fn with_tail(&self, tail: &str) -> Vec<u32> {
        let name = tail.rsplit('/').next().unwrap_or(tail);
        let Some(named) = self.by_name.get(name) else {
            return Vec::new();
        };
        named
            .iter()
            .copied()
            .filter(|&i| {
                let p = self.path(i);
                p == tail || (p.ends_with(tail) && p[..p.len() - tail.len()].ends_with('/'))
            })
            .collect()
    }

    pub fn path(&self, i: u32) -> &str {
        &self.paths[i as usize]
    }
}

/// The directory of a path (`""` at the root).
pub fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The file name's stem (`a/B.java` → `B`).
pub fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name)
}

/// `base/rel` with `.` and `..` folded; `None` when it climbs above the root.
pub fn join(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// `dir/name`, or `name` at the root.
pub fn child(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// At most `MAX_TARGETS` files, as an outcome; `None` when there are none.
pub fn internal(files: impl IntoIterator<Item = u32>) -> Option<Outcome> {
    let v: Vec<u32> = files.into_iter().take(MAX_TARGETS).collect();
    (!v.is_empty()).then_some(Outcome::Internal(v))
}
