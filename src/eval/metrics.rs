//! Ranking metrics: recall rate at k and mean reciprocal rank.

use serde::Serialize;

/// The cut-offs recall rate is reported at.
pub const CUTOFFS: [usize; 4] = [1, 5, 10, 20];

/// Recall rate at 1/5/10/20 and MRR (reciprocal rank of the first target within the top 20).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RankMetrics {
    pub evaluated: usize,
    pub skipped: usize,
    pub rr_at_1: f64,
    pub rr_at_5: f64,
    pub rr_at_10: f64,
    pub rr_at_20: f64,
    pub mrr: f64,
}

impl RankMetrics {
    /// Builds the metrics from the 1-based rank of each query's first target (`None`: not in
    /// the top 20).
    pub fn from_ranks(ranks: &[Option<usize>], skipped: usize) -> RankMetrics {
        let n = ranks.len().max(1) as f64;
        let at = |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count() as f64 / n;
        let mrr = ranks
            .iter()
            .map(|r| match r {
                Some(r) if *r <= 20 => 1.0 / *r as f64,
                _ => 0.0,
            })
            .sum::<f64>()
            / n;
        RankMetrics {
            evaluated: ranks.len(),
            skipped,
            rr_at_1: at(CUTOFFS[0]),
            rr_at_5: at(CUTOFFS[1]),
            rr_at_10: at(CUTOFFS[2]),
            rr_at_20: at(CUTOFFS[3]),
            mrr,
        }
    }

    /// One aligned line for the terminal report.
    pub fn line(&self, name: &str) -> String {
        format!(
            "{name:<34} RR@1 {:.3}  RR@5 {:.3}  RR@10 {:.3}  RR@20 {:.3}  MRR {:.3}  (n={}, skipped {})",
            self.rr_at_1, self.rr_at_5, self.rr_at_10, self.rr_at_20, self.mrr, self.evaluated, self.skipped
        )
    }
}

/// The 1-based rank of the first of `ids` that is a target.
pub fn first_rank<'a>(ids: impl IntoIterator<Item = &'a str>, targets: &[String]) -> Option<usize> {
    ids.into_iter()
        .take(20)
        .position(|id| targets.iter().any(|t| t == id))
        .map(|p| p + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recall_rates_and_mrr_follow_the_ranks() {
        let m = RankMetrics::from_ranks(&[Some(1), Some(3), Some(12), None], 0);
        assert_eq!(m.rr_at_1, 0.25);
        assert_eq!(m.rr_at_5, 0.5);
        assert_eq!(m.rr_at_10, 0.5);
        assert_eq!(m.rr_at_20, 0.75);
        assert!((m.mrr - (1.0 + 1.0 / 3.0 + 1.0 / 12.0) / 4.0).abs() < 1e-9);
    }

    #[test]
    fn the_first_target_counts() {
        let t = vec!["b".to_string(), "c".to_string()];
        assert_eq!(first_rank(["a", "c", "b"], &t), Some(2));
        assert_eq!(first_rank(["a"], &t), None);
    }
}
