//! The classifier against hand labels (`../shared/datasets/commits/` format): precision and
//! recall of "is a real fix" (bug fix or revert) and of the sweep flag, and the confusion
//! table between kinds (a bot's commit is labelled `bot` whatever it does).

use crate::domain::MinedCommit;
use crate::history::{Class, Classifier};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One labelled commit (the fields the evaluation reads).
#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub repo: String,
    pub sha: String,
    pub kind: String,
    pub is_sweep: bool,
}

/// Precision and recall of one yes/no call.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Binary {
    pub precision: f64,
    pub recall: f64,
    pub true_positives: u32,
    pub false_positives: u32,
    pub false_negatives: u32,
}

impl Binary {
    fn add(&mut self, truth: bool, predicted: bool) {
        match (truth, predicted) {
            (true, true) => self.true_positives += 1,
            (false, true) => self.false_positives += 1,
            (true, false) => self.false_negatives += 1,
            _ => {}
        }
    }

    fn finish(&mut self) {
        let tp = f64::from(self.true_positives);
        let ratio = |d: u32| if d == 0 { 0.0 } else { tp / f64::from(d) };
        self.precision = ratio(self.true_positives + self.false_positives);
        self.recall = ratio(self.true_positives + self.false_negatives);
    }
}

/// A commit the classifier got wrong on fixes or sweeps.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub repo: String,
    pub sha: String,
    pub subject: String,
    pub label: String,
    pub label_sweep: bool,
    pub predicted: String,
    pub sweep: bool,
    pub rule: String,
}

/// The whole evaluation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CommitEvalReport {
    pub labelled: usize,
    /// Labelled commits found in the repositories (the rest are not counted).
    pub evaluated: usize,
    pub fix: Binary,
    pub sweep: Binary,
    pub bot: Binary,
    /// Share of commits whose predicted kind is the label.
    pub kind_accuracy: f64,
    /// label → predicted → count.
    pub confusion: BTreeMap<String, BTreeMap<String, u32>>,
    pub misses: Vec<Miss>,
}

/// The kind as the labels name it: `bot` for an automated author.
pub fn label_of(c: &Class) -> &'static str {
    if c.bot {
        "bot"
    } else {
        c.kind.as_str()
    }
}

/// Classifies each labelled commit (`None`: not found) and compares.
pub fn evaluate(
    labels: &[Label],
    commits: &[Option<MinedCommit>],
    classifier: &Classifier,
) -> CommitEvalReport {
    let mut r = CommitEvalReport {
        labelled: labels.len(),
        ..CommitEvalReport::default()
    };
    let mut right = 0;
    for (l, c) in labels.iter().zip(commits) {
        let Some(c) = c else { continue };
        r.evaluated += 1;
        let class = classifier.classify_mined(c);
        let predicted = label_of(&class);
        let truth_fix = matches!(l.kind.as_str(), "bugfix" | "revert");
        r.fix.add(truth_fix, class.counts_as_fix());
        r.sweep.add(l.is_sweep, class.sweep);
        r.bot.add(l.kind == "bot", class.bot);
        right += usize::from(predicted == l.kind);
        *r.confusion
            .entry(l.kind.clone())
            .or_default()
            .entry(predicted.to_string())
            .or_default() += 1;
        if truth_fix != class.counts_as_fix() || l.is_sweep != class.sweep {
            r.misses.push(Miss {
                repo: l.repo.clone(),
                sha: l.sha.clone(),
                subject: c.message.lines().next().unwrap_or("").to_string(),
                label: l.kind.clone(),
                label_sweep: l.is_sweep,
                predicted: predicted.to_string(),
                sweep: class.sweep,
                rule: class.rule.clone(),
            });
        }
    }
    r.fix.finish();
    r.sweep.finish();
    r.bot.finish();
    r.kind_accuracy = if r.evaluated == 0 {
        0.0
    } else {
        right as f64 / r.evaluated as f64
    };
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_and_recall_count_what_they_say() {
        let mut b = Binary::default();
        for (t, p) in [(true, true), (true, true), (false, true), (true, false)] {
            b.add(t, p);
        }
        b.finish();
        assert!((b.precision - 2.0 / 3.0).abs() < 1e-9);
        assert!((b.recall - 2.0 / 3.0).abs() < 1e-9);
    }
}
