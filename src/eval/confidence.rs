//! How well the stated confidence holds: per level, how many records and how often the
//! first module was right (the reliability table), the brief comment's length, and the
//! logistic fit that produced `enrich::confidence::COEFFICIENTS`.

use crate::domain::{ConfidenceLevel, Enrichment};
use crate::enrich::confidence::{self, FEATURES};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One evaluated record as `eval localization --dump` writes it: enough to recompute the
/// features, the confidence and the comment without running the analysis again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DumpRecord {
    pub id: String,
    pub repo: String,
    /// Modules (under the cut) of the gold files.
    pub gold_modules: Vec<String>,
    /// The analysis with precedents, as production runs it.
    pub enrichment: Enrichment,
}

impl DumpRecord {
    /// Whether the first module shown is one the work touched.
    pub fn first_right(&self) -> bool {
        self.enrichment
            .modules
            .first()
            .is_some_and(|m| self.gold_modules.contains(&m.module))
    }
}

/// One row of the reliability table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReliabilityRow {
    pub level: ConfidenceLevel,
    pub records: usize,
    /// Share of the records whose first module was right.
    pub first_module_right: f64,
    pub mean_probability: f64,
    /// Share of all evaluated records at this level.
    pub share: f64,
}

/// Sums per level; `rows()` divides.
#[derive(Debug, Default, Clone)]
pub struct Reliability {
    n: [usize; 3],
    right: [usize; 3],
    p: [f64; 3],
}

const LEVELS: [ConfidenceLevel; 3] = [
    ConfidenceLevel::Likely,
    ConfidenceLevel::Possible,
    ConfidenceLevel::Guess,
];

impl Reliability {
    pub fn add(&mut self, level: ConfidenceLevel, probability: f32, right: bool) {
        let i = LEVELS.iter().position(|l| *l == level).unwrap_or(2);
        self.n[i] += 1;
        self.right[i] += usize::from(right);
        self.p[i] += f64::from(probability);
    }

    pub fn rows(&self) -> Vec<ReliabilityRow> {
        let total: usize = self.n.iter().sum();
        let r = |x: f64| (x * 1000.0).round() / 1000.0;
        LEVELS
            .iter()
            .enumerate()
            .map(|(i, level)| {
                let n = self.n[i].max(1) as f64;
                ReliabilityRow {
                    level: *level,
                    records: self.n[i],
                    first_module_right: r(self.right[i] as f64 / n),
                    mean_probability: r(self.p[i] / n),
                    share: r(self.n[i] as f64 / total.max(1) as f64),
                }
            })
            .collect()
    }
}

/// Median and maximum of the comment's words.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Default)]
pub struct CommentWords {
    pub median: usize,
    pub max: usize,
}

impl CommentWords {
    pub fn of(words: &[usize]) -> CommentWords {
        let mut w = words.to_vec();
        w.sort_unstable();
        CommentWords {
            median: w.get(w.len() / 2).copied().unwrap_or(0),
            max: w.last().copied().unwrap_or(0),
        }
    }
}

/// A fitted logistic model and the `likely` threshold it implies.
#[derive(Debug, Clone)]
pub struct Fit {
    pub weights: [f32; 9],
    /// Lowest probability above which the first module was right at least `target` of the
    /// time on the fitted records (with at least 30 of them above it).
    pub likely: Option<f32>,
}

