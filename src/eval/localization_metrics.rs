//! Localization metrics exactly as `datasets/README.md` defines them: Acc@k (any, all),
//! MRR@10, MAP@10 and module Acc@k over parent directories.

use serde::Serialize;
use std::collections::HashSet;

const KS: [usize; 3] = [1, 5, 10];

/// Sums over evaluated records; `summary()` divides.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    n: usize,
    any: [f64; 3],
    all: [f64; 3],
    mrr: f64,
    map: f64,
    module: [f64; 3],
    cut_module: [f64; 3],
    module_sizes: Vec<usize>,
}

/// Mean metrics of one method on one dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub records: usize,
    pub acc_at_1: f64,
    pub acc_at_5: f64,
    pub acc_at_10: f64,
    pub all_at_1: f64,
    pub all_at_5: f64,
    pub all_at_10: f64,
    pub mrr_at_10: f64,
    pub map_at_10: f64,
    pub module_acc_at_1: f64,
    pub module_acc_at_5: f64,
    pub module_acc_at_10: f64,
    /// Module Acc@k under TicketLens' own module cut (`modules::ModuleCut`): a gold module
    /// is the module of a gold file; ranked modules are the analysis' module ranking.
    pub cut_module_acc_at_1: f64,
    pub cut_module_acc_at_5: f64,
    pub cut_module_acc_at_10: f64,
    /// Median source files per module of the cut, over the evaluated commits.
    pub median_module_files: usize,
}

/// Parent directory as the README defines a module (`.` at the root).
pub fn dirname(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(d, _)| d)
}

fn dedup(v: &[String]) -> Vec<&str> {
    let mut seen = HashSet::new();
    v.iter()
        .map(String::as_str)
        .filter(|p| seen.insert(*p))
        .collect()
}

impl Tally {
    /// Adds one record: its gold set and the ranked paths (and modules, when the system
    /// ranks them itself; otherwise the parent directories of the paths are used).
    pub fn add(&mut self, gold: &HashSet<String>, ranked: &[String], modules: Option<&[String]>) {
        let r = dedup(ranked);
        self.n += 1;
        for (i, k) in KS.iter().enumerate() {
            let top: Vec<&str> = r.iter().take(*k).copied().collect();
            let hits = top.iter().filter(|p| gold.contains(**p)).count();
            self.any[i] += f64::from(u8::from(hits > 0));
            self.all[i] += f64::from(u8::from(hits == gold.len()));
        }
        if let Some(first) = r.iter().take(10).position(|p| gold.contains(*p)) {
            self.mrr += 1.0 / (first + 1) as f64;
        }
        let mut found = 0;
        let mut ap = 0.0;
        for (i, p) in r.iter().take(10).enumerate() {
            if gold.contains(*p) {
                found += 1;
                ap += found as f64 / (i + 1) as f64;
            }
        }
        self.map += ap / gold.len().min(10) as f64;
        let gold_modules: HashSet<&str> = gold.iter().map(|g| dirname(g)).collect();
        let ranked_modules: Vec<String> = match modules {
            Some(m) => m.to_vec(),
            None => r.iter().map(|p| dirname(p).to_string()).collect(),
        };
        let ranked_modules = dedup(&ranked_modules);
        for (i, k) in KS.iter().enumerate() {
            let hit = ranked_modules
                .iter()
                .take(*k)
                .any(|m| gold_modules.contains(m));
            self.module[i] += f64::from(u8::from(hit));
        }
    }

    /// Adds one record's module ranking under the cut, and the cut's module sizes.
    pub fn add_cut_modules(&mut self, gold: &HashSet<String>, ranked: &[String], sizes: &[usize]) {
        let r = dedup(ranked);
        for (i, k) in KS.iter().enumerate() {
            let hit = r.iter().take(*k).any(|m| gold.contains(*m));
            self.cut_module[i] += f64::from(u8::from(hit));
        }
        self.module_sizes.extend_from_slice(sizes);
    }

    pub fn summary(&self) -> Summary {
        let mut sizes = self.module_sizes.clone();
        sizes.sort_unstable();
        let n = self.n.max(1) as f64;
        let r = |x: f64| (x / n * 1000.0).round() / 1000.0;
        Summary {
            records: self.n,
            acc_at_1: r(self.any[0]),
            acc_at_5: r(self.any[1]),
            acc_at_10: r(self.any[2]),
            all_at_1: r(self.all[0]),
            all_at_5: r(self.all[1]),
            all_at_10: r(self.all[2]),
            mrr_at_10: r(self.mrr),
            map_at_10: r(self.map),
            module_acc_at_1: r(self.module[0]),
            module_acc_at_5: r(self.module[1]),
            module_acc_at_10: r(self.module[2]),
            cut_module_acc_at_1: r(self.cut_module[0]),
            cut_module_acc_at_5: r(self.cut_module[1]),
            cut_module_acc_at_10: r(self.cut_module[2]),
            median_module_files: sizes.get(sizes.len() / 2).copied().unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn metrics_follow_the_dataset_definitions() {
        let gold: HashSet<String> = s(&["a/x.java", "b/y.java"]).into_iter().collect();
        let mut t = Tally::default();
        t.add(
            &gold,
            &s(&[
                "c/z.java", "a/x.java", "a/x.java", "d/w.java", "e/v.java", "b/y.java",
            ]),
            None,
        );
        let m = t.summary();
        assert_eq!((m.acc_at_1, m.acc_at_5, m.acc_at_10), (0.0, 1.0, 1.0));
        assert_eq!((m.all_at_1, m.all_at_5, m.all_at_10), (0.0, 1.0, 1.0));
        assert_eq!(m.mrr_at_10, 0.5);
        // duplicates removed: b/y.java is 5th; AP = (1/2 + 2/5) / 2
        assert_eq!(m.map_at_10, 0.45);
        assert_eq!((m.module_acc_at_1, m.module_acc_at_5), (0.0, 1.0));
    }
}
