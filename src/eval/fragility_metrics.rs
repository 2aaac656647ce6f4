//! The fragility evaluation: scores computed from history up to a date, checked against
//! where the real fixes (the classifier's bug fixes and reverts, no sweeps, no bots) of the
//! following horizon landed, next to the baselines; and the lift of the "high" level: the
//! share of high modules with a real fix in the next 90 days beside the share of all.

use crate::domain::{ChangeKind, MinedCommit};
use crate::history::{
    compute, score_with, Classifier, EntityMetrics, ModuleMap, Params, Scored, Weights,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

const DAY_MS: i64 = 86_400_000;

/// Shares of the future bug-fix file-touches that fall in the top of a ranking.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Shares {
    pub ranking: String,
    pub top10: f64,
    pub top20: f64,
}

/// One level (files or modules) of the evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct LevelReport {
    /// Files or modules that existed at the date and were ranked.
    pub ranked: usize,
    pub rankings: Vec<Shares>,
    /// How many were "high", "medium" and "low".
    pub levels: Levels,
    /// Share of the "high" ones with a real fix in the next `LIFT_DAYS` days, beside the
    /// share of all of them.
    pub high_fixed: f64,
    pub all_fixed: f64,
    /// `high_fixed / all_fixed`.
    pub lift: f64,
}

/// Counts per level.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Levels {
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

/// The lift of "high" is measured over this many days after the date.
pub const LIFT_DAYS: i64 = 90;

/// The whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub at_ms: i64,
    /// The weights scored (`--weights` form).
    pub weights: String,
    pub horizon_days: i64,
    pub commits_before: usize,
    pub fix_commits_after: usize,
    /// (fix commit, file) pairs in the horizon; touches of files born later count as misses.
    pub touches: usize,
    pub files: LevelReport,
    pub modules: LevelReport,
}

/// Evaluates fragility at `p.now_ms` against the fixes of the next `horizon_days`, for
/// each weighting, from one computation of the metrics (fitting).
pub fn evaluate_all(
    commits: &[MinedCommit],
    map: &dyn ModuleMap,
    classifier: &Classifier,
    p: &Params,
    horizon_days: i64,
    weightings: &[Weights],
) -> Vec<EvalReport> {
    let at = p.now_ms;
    let metrics = compute(commits, map, classifier, p);
    let mut future: Vec<&MinedCommit> = commits
        .iter()
        .filter(|c| !c.is_merge && c.time_ms > at && c.time_ms <= at + horizon_days * DAY_MS)
        .collect();
    future.sort_by_key(|c| c.seq);
    // Oldest first: a later name maps back to the name the file had at the date.
    let mut back: HashMap<String, String> = HashMap::new();
    let mut touches: Vec<String> = Vec::new();
    // touches within the lift period
    let mut soon: Vec<String> = Vec::new();
    let mut fix_commits = 0;
    for c in future {
        let class = classifier.classify_mined(c);
        let fix = class.counts_as_fix() && c.files.len() <= p.mass_change_files;
        fix_commits += usize::from(fix);
        for f in &c.files {
            if let (ChangeKind::Renamed, Some(old)) = (f.kind, &f.old_path) {
                let origin = back.get(old).cloned().unwrap_or_else(|| old.clone());
                back.insert(f.path.clone(), origin);
            }
            if fix {
                let path = back.get(&f.path).cloned().unwrap_or_else(|| f.path.clone());
                // only files the modules hold (source code) are ranked, so only they count
                if map.is_member(&path) {
                    if c.time_ms <= at + LIFT_DAYS * DAY_MS {
                        soon.push(path.clone());
                    }
                    touches.push(path);
                }
            }
        }
    }
    let file_of = |t: &String| t.clone();
    let module_of = |t: &String| map.module_of(t);
    let commits_before = commits.iter().filter(|c| c.time_ms <= at).count();
    weightings
        .iter()
        .map(|w| {
            let (files, modules) = score_with(&metrics, w);
            EvalReport {
                at_ms: at,
                weights: w.to_string(),
                horizon_days,
                commits_before,
                fix_commits_after: fix_commits,
                touches: touches.len(),
                files: level(&files, &touches, &soon, &file_of),
                modules: level(&modules, &touches, &soon, &module_of),
            }
        })
        .collect()
}

fn level(
    scored: &[Scored],
    touches: &[String],
    soon: &[String],
    key: &dyn Fn(&String) -> String,
) -> LevelReport {
    let keys: Vec<String> = touches.iter().map(key).collect();
    let fixed: HashSet<String> = soon.iter().map(key).collect();
    let rank = |name: &str, f: &dyn Fn(&Scored) -> f64| {
        let mut order: Vec<&Scored> = scored.iter().collect();
        order.sort_by(|a, b| {
            f(b).total_cmp(&f(a))
                .then_with(|| a.metrics.name.cmp(&b.metrics.name))
        });
        let names: Vec<&str> = order.iter().map(|s| s.metrics.name.as_str()).collect();
        Shares {
            ranking: name.to_string(),
            top10: share(&names, &keys, 0.10),
            top20: share(&names, &keys, 0.20),
        }
    };
    let m = |f: fn(&EntityMetrics) -> f64| move |s: &Scored| f(&s.metrics);
    let mut levels = Levels::default();
    let (mut high, mut high_fixed, mut all_fixed) = (0usize, 0usize, 0usize);
    for s in scored {
        let is_fixed = fixed.contains(&s.metrics.name);
        all_fixed += usize::from(is_fixed);
        match s.fragility.level.as_str() {
            "high" => {
                levels.high += 1;
                high += 1;
                high_fixed += usize::from(is_fixed);
            }
            "medium" => levels.medium += 1,
            _ => levels.low += 1,
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let (hf, af) = (ratio(high_fixed, high), ratio(all_fixed, scored.len()));
    LevelReport {
        ranked: scored.len(),
        rankings: vec![
            rank("fragility", &|s| f64::from(s.fragility.score)),
            rank("size", &m(|e| e.size_lines as f64)),
            rank("commits (all time)", &m(|e| f64::from(e.all_time.commits))),
            rank("commits (window)", &m(|e| f64::from(e.window.commits))),
            rank("fixes (window)", &m(|e| f64::from(e.window.fixes))),
        ],
        levels,
        high_fixed: hf,
        all_fixed: af,
        lift: if af > 0.0 { hf / af } else { 0.0 },
    }
}

/// Share of `touches` whose key is among the first `top` fraction of `ranked`.
fn share(ranked: &[&str], touches: &[String], top: f64) -> f64 {
    if touches.is_empty() {
        return 0.0;
    }
    let k = ((ranked.len() as f64) * top).ceil() as usize;
    let set: HashSet<&str> = ranked.iter().take(k).copied().collect();
    let hits = touches.iter().filter(|t| set.contains(t.as_str())).count();
    hits as f64 / touches.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_counts_touches_in_the_top_fraction() {
        let ranked = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
        let touches: Vec<String> = ["a", "a", "b", "z"].iter().map(|s| s.to_string()).collect();
        assert_eq!(share(&ranked, &touches, 0.10), 0.5);
        assert_eq!(share(&ranked, &touches, 0.20), 0.75);
    }
}
