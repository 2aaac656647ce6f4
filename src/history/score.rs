//! The fragility score: 0–100 from percentile ranks of the evidence, a level, and reasons.
//!
//! The candidate evidence is what the literature finds predicts where the next defects
//! land: past fixes (Kim et al. 2007, Rahman et al. 2011; time-weighted after Lewis et al.
//! 2013), change activity (Graves et al. 2000's weighted time damp model: every past change
//! counts, decaying with age; here a fix counts twice and the half-life is half the
//! window), people (Bird et al. 2011) and size (the baseline every study controls for).
//! Each metric enters as its percentile rank among the repository's files (or modules), so
//! the score reads the same in a small and a huge repository.
//!
//! The weights were chosen, not guessed: `ticketlens eval fragility --weights … --weights …`
//! scored 20 candidate weightings on a fit set of repositories and dates (pytest-dev/pytest
//! and FasterXML/jackson-databind at 2021-01-01, 2022-06-01 and 2023-06-01; files and
//! modules) by the mean, over those twelve cases, of the top-10% share of the next 180 days'
//! real-fix touches minus the best baseline's share, with every count (fixes, changes, the
//! future fixes) made by the commit classifier; the best is shipped. Results are reported
//! on other repositories and dates (apache/tomcat and sympy/sympy at 2022-01-01 and
//! 2024-01-01), never on the fit set; the README gives the numbers.

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
    /// Changes weighted by recency, fixes twice (`EntityMetrics::decayed_changes`).
    pub decayed: f64,
    /// Each metric enters as ln(1+x) over the largest ln(1+x) (keeps magnitudes) instead
    /// of its percentile rank (keeps only order).
    pub log_scale: bool,
}

/// The shipped weights (see the module comment and the README for how they were chosen).
pub const WEIGHTS: Weights = Weights {
    fixes: 0.15,
    fixes_window: 0.0,
    commits: 0.0,
    commits_all: 0.15,
    authors: 0.0,
    churn: 0.0,
    size: 0.20,
    decayed: 0.50,
    log_scale: false,
};

impl std::fmt::Display for Weights {
    /// The form `parse` reads.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{},{},{},{},{},{},{},{},{}",
            self.fixes,
            self.fixes_window,
            self.commits,
            self.commits_all,
            self.authors,
            self.churn,
            self.size,
            self.decayed,
            u8::from(self.log_scale)
        )
    }
}

impl Weights {
    /// Parses `fixes,fixes_window,commits,commits_all,authors,churn,size,decayed`.
    pub fn parse(s: &str) -> Result<Weights, String> {
        let v: Vec<f64> = s
            .split(',')
            .map(|x| x.trim().parse::<f64>().map_err(|e| format!("`{x}`: {e}")))
            .collect::<Result<_, _>>()?;
        let (v, log_scale) = match v.len() {
            9 => (&v[..8], v[8] > 0.0),
            _ => (&v[..], false),
        };
        let [fixes, fixes_window, commits, commits_all, authors, churn, size, decayed] = v[..]
        else {
            return Err(
                "eight comma-separated weights (and a 0/1 for log scale) are needed".into(),
            );
        };
        Ok(Weights {
            fixes,
            fixes_window,
            commits,
            commits_all,
            authors,
            churn,
            size,
            decayed,
            log_scale,
        })
    }
}

/// Scores at or above these are `high` and `medium`.
pub const HIGH: f32 = 60.0;
pub const MEDIUM: f32 = 30.0;
/// What `high` needs in the window besides the score: fixes, changes, authors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strong {
    pub fixes: u32,
    pub commits: u32,
    pub authors: u32,
}

/// A file is strongly evidenced with 2 fixes, 5 changes and 2 people in the window.
pub const FILE_STRONG: Strong = Strong {
    fixes: 2,
    commits: 5,
    authors: 2,
};
/// A module (a few dozen files) needs 3 fixes, 10 changes and 2 people.
pub const MODULE_STRONG: Strong = Strong {
    fixes: 3,
    commits: 10,
    authors: 2,
};

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
        score(&m.files, m.window_days, w, FILE_STRONG),
        score(&m.modules, m.window_days, w, MODULE_STRONG),
    )
}

