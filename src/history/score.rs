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

/// Past fixes, time-weighted (all time: old fixes fade by the sigmoid).
const W_FIXES: f64 = 0.35;
/// Commits in the window.
const W_COMMITS: f64 = 0.15;
/// Commits over all time.
const W_COMMITS_ALL: f64 = 0.10;
/// Distinct authors in the window.
const W_AUTHORS: f64 = 0.15;
/// Lines churned in the window.
const W_CHURN: f64 = 0.10;
/// Lines now.
const W_SIZE: f64 = 0.15;

/// Scores at or above these are `high` and `medium`.
pub const HIGH: f32 = 60.0;
pub const MEDIUM: f32 = 30.0;

/// An entity with its fragility.
#[derive(Debug, Clone)]
pub struct Scored {
    pub metrics: EntityMetrics,
    pub fragility: Fragility,
}

/// Scores every file and module; each list comes back most fragile first.
pub fn score_all(m: &HistoryMetrics) -> (Vec<Scored>, Vec<Scored>) {
    (
        score(&m.files, m.window_days),
        score(&m.modules, m.window_days),
    )
}

fn score(list: &[EntityMetrics], window_days: i64) -> Vec<Scored> {
    let ranks =
        |f: &dyn Fn(&EntityMetrics) -> f64| percentiles(&list.iter().map(f).collect::<Vec<_>>());
    let fixes = ranks(&|e| e.all_time.bugfix_score);
    let commits = ranks(&|e| f64::from(e.window.commits));
    let commits_all = ranks(&|e| f64::from(e.all_time.commits));
    let authors = ranks(&|e| f64::from(e.window.authors));
    let churn = ranks(&|e| e.window.churn as f64);
    let size = ranks(&|e| e.size_lines as f64);
    let mut out: Vec<Scored> = list
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let raw = W_FIXES * fixes[i]
                + W_COMMITS * commits[i]
                + W_COMMITS_ALL * commits_all[i]
                + W_AUTHORS * authors[i]
                + W_CHURN * churn[i]
                + W_SIZE * size[i];
            let score = ((raw * 1000.0).round() / 10.0) as f32;
            let level = if score >= HIGH {
                "high"
            } else if score >= MEDIUM {
                "medium"
            } else {
                "low"
            };
            let drivers = reasons::Drivers {
                fixes: W_FIXES * fixes[i],
                activity: W_COMMITS * commits[i]
                    + W_COMMITS_ALL * commits_all[i]
                    + W_AUTHORS * authors[i]
                    + W_CHURN * churn[i],
                size: W_SIZE * size[i],
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