/// Fits the logistic model by Newton's method on the log-loss with a small L2 penalty (the
/// intercept unpenalised). Hand-written: nine weights over a few thousand rows do not call
/// for a linear-algebra crate.
#[allow(clippy::needless_range_loop)]
pub fn fit(rows: &[([f32; 9], bool)], target: f64) -> Fit {
    const K: usize = 9;
    let mut w = [0f64; K];
    let lambda = 1e-2;
    for _ in 0..50 {
        let mut g = [0f64; K];
        let mut h = [[0f64; K]; K];
        for (x, y) in rows {
            let x: [f64; K] = x.map(f64::from);
            let z: f64 = x.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let d = p - f64::from(u8::from(*y));
            let v = (p * (1.0 - p)).max(1e-9);
            for i in 0..K {
                g[i] += d * x[i];
                for j in 0..K {
                    h[i][j] += v * x[i] * x[j];
                }
            }
        }
        for i in 1..K {
            g[i] += lambda * w[i];
            h[i][i] += lambda;
        }
        h[0][0] += 1e-9;
        let step = solve(h, g);
        let mut moved = 0.0f64;
        for i in 0..K {
            w[i] -= step[i];
            moved = moved.max(step[i].abs());
        }
        if moved < 1e-7 {
            break;
        }
    }
    let weights = w.map(|x| x as f32);
    let mut scored: Vec<(f32, bool)> = rows
        .iter()
        .map(|(x, y)| (confidence::probability(x, &weights), *y))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut right, mut likely) = (0usize, None);
    for (i, (p, y)) in scored.iter().enumerate() {
        right += usize::from(*y);
        // a threshold sits between distinct probabilities: ties are one band
        let boundary = scored.get(i + 1).map_or(true, |next| next.0 < *p);
        if boundary && i + 1 >= 30 && right as f64 / (i + 1) as f64 >= target {
            likely = Some(*p);
        }
    }
    Fit { weights, likely }
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
// index loops read as the textbook algorithm does
#[allow(clippy::needless_range_loop)]
fn solve<const K: usize>(mut a: [[f64; K]; K], mut b: [f64; K]) -> [f64; K] {
    for c in 0..K {
        let p = (c..K)
            .max_by(|i, j| a[*i][c].abs().total_cmp(&a[*j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        let d = if a[c][c].abs() < 1e-12 {
            1e-12
        } else {
            a[c][c]
        };
        for r in c + 1..K {
            let f = a[r][c] / d;
            for k in c..K {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = [0f64; K];
    for c in (0..K).rev() {
        let s: f64 = (c + 1..K).map(|k| a[c][k] * x[k]).sum();
        let d = if a[c][c].abs() < 1e-12 {
            1e-12
        } else {
            a[c][c]
        };
        x[c] = (b[c] - s) / d;
    }
    x
}

/// The features and outcome of each dumped record that found a module.
pub fn training_rows(records: &[DumpRecord]) -> Vec<([f32; 9], bool)> {
    records
        .iter()
        .filter_map(|r| confidence::features(&r.enrichment).map(|x| (x, r.first_right())))
        .collect()
}

/// The fit as Rust constants, with the feature names.
pub fn describe(fit: &Fit) -> String {
    let mut s = String::new();
    for (name, w) in FEATURES.iter().zip(fit.weights) {
        s += &format!("  {name:<20} {w:>8.3}\n");
    }
    s += &format!(
        "pub const COEFFICIENTS: [f32; 9] = [{}];\n",
        fit.weights
            .iter()
            .map(|w| format!("{w:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    match fit.likely {
        Some(t) => s += &format!("likely threshold: {t:.3}\n"),
        None => s += "likely threshold: none reaches the target\n",
    }
    s
}

/// Gold modules as a set, for callers that build `DumpRecord`s.
pub fn gold_list(gold: &HashSet<String>) -> Vec<String> {
    let mut v: Vec<String> = gold.iter().cloned().collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_separates_a_telling_feature_and_the_table_counts_per_level() {
        let mut rows = Vec::new();
        for i in 0..200 {
            let named = i % 2 == 0;
            let mut x = [0f32; 9];
            x[0] = 1.0;
            x[1] = f32::from(u8::from(named));
            // named: right 4 times in 5; not named: 1 in 5
            let right = if named { i % 10 != 0 } else { i % 10 < 3 };
            rows.push((x, right));
        }
        let f = fit(&rows, 0.75);
        assert!(f.weights[1] > 1.0, "{:?}", f.weights);
        let p_named = confidence::probability(&rows[0].0, &f.weights);
        assert!((p_named - 0.8).abs() < 0.01, "{p_named}");
        let p_plain = confidence::probability(&rows[1].0, &f.weights);
        assert!((p_plain - 0.2).abs() < 0.01, "{p_plain}");
        assert!((f.likely.unwrap() - p_named).abs() < 1e-6);
        assert!(
            fit(&rows, 0.85).likely.is_none(),
            "no band is right 85% of the time"
        );
        let mut t = Reliability::default();
        t.add(ConfidenceLevel::Likely, 0.9, true);
        t.add(ConfidenceLevel::Likely, 0.8, false);
        t.add(ConfidenceLevel::Guess, 0.1, false);
        let rows = t.rows();
        assert_eq!(rows[0].records, 2);
        assert_eq!(rows[0].first_module_right, 0.5);
        assert_eq!(rows[0].mean_probability, 0.85);
        assert_eq!(rows[1].records, 0);
        assert_eq!(rows[2].share, 0.333);
        assert_eq!(
            CommentWords::of(&[5, 1, 9]),
            CommentWords { median: 5, max: 9 }
        );
    }
}