fn score(list: &[EntityMetrics], window_days: i64, w: &Weights, strong: Strong) -> Vec<Scored> {
    let ranks = |f: &dyn Fn(&EntityMetrics) -> f64| {
        let values: Vec<f64> = list.iter().map(f).collect();
        if w.log_scale {
            log_scaled(&values)
        } else {
            percentiles(&values)
        }
    };
    let fixes = ranks(&|e| e.all_time.bugfix_score);
    let fixes_window = ranks(&|e| e.window.bugfix_score);
    let decayed = ranks(&|e| e.decayed_changes);
    let commits = ranks(&|e| f64::from(e.window.commits));
    let commits_all = ranks(&|e| f64::from(e.all_time.commits));
    let authors = ranks(&|e| f64::from(e.window.authors));
    let churn = ranks(&|e| e.window.churn as f64);
    let size = ranks(&|e| e.size_lines as f64);
    let cutoff = high_cutoff(list, w, &|i| {
        w.fixes * fixes[i]
            + w.fixes_window * fixes_window[i]
            + w.commits * commits[i]
            + w.commits_all * commits_all[i]
            + w.authors * authors[i]
            + w.churn * churn[i]
            + w.size * size[i]
            + w.decayed * decayed[i]
    });
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
                + w.size
                + w.decayed;
            let raw = (w.fixes * fixes[i]
                + w.fixes_window * fixes_window[i]
                + w.commits * commits[i]
                + w.commits_all * commits_all[i]
                + w.authors * authors[i]
                + w.churn * churn[i]
                + w.size * size[i]
                + w.decayed * decayed[i])
                / total.max(1e-9);
            let score = ((raw * 1000.0).round() / 10.0) as f32;
            let level = match level(score, e, strong) {
                "high" if score < cutoff => "medium",
                l => l,
            };
            // the recency-weighted changes count fixes twice: that much of them is fixes
            let fix_part = if e.all_time.commits > 0 {
                2.0 * f64::from(e.all_time.fixes)
                    / (f64::from(e.all_time.commits) + f64::from(e.all_time.fixes))
            } else {
                0.0
            };
            let drivers = reasons::Drivers {
                fixes: w.fixes * fixes[i]
                    + w.fixes_window * fixes_window[i]
                    + w.decayed * decayed[i] * fix_part,
                activity: w.commits * commits[i]
                    + w.commits_all * commits_all[i]
                    + w.authors * authors[i]
                    + w.churn * churn[i]
                    + w.decayed * decayed[i] * (1.0 - fix_part),
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

/// At most this share of a repository's files or modules is "high" (ties aside): a level
/// everything reaches tells a PM nothing.
pub const HIGH_SHARE: f64 = 0.25;

/// The lowest score that can still be "high": the score at the `HIGH_SHARE` rank.
fn high_cutoff(list: &[EntityMetrics], w: &Weights, raw: &dyn Fn(usize) -> f64) -> f32 {
    let total = (w.fixes
        + w.fixes_window
        + w.commits
        + w.commits_all
        + w.authors
        + w.churn
        + w.size
        + w.decayed)
        .max(1e-9);
    let mut scores: Vec<f32> = (0..list.len())
        .map(|i| ((raw(i) / total * 1000.0).round() / 10.0) as f32)
        .collect();
    scores.sort_by(|a, b| b.total_cmp(a));
    let k = ((list.len() as f64 * HIGH_SHARE).floor() as usize).max(1);
    scores.get(k - 1).copied().unwrap_or(f32::MAX)
}

/// The level: rank alone never makes `high`. High needs a high score *and* strong evidence
/// in absolute terms in the window: recent fixes, many changes and more than one pair of
/// hands; medium needs a medium score and some change in the window.
pub fn level(score: f32, e: &EntityMetrics, s: Strong) -> &'static str {
    let w = &e.window;
    let strong = w.fixes >= s.fixes && w.commits >= s.commits && w.authors >= s.authors;
    if score >= HIGH && strong {
        "high"
    } else if score >= MEDIUM && w.commits > 0 {
        "medium"
    } else {
        "low"
    }
}

/// ln(1+x) over the largest ln(1+x), in [0, 1]; a zero value is 0.
pub fn log_scaled(values: &[f64]) -> Vec<f64> {
    let logs: Vec<f64> = values.iter().map(|v| v.max(0.0).ln_1p()).collect();
    let max = logs.iter().copied().fold(0.0, f64::max);
    logs.iter()
        .map(|l| if max > 0.0 { l / max } else { 0.0 })
        .collect()
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

    fn entity(commits: u32, fixes: u32, authors: u32) -> EntityMetrics {
        EntityMetrics {
            name: "m".into(),
            module: "m".into(),
            window: super::super::metrics::Stats {
                commits,
                fixes,
                authors,
                ..Default::default()
            },
            files: 1,
            ..EntityMetrics::default()
        }
    }

    #[test]
    fn high_needs_strong_evidence_in_absolute_terms_not_only_rank() {
        assert_eq!(level(90.0, &entity(12, 3, 4), MODULE_STRONG), "high");
        // changed once by one person: however it ranks, not high
        assert_eq!(level(84.8, &entity(1, 0, 1), MODULE_STRONG), "medium");
        assert_eq!(level(90.0, &entity(12, 3, 1), MODULE_STRONG), "medium");
        assert_eq!(level(90.0, &entity(5, 2, 2), FILE_STRONG), "high");
        // quiet in the window: low
        assert_eq!(level(70.0, &entity(0, 0, 0), FILE_STRONG), "low");
        assert_eq!(level(20.0, &entity(9, 9, 9), FILE_STRONG), "low");
    }

    #[test]
    fn percentiles_rank_zero_as_no_evidence_and_ties_alike() {
        assert_eq!(
            percentiles(&[0.0, 1.0, 1.0, 4.0]),
            vec![0.0, 0.5, 0.5, 0.875]
        );
    }
}
