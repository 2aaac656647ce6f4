//! The cut itself: a tree of the source files' logical directories, split top-down while a
//! directory is too large to hold in mind, with manifests starting modules of their own.

use super::layout::{place, Placed};
use super::{is_source_path, names, Module, ModuleMap, ModuleRules, ROOT};
use globset::{GlobBuilder, GlobMatcher};
use std::collections::{BTreeMap, HashMap};

const MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "package.json",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "build.sbt",
    "mix.exs",
    "composer.json",
    "Gemfile",
    "pubspec.yaml",
    "Package.swift",
    "CMakeLists.txt",
];

const MANIFEST_SUFFIXES: &[&str] = &[".csproj", ".fsproj", ".vbproj", ".gemspec"];

/// True when a file name marks a package root.
pub fn is_manifest(name: &str) -> bool {
    MANIFESTS.contains(&name) || MANIFEST_SUFFIXES.iter().any(|s| name.ends_with(s))
}

#[derive(Default)]
struct Node {
    children: BTreeMap<String, Node>,
    /// Source files directly here, and in the whole subtree.
    own: usize,
    total: usize,
    manifest: bool,
    /// Physical directory of this logical one, preferring the main (non-test) source's.
    physical: Option<(bool, String)>,
    /// Index into `ModuleCut::modules` once cut.
    module: usize,
}

/// The modules of one repository at one tree, and the map from any path to its module.
pub struct ModuleCut {
    modules: Vec<Module>,
    by_id: HashMap<String, usize>,
    root: Node,
    overrides: Vec<(GlobMatcher, usize)>,
}

impl ModuleCut {
    /// Cuts the tree `paths` (every path of the tree; source files are picked out here and
    /// manifests found among the rest).
    pub fn build<'a>(paths: impl IntoIterator<Item = &'a str>, rules: &ModuleRules) -> ModuleCut {
        let mut root = Node::default();
        let mut manifests = Vec::new();
        let mut sources = 0usize;
        let mut overridden: Vec<&'a str> = Vec::new();
        let globs = compile(&rules.overrides);
        for path in paths {
            let name = path.rsplit('/').next().unwrap_or(path);
            if is_manifest(name) {
                manifests.push(path.rsplit_once('/').map_or("", |(d, _)| d).to_string());
            }
            if !is_source_path(path) {
                continue;
            }
            if globs.iter().any(|(g, _)| g.is_match(path)) {
                overridden.push(path);
                continue;
            }
            sources += 1;
            insert(&mut root, path, &place(path));
        }
        for dir in manifests {
            if let Some(n) = find_mut(&mut root, &dir) {
                n.manifest = true;
            }
        }
        let limit = split_limit(sources, rules);
        let mut cut = ModuleCut {
            modules: Vec::new(),
            by_id: HashMap::new(),
            root: Node::default(),
            overrides: Vec::new(),
        };
        let mut logical: Vec<(usize, Vec<String>)> = Vec::new();
        let mut stack = Vec::new();
        cut_node(
            &mut root,
            &mut stack,
            None,
            limit,
            rules.min_files,
            &mut cut,
            &mut logical,
        );
        names::assign(&mut cut.modules, &logical);
        for (glob, module) in &globs {
            let i = cut.add_module(module.clone(), Some(module.clone()));
            cut.overrides.push((glob.clone(), i));
        }
        for path in overridden {
            if let Some(i) = cut.override_of(path) {
                cut.modules[i].files += 1;
            }
        }
        // modules without files go; nodes and overrides are re-pointed by id
        let old: Vec<String> = cut.modules.iter().map(|m| m.id.clone()).collect();
        cut.modules.retain(|m| m.files > 0 || m.id == ROOT);
        cut.by_id = cut
            .modules
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        let remap: Vec<usize> = old
            .iter()
            .map(|id| cut.by_id.get(id).copied().unwrap_or(0))
            .collect();
        repoint(&mut root, &remap);
        for (_, i) in &mut cut.overrides {
            *i = remap[*i];
        }
        cut.root = root;
        cut
    }

    /// Every module with files, largest first.
    pub fn modules(&self) -> Vec<&Module> {
        let mut v: Vec<&Module> = self.modules.iter().filter(|m| m.files > 0).collect();
        v.sort_by(|a, b| b.files.cmp(&a.files).then_with(|| a.id.cmp(&b.id)));
        v
    }

    /// The module a path belongs to (any path: a deleted file maps to the module of its
    /// nearest surviving directory, ultimately the root).
    pub fn module(&self, path: &str) -> &Module {
        if let Some(i) = self.override_of(path) {
            return &self.modules[i];
        }
        let placed = place(path);
        let mut node = &self.root;
        for d in &placed.dirs {
            match node.children.get(*d) {
                Some(n) => node = n,
                None => break,
            }
        }
        &self.modules[node.module]
    }

    /// A module by id.
    pub fn get(&self, id: &str) -> Option<&Module> {
        self.by_id.get(id).map(|&i| &self.modules[i])
    }

    /// The display name of a module id (the id itself when the cut does not know it).
    pub fn name_of<'a>(&'a self, id: &'a str) -> &'a str {
        self.get(id).map_or(id, |m| m.name.as_str())
    }

    fn override_of(&self, path: &str) -> Option<usize> {
        self.overrides
            .iter()
            .find(|(g, _)| g.is_match(path))
            .map(|(_, i)| *i)
    }

    fn add_module(&mut self, id: String, name: Option<String>) -> usize {
        if let Some(&i) = self.by_id.get(&id) {
            return i;
        }
        self.modules.push(Module {
            name: name.unwrap_or_default(),
            id: id.clone(),
            files: 0,
        });
        self.by_id.insert(id, self.modules.len() - 1);
        self.modules.len() - 1
    }
}

