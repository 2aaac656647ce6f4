//! The calibrated similarity: a logistic model over the features, so a similarity of 0.8
//! means "about 8 in 10 such candidates were true duplicates" whatever the query.

use super::features::{Features, N_FEATURES};
use serde::{Deserialize, Serialize};

/// `p = 1 / (1 + exp(-(bias + weights · features)))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    pub bias: f32,
    pub weights: [f32; N_FEATURES],
}

impl Logistic {
    /// The model the service ships, and every project's prior: what `ticketlens eval
    /// duplicates --fit` prints for the shared Hadoop queries (all 46; copies in
    /// `tests/data/duplicates/`), kept equal to it by a test. Cross-validated numbers are
    /// reported by `ticketlens eval duplicates` with `--folds`.
    pub fn shipped() -> Logistic {
        Logistic {
            bias: -6.486,
            weights: [1.222, 1.598, 2.340, 0.319, 2.684, -0.963, 1.849],
        }
    }

    /// The calibrated similarity in [0, 1].
    pub fn predict(&self, f: &Features) -> f32 {
        let z = self.bias
            + self
                .weights
                .iter()
                .zip(f.0.iter())
                .map(|(w, x)| w * x)
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }

    /// Fits by full-batch gradient descent on the log loss with a small L2 penalty (not on
    /// the bias). Deterministic: same examples, same model.
    pub fn fit(examples: &[(Features, bool)], l2: f32, iterations: usize) -> Logistic {
        let mut m = Logistic {
            bias: 0.0,
            weights: [0.0; N_FEATURES],
        };
        if examples.is_empty() {
            return Logistic::shipped();
        }
        let n = examples.len() as f32;
        let rate = 2.0;
        for _ in 0..iterations {
            let mut gb = 0.0;
            let mut gw = [0.0f32; N_FEATURES];
            for (f, y) in examples {
                let err = m.predict(f) - if *y { 1.0 } else { 0.0 };
                gb += err;
                for (g, x) in gw.iter_mut().zip(f.0.iter()) {
                    *g += err * x;
                }
            }
            m.bias -= rate * gb / n;
            for (w, g) in m.weights.iter_mut().zip(gw.iter()) {
                *w -= rate * (g / n + l2 * *w);
            }
        }
        m
    }
}

/// Maximum a posteriori logistic regression: log loss summed over `examples` plus a
/// Gaussian prior `strength/2 · |θ - θ₀|²` on bias and weights centred on `prior`, by
/// Newton's method started at the prior (the objective is strictly convex, so a few steps
/// reach the optimum whatever the scale of the evidence). With no examples it is the prior.
pub fn fit_with_prior(
    examples: &[(Features, bool)],
    prior: &Logistic,
    strength: f32,
    iterations: usize,
) -> Logistic {
    let mut m = *prior;
    if examples.is_empty() {
        return m;
    }
    let theta0 = params(prior);
    for _ in 0..iterations {
        let theta = params(&m);
        let mut g = [0.0f64; N_PARAMS];
        let mut h = [[0.0f64; N_PARAMS]; N_PARAMS];
        for i in 0..N_PARAMS {
            g[i] = f64::from(strength) * (theta[i] - theta0[i]);
            h[i][i] = f64::from(strength);
        }
        for (f, y) in examples {
            let p = f64::from(m.predict(f));
            let x = inputs(f);
            let err = p - if *y { 1.0 } else { 0.0 };
            let w = (p * (1.0 - p)).max(1e-9);
            for i in 0..N_PARAMS {
                g[i] += err * x[i];
                for j in 0..N_PARAMS {
                    h[i][j] += w * x[i] * x[j];
                }
            }
        }
        let Some(step) = solve(h, g) else { break };
        let next: Vec<f64> = theta.iter().zip(step.iter()).map(|(t, s)| t - s).collect();
        m = Logistic {
            bias: next[0] as f32,
            weights: std::array::from_fn(|i| next[i + 1] as f32),
        };
        if step.iter().map(|s| s.abs()).fold(0.0, f64::max) < 1e-6 {
            break;
        }
    }
    m
}

const N_PARAMS: usize = N_FEATURES + 1;

fn params(m: &Logistic) -> [f64; N_PARAMS] {
    std::array::from_fn(|i| {
        if i == 0 {
            f64::from(m.bias)
        } else {
            f64::from(m.weights[i - 1])
        }
    })
}

fn inputs(f: &Features) -> [f64; N_PARAMS] {
    std::array::from_fn(|i| if i == 0 { 1.0 } else { f64::from(f.0[i - 1]) })
}

/// Solves `h · x = g` by Gaussian elimination with partial pivoting (`h` is positive
/// definite here: the prior adds `strength` to its diagonal); `None` if singular.
fn solve(mut h: [[f64; N_PARAMS]; N_PARAMS], mut g: [f64; N_PARAMS]) -> Option<[f64; N_PARAMS]> {
    for col in 0..N_PARAMS {
        let pivot = (col..N_PARAMS).max_by(|a, b| h[*a][col].abs().total_cmp(&h[*b][col].abs()))?;
        if h[pivot][col].abs() < 1e-12 {
            return None;
        }
        h.swap(col, pivot);
        g.swap(col, pivot);
        for row in col + 1..N_PARAMS {
            let factor = h[row][col] / h[col][col];
            let pivot_row = h[col];
            for (cell, p) in h[row].iter_mut().zip(pivot_row.iter()).skip(col) {
                *cell -= factor * p;
            }
            g[row] -= factor * g[col];
        }
    }
    let mut x = [0.0f64; N_PARAMS];
    for row in (0..N_PARAMS).rev() {
        let rest: f64 = (row + 1..N_PARAMS).map(|k| h[row][k] * x[k]).sum();
        x[row] = (g[row] - rest) / h[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_separable_data_ranks_positives_above_negatives() {
        let mut ex = Vec::new();
        for i in 0..50 {
            let hi = 0.6 + (i as f32) * 0.008;
            let lo = 0.1 + (i as f32) * 0.008;
            ex.push((Features([hi, hi, hi, 0.0, hi, 0.0, 0.0]), true));
            ex.push((Features([lo, lo, lo, 0.0, lo, 0.0, 0.0]), false));
            ex.push((Features([lo / 2.0, lo, 0.0, 0.0, lo, 0.0, 0.0]), false));
        }
        let m = Logistic::fit(&ex, 1e-4, 2000);
        let p_hi = m.predict(&Features([0.8; N_FEATURES]));
        let p_lo = m.predict(&Features([0.15; N_FEATURES]));
        assert!(p_hi > 0.5 && p_lo < 0.5, "{p_hi} {p_lo} {m:?}");
    }

    #[test]
    fn predictions_stay_within_zero_and_one() {
        let m = Logistic::shipped();
        for x in [0.0, 0.5, 1.0] {
            let p = m.predict(&Features([x; N_FEATURES]));
            assert!((0.0..=1.0).contains(&p));
        }
    }
}
