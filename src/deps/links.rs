//! File-level links: which files each file imports or is imported by, each link weighted
//! by how directly the import names it (an import that resolves to `k` files gives each
//! `1/k`: a wildcard or a Go package spreads, a class import does not). What the ranking
//! reads as structural neighbours.

use super::resolve::Resolved;
use super::tree::Outcome;
use std::collections::HashMap;

/// Every file's structural neighbours, in both directions.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FileLinks {
    /// Path → (neighbour path, weight), strongest first; no file is its own neighbour.
    by_file: HashMap<String, Vec<(String, f32)>>,
}

impl FileLinks {
    /// The links of resolved imports.
    pub(super) fn of(r: &Resolved) -> FileLinks {
        let mut weights: HashMap<(u32, u32), f32> = HashMap::new();
        for (from, _, outcomes) in &r.files {
            for o in outcomes {
                let Outcome::Internal(targets) = o else {
                    continue;
                };
                let w = 1.0 / targets.len() as f32;
                for &t in targets.iter().filter(|&&t| t != *from) {
                    *weights.entry((*from, t)).or_default() += w;
                    *weights.entry((t, *from)).or_default() += w;
                }
            }
        }
        let mut by_file: HashMap<String, Vec<(String, f32)>> = HashMap::new();
        for ((a, b), w) in weights {
            by_file
                .entry(r.tree.path(a).to_string())
                .or_default()
                .push((r.tree.path(b).to_string(), w));
        }
        for list in by_file.values_mut() {
            list.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        }
        FileLinks { by_file }
    }

    /// The files `path` imports or is imported by, strongest first.
    pub fn of_file(&self, path: &str) -> &[(String, f32)] {
        self.by_file.get(path).map_or(&[], Vec::as_slice)
    }

    /// Files with at least one link.
    pub fn len(&self) -> usize {
        self.by_file.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_file.is_empty()
    }
}