impl std::fmt::Debug for ModuleCut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleCut")
            .field("modules", &self.modules.len())
            .finish_non_exhaustive()
    }
}

impl ModuleMap for ModuleCut {
    fn module_of(&self, path: &str) -> String {
        self.module(path).id.clone()
    }

    fn is_member(&self, path: &str) -> bool {
        is_source_path(path) || self.override_of(path).is_some()
    }

    fn display_name(&self, id: &str) -> String {
        self.name_of(id).to_string()
    }
}

/// Overrides, longest glob first (the most specific wins). A glob that does not compile
/// matches nothing (config validation reports it).
fn compile(overrides: &[(String, String)]) -> Vec<(GlobMatcher, String)> {
    let mut v: Vec<&(String, String)> = overrides.iter().collect();
    v.sort_by_key(|(g, _)| std::cmp::Reverse(g.len()));
    v.into_iter()
        .filter_map(|(g, m)| Some((glob(g).ok()?, m.clone())))
        .collect()
}

/// A module override glob: `*` stays within a path component, `**` spans components.
pub fn glob(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()?
        .compile_matcher())
}

/// Files above which a directory is split: the share of the repository, capped.
fn split_limit(sources: usize, rules: &ModuleRules) -> usize {
    let by_share = (sources as f64 * rules.max_share).floor() as usize;
    by_share.min(rules.max_files).max(rules.min_files).max(1)
}

fn insert(root: &mut Node, path: &str, placed: &Placed<'_>) {
    let segs: Vec<&str> = path.split('/').collect();
    let mut node = root;
    node.total += 1;
    set_physical(node, placed.test, String::new());
    for (d, dir) in placed.dirs.iter().enumerate() {
        node = node.children.entry((*dir).to_string()).or_default();
        node.total += 1;
        let physical = segs[..placed.physical_len[d + 1]].join("/");
        set_physical(node, placed.test, physical);
    }
    node.own += 1;
}

fn set_physical(node: &mut Node, test: bool, physical: String) {
    match &node.physical {
        Some((false, _)) => {}
        Some((true, _)) if test => {}
        _ => node.physical = Some((test, physical)),
    }
}

fn find_mut<'n>(root: &'n mut Node, dir: &str) -> Option<&'n mut Node> {
    let mut node = root;
    if dir.is_empty() {
        return Some(node);
    }
    for d in dir.split('/') {
        node = node.children.get_mut(d)?;
    }
    Some(node)
}

/// Cuts `node` (at logical path `stack`), which starts a module when `parent` is `None`
/// and belongs to module `parent` otherwise.
fn cut_node(
    node: &mut Node,
    stack: &mut Vec<String>,
    parent: Option<usize>,
    limit: usize,
    min_files: usize,
    cut: &mut ModuleCut,
    logical: &mut Vec<(usize, Vec<String>)>,
) {
    let here = match parent {
        Some(p) => p,
        None => {
            let id = match &node.physical {
                Some((_, p)) if !p.is_empty() => p.clone(),
                _ => ROOT.to_string(),
            };
            let i = cut.add_module(id, None);
            if !logical.iter().any(|(j, _)| *j == i) {
                logical.push((i, stack.clone()));
            }
            i
        }
    };
    node.module = here;
    cut.modules[here].files += node.own;
    let split = parent.is_none() && node.total > limit;
    for (name, child) in node.children.iter_mut() {
        stack.push(name.clone());
        // a package manifest marks a unit the team made on purpose: a module, however small
        let own_module = child.manifest || (split && child.total >= min_files);
        if own_module {
            // a directory with nothing of its own and one child is a link of a chain
            // (`org/apache`): the module starts where the structure does
            chain_down(child, stack, here, limit, min_files, cut, logical);
        } else {
            cut_node(child, stack, Some(here), limit, min_files, cut, logical);
        }
        stack.pop();
    }
}

fn chain_down(
    node: &mut Node,
    stack: &mut Vec<String>,
    parent: usize,
    limit: usize,
    min_files: usize,
    cut: &mut ModuleCut,
    logical: &mut Vec<(usize, Vec<String>)>,
) {
    if node.own == 0 && node.children.len() == 1 && !node.manifest {
        node.module = parent;
        let (name, child) = node.children.iter_mut().next().expect("one child");
        stack.push(name.clone());
        chain_down(child, stack, parent, limit, min_files, cut, logical);
        stack.pop();
        return;
    }
    cut_node(node, stack, None, limit, min_files, cut, logical);
}

fn repoint(node: &mut Node, remap: &[usize]) {
    node.module = remap[node.module];
    for child in node.children.values_mut() {
        repoint(child, remap);
    }
}
