//! One repository at one commit: its indexed files, their modules and owners, and the
//! lookups that resolve paths, frames and names written in a ticket to files.

use super::codeowners::CodeOwners;
use super::tokens::compound;
use crate::modules::ModuleCut;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// An indexed file of the snapshot.
#[derive(Debug, Clone)]
pub struct SnapFile {
    pub path: String,
    pub key: u64,
    pub module: String,
    pub n_terms: u32,
    /// The first of the docs beside it whose words its document holds (`nearbydocs`).
    pub doc: Option<String>,
}

/// The files of a repository at a commit.
#[derive(Debug)]
pub struct Snapshot {
    pub repository: String,
    pub commit: String,
    /// Committer time of the commit (history "now").
    pub time: i64,
    pub files: Vec<SnapFile>,
    by_key: HashMap<u64, u32>,
    by_path: HashMap<String, u32>,
    /// Lowercase compound file stem → files (`BcelShadow.java` → `bcelshadow`).
    by_stem: HashMap<String, Vec<u32>>,
    owners: HashMap<String, Vec<String>>,
    /// The module cut of this tree.
    pub cut: Arc<ModuleCut>,
    /// Keys searches may return; `None` when the index holds exactly this snapshot.
    pub allowed: Option<Arc<HashSet<u64>>>,
    /// Mean and deviation of ln(length) over the files.
    len_stats: (f32, f32),
    /// What each file imports and is imported by, when the ranking reads structural
    /// neighbours (`Params::neighbours`); `None` otherwise.
    pub links: Option<Arc<crate::deps::FileLinks>>,
}

impl Snapshot {
    pub fn new(
        repository: &str,
        commit: String,
        time: i64,
        files: Vec<SnapFile>,
        cut: ModuleCut,
        codeowners: &CodeOwners,
        restrict: bool,
    ) -> Snapshot {
        let mut by_key = HashMap::with_capacity(files.len());
        let mut by_path = HashMap::with_capacity(files.len());
        let mut by_stem: HashMap<String, Vec<u32>> = HashMap::new();
        let mut owner_counts: HashMap<String, HashMap<String, usize>> = HashMap::new();
        for (i, f) in files.iter().enumerate() {
            by_key.insert(f.key, i as u32);
            by_path.insert(f.path.clone(), i as u32);
            by_stem.entry(stem_key(&f.path)).or_default().push(i as u32);
            if !codeowners.is_empty() {
                let counts = owner_counts.entry(f.module.clone()).or_default();
                for o in codeowners.owners_of(&f.path) {
                    *counts.entry(o.clone()).or_default() += 1;
                }
            }
        }
        let owners = owner_counts
            .into_iter()
            .map(|(m, c)| {
                let mut v: Vec<(String, usize)> = c.into_iter().collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                (m, v.into_iter().map(|x| x.0).collect())
            })
            .collect();
        let lens: Vec<f32> = files
            .iter()
            .map(|f| (f.n_terms as f32 + 1.0).ln())
            .collect();
        let n = lens.len().max(1) as f32;
        let mean = lens.iter().sum::<f32>() / n;
        let var = lens.iter().map(|l| (l - mean).powi(2)).sum::<f32>() / n;
        let allowed = restrict.then(|| Arc::new(files.iter().map(|f| f.key).collect()));
        Snapshot {
            repository: repository.to_string(),
            commit,
            time,
            files,
            by_key,
            by_path,
            by_stem,
            owners,
            cut: Arc::new(cut),
            allowed,
            len_stats: (mean, var.sqrt().max(1e-3)),
            links: None,
        }
    }

    pub fn by_key(&self, key: u64) -> Option<&SnapFile> {
        self.by_key.get(&key).map(|&i| &self.files[i as usize])
    }

    pub fn by_path(&self, path: &str) -> Option<&SnapFile> {
        self.by_path.get(path).map(|&i| &self.files[i as usize])
    }

    pub fn owners(&self, module: &str) -> Vec<String> {
        self.owners.get(module).cloned().unwrap_or_default()
    }

    /// Files whose path ends with `suffix` at a component boundary (the longest known tail
    /// of a path written in a ticket or a frame). Trims leading components of the suffix
    /// until something matches, keeping at least the file name and one directory when the
    /// suffix had one.
    pub fn resolve_suffix(&self, suffix: &str) -> Vec<&SnapFile> {
        let comps: Vec<&str> = suffix.split('/').collect();
        let min = comps.len().min(2);
        for skip in 0..=comps.len() - min {
            let tail = comps[skip..].join("/");
            let found = self.with_tail(&tail, ends_at_boundary);
            if !found.is_empty() {
                return found;
            }
        }
        Vec::new()
    }

    /// Files whose path without extension ends with `stem_path` (`requests/sessions`).
    pub fn resolve_stem_path(&self, stem_path: &str) -> Vec<&SnapFile> {
        self.with_tail(stem_path, |p, t| {
            p.rsplit_once('.')
                .is_some_and(|(s, _)| ends_at_boundary(s, t))
        })
    }

    fn with_tail(&self, tail: &str, test: impl Fn(&str, &str) -> bool) -> Vec<&SnapFile> {
        let name = tail.rsplit('/').next().unwrap_or(tail);
        let Some(ids) = self.by_stem.get(&stem_key(name)) else {
            return Vec::new();
        };
        ids.iter()
            .map(|&i| &self.files[i as usize])
            .filter(|f| test(&f.path, tail))
            .collect()
    }

    /// Files named like an identifier (`BcelShadow` → `BcelShadow.java`).
    pub fn named(&self, identifier: &str) -> Vec<&SnapFile> {
        self.by_stem
            .get(&compound(identifier))
            .map(|ids| ids.iter().map(|&i| &self.files[i as usize]).collect())
            .unwrap_or_default()
    }

    /// Logistic of the file's standardized log length (BugLocator's rVSM length factor).
    pub fn length_factor(&self, f: &SnapFile) -> f32 {
        let z = ((f.n_terms as f32 + 1.0).ln() - self.len_stats.0) / self.len_stats.1;
        1.0 / (1.0 + (-z).exp())
    }
}

fn stem_key(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    compound(name.split('.').next().unwrap_or(name))
}

fn ends_at_boundary(hay: &str, tail: &str) -> bool {
    hay.ends_with(tail)
        && (hay.len() == tail.len() || hay.as_bytes()[hay.len() - tail.len() - 1] == b'/')
}
