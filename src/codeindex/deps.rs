//! The dependency graph kept beside the code index: each refresh reads the imports of only
//! the files whose blob changed (the rest come from the cache of the previous refresh),
//! resolves all of them against the new tree and cuts the graph with the snapshot's
//! module cut. The graph goes into the refresh report for the store.

use super::build::{ignore_patterns, wanted};
use super::extract::is_source_content;
use super::gitsrc::{GitRepo, TreeFile};
use super::glob::Patterns;
use crate::deps::{self, Facts, FileLinks};
use crate::domain::DependencyGraph;
use crate::modules::{ModuleCut, ModuleRules};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

/// What a graph build read and took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DepsStats {
    /// Files whose imports were read (changed since the last build, or all of them).
    pub read: usize,
    /// Files whose imports came from the previous build.
    pub reused: usize,
    pub ms: u64,
}

/// The imports read at the last build, by path, with the blob they were read from.
#[derive(Default)]
pub struct DepsCache {
    /// `None` for a file the index skips (generated, minified, binary): not read again.
    files: HashMap<String, (git2::Oid, Option<Facts>)>,
    configs: HashMap<String, (git2::Oid, String)>,
}

impl DepsCache {
    /// The graph of `tree` at `commit`, re-reading only changed files. Blocking.
    pub fn update(
        &mut self,
        git: &GitRepo,
        tree: &[TreeFile],
        ignores: &Patterns,
        cut: &ModuleCut,
        commit: &str,
    ) -> anyhow::Result<(DependencyGraph, DepsStats)> {
        let started = Instant::now();
        let mut stats = self.refresh(git, tree, ignores)?;
        let texts = self.config_texts();
        let graph = deps::graph(
            commit,
            tree.iter().map(|f| f.path.clone()).collect(),
            self.facts(),
            &texts,
            cut,
        );
        stats.ms = started.elapsed().as_millis() as u64;
        Ok((graph, stats))
    }

    /// The file-level links of `tree` (the ranking's structural neighbours), re-reading only
    /// changed files. Blocking.
    pub fn links(
        &mut self,
        git: &GitRepo,
        tree: &[TreeFile],
        ignores: &Patterns,
    ) -> anyhow::Result<FileLinks> {
        self.refresh(git, tree, ignores)?;
        let texts = self.config_texts();
        Ok(deps::links(
            tree.iter().map(|f| f.path.clone()).collect(),
            self.facts(),
            &texts,
        ))
    }

    /// Reads the imports of the files of `tree` whose blob changed since the last call and
    /// keeps the rest; forgets files no longer in the tree.
    fn refresh(
        &mut self,
        git: &GitRepo,
        tree: &[TreeFile],
        ignores: &Patterns,
    ) -> anyhow::Result<DepsStats> {
        let mut stats = DepsStats::default();
        let mut files = HashMap::new();
        let mut configs = HashMap::new();
        for f in tree {
            if deps::is_config(&f.path) {
                let cached = self.configs.remove(&f.path).filter(|(b, _)| *b == f.blob);
                let entry = match cached {
                    Some(c) => c,
                    None => match git.read_blob_if_present(f.blob)? {
                        Some(b) => (f.blob, String::from_utf8_lossy(&b).into_owned()),
                        None => continue,
                    },
                };
                configs.insert(f.path.clone(), entry);
            }
            if deps::Lang::of(&f.path).is_none() || !wanted(&f.path, ignores) {
                continue;
            }
            if let Some(c) = self.files.remove(&f.path).filter(|(b, _)| *b == f.blob) {
                stats.reused += 1;
                files.insert(f.path.clone(), c);
                continue;
            }
            // the files the code index holds: no generated, minified or binary ones
            let Some(bytes) = git.read_blob_if_present(f.blob)? else {
                continue;
            };
            stats.read += 1;
            let facts = is_source_content(&bytes)
                .then(|| deps::read(&f.path, &String::from_utf8_lossy(&bytes)))
                .flatten();
            files.insert(f.path.clone(), (f.blob, facts));
        }
        self.files = files;
        self.configs = configs;
        Ok(stats)
    }

    fn config_texts(&self) -> HashMap<String, String> {
        self.configs
            .iter()
            .map(|(p, (_, t))| (p.clone(), t.clone()))
            .collect()
    }

    fn facts(&self) -> impl Iterator<Item = (&str, &Facts)> + '_ {
        self.files
            .iter()
            .filter_map(|(p, (_, f))| Some((p.as_str(), f.as_ref()?)))
    }
}

/// A graph built straight from a clone (`ticketlens deps --path`): at `at`, and, when
/// `since` is given, first at `since` so the second build is the incremental one.
#[derive(Debug, serde::Serialize)]
pub struct CloneDeps {
    pub graph: DependencyGraph,
    /// The build at `since` (a full one), when asked.
    pub first: Option<DepsStats>,
    /// The build at `at` (incremental after `since`).
    pub last: DepsStats,
}

/// Builds the dependency graph of the clone at `path`, as `CloneDeps` says. Blocking.
pub fn dependencies_of_clone(
    path: &Path,
    since: Option<&str>,
    at: &str,
    rules: &ModuleRules,
) -> anyhow::Result<CloneDeps> {
    let git = GitRepo::open(path)?;
    let mut cache = DepsCache::default();
    let mut build = |rev: &str| -> anyhow::Result<(DependencyGraph, DepsStats)> {
        let commit = git.resolve(rev)?;
        let tree = git.tree_files(commit)?;
        let ignores = ignore_patterns(&tree, &git);
        let cut = ModuleCut::build(tree.iter().map(|f| f.path.as_str()), rules);
        cache.update(&git, &tree, &ignores, &cut, &commit.to_string())
    };
    let first = since.map(&mut build).transpose()?.map(|(_, s)| s);
    let (graph, last) = build(at)?;
    Ok(CloneDeps { graph, first, last })
}
