//! The fragility score: 0–100 from percentile ranks of the evidence, a level, and reasons.
//!
//! The weights are set on principle, not fitted to a repository. Four families of evidence
//! predict where the next defects land, in this order of strength in the literature: past
//! fixes (Kim et al. 2007, Rahman et al. 2011; here time-weighted after Lewis et al. 2013),
//! change activity (Graves et al. 2000: past changes, recent ones weighted more — here the
//! window's and all time's commit counts; Nagappan & Ball 2005: churn), people (Bird et al. 2011:
//! many authors, weak ownership) and size (the baseline every study controls for). Each
//! metric enters as its percentile rank among the repository's files (or modules), so the
//! score reads the same in a small and a huge repository.

use super::metrics::{EntityMetrics, HistoryMetrics};
use super::reasons;
use crate::domain::Fragility;

/// How much each piece of evidence weighs (each enters as a percentile rank, 0–1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Past fixes, time-weighted over all time (old fixes fade by the sigmoid).
    pub fixes: f64,
    /// Fixes in the window, time-weighted.
    pub fixes_window: f64,
    /// Commits in the window.
    pub commits: f64,
    /// Commits over all time.
    pub commits_all: f64,
    /// Distinct authors in the window.
    pub authors: f64,
    /// Lines churned in the window.
    pub churn: f64,
    /// Lines now.
    pub size: f64,
}

/// The shipped weights (see the module comment and the README for how they were chosen).
pub const WEIGHTS: Weights = Weights {
    fixes: 0.35,
    fixes_window: 0.0,
    commits: 0.15,
    commits_all: 0.10,
    authors: 0.15,
    churn: 0.10,
    size: 0.15,
};

impl Weights {
    /// Parses `fixes,fixes_window,commits,commits_all,authors,churn,size`.
    pub fn parse(s: &str) -> Result<Weights, String> {
        let v: Vec<f64> = s
            .split(',')
            .map(|x| x.trim().parse::<f64>().map_err(|e| format!("`{x}`: {e}")))
            .collect::<Result<_, _>>()?;
        let [fixes, fixes_window, commits, commits_all, authors, churn, size] = v[..] else {
            return Err("seven comma-separated weights are needed".into());
        };
        Ok(Weights {
            fixes,
            fixes_window,
            commits,
            commits_all,
            authors,
            churn,
            size,
        })
    }
}

/// Scores at or above these are `high` and `medium`.
pub const HIGH: f32 = 60.0;
pub const MEDIUM: f32 = 30.0;
/// `high` also needs at least this many fixes and commits in the window.
pub const HIGH_MIN_FIXES: u32 = 2;
pub const HIGH_MIN_COMMITS: u32 = 5;

/// An entity with its fragility.
#[derive(Debug, Clone)]
pub struct Scored {
    pub metrics: EntityMetrics,
    pub fragility: Fragility,
}

/// Scores every file and module; each list comes back most fragile first.
pub fn score_all(m: &HistoryMetrics) -> (Vec<Scored>, Vec<Scored>) {
    score_with(m, &WEIGHTS)
}

/// `score_all` with other weights (the evaluation compares them).
pub fn score_with(m: &HistoryMetrics, w: &Weights) -> (Vec<Scored>, Vec<Scored>) {
    (
        score(&m.files, m.window_days, w),
        score(&m.modules, m.window_days, w),
    )
}

fn score(list: &[EntityMetrics], window_days: i64, w: &Weights) -> Vec<Scored> {
    let ranks =
        |f: &dyn Fn(&EntityMetrics) -> f64| percentiles(&list.iter().map(f).collect::<Vec<_>>());
    let fixes = ranks(&|e| e.all_time.bugfix_score);
    let fixes_window = ranks(&|e| e.window.bugfix_score);
    let commits = ranks(&|e| f64::from(e.window.commits));
    let commits_all = ranks(&|e| f64::from(e.all_time.commits));
    let authors = ranks(&|e| f64::from(e.window.authors));
    let churn = ranks(&|e| e.window.churn as f64);
    let size = ranks(&|e| e.size_lines as f64);
    let mut out: Vec<Scored> = list
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let total = w.fixes
                + w.fixes_window
                + w.commits
                + w.commits_all
                + w.authors
                + w.churn
                + w.size;
            let raw = (w.fixes * fixes[i]
                + w.fixes_window * fixes_window[i]
                + w.commits * commits[i]
                + w.commits_all * commits_all[i]
                + w.authors * authors[i]
                + w.churn * churn[i]
                + w.size * size[i])
                / total.max(1e-9);
            let score = ((raw * 1000.0).round() / 10.0) as f32;
            let level = level(score, e);
            let drivers = reasons::Drivers {
                fixes: w.fixes * fixes[i] + w.fixes_window * fixes_window[i],
                activity: w.commits * commits[i]
                    + w.commits_all * commits_all[i]
                    + w.authors * authors[i]
                    + w.churn * churn[i],
                size: w.size * size[i],
            };
            Scored {
                fragility: Fragility {
                    score,
                    level: level.to_string(),
                    reasons: reasons::explain(e, &drivers, window_days),
                    coupled_with: e.coupled.iter().map(|c| c.module.clone()).collect(),
                },
                metrics: e.clone(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.fragility
            .score
            .total_cmp(&a.fragility.score)
            .then_with(|| a.metrics.name.cmp(&b.metrics.name))
    });
    out
}

/// The level: rank alone never makes `high`. High needs a high score *and* strong evidence
/// in absolute terms in the window: recent fixes, many changes and more than one pair of
/// hands; medium needs a medium score and some change in the window.
pub fn level(score: f32, e: &EntityMetrics) -> &'static str {
    let w = &e.window;
    let strong = w.fixes >= HIGH_MIN_FIXES && w.commits >= HIGH_MIN_COMMITS && w.authors >= 2;
    if score >= HIGH && strong {
        "high"
    } else if score >= MEDIUM && w.commits > 0 {
        "medium"
    } else {
        "low"
    }
}

/// Mid-rank percentiles in [0, 1]; a zero value ranks 0 (no evidence is no risk).
pub fn percentiles(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    values
        .iter()
        .map(|&v| {
            if v <= 0.0 {
                return 0.0;
            }
            let below = sorted.partition_point(|x| *x < v) as f64;
            let upto = sorted.partition_point(|x| *x <= v) as f64;
            (below + upto) / 2.0 / n
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_rank_zero_as_no_evidence_and_ties_alike() {
        assert_eq!(
            percentiles(&[0.0, 1.0, 1.0, 4.0]),
            vec![0.0, 0.5, 0.5, 0.875]
        );
    }
}
