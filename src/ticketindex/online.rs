//! Learning from one project's own labels: the shipped model as a Gaussian prior, refitted
//! on the project's duplicate links and triagers' verdicts, and a likely-duplicate threshold
//! calibrated on the project's own searches. Pure arithmetic, bounded by construction; the
//! service runs it off the async threads.

use super::features::Features;
use super::model::{fit_with_prior, Logistic};
use crate::domain::CreatedOrder;
use serde::Serialize;
use std::collections::VecDeque;

/// How strongly the shipped model holds: the precision of the Gaussian prior on (bias,
/// weights) centred on the shipped values, in units of the summed log loss. 1.0 is a
/// standard deviation of 1 per parameter: a handful of links nudges the model (a labelled
/// query brings about 40 pairs), a few dozen that disagree with the prior move it.
pub const PRIOR_STRENGTH: f32 = 1.0;
/// Newton steps of one refit at most (deterministic, from the prior every time).
const ITERATIONS: usize = 25;
/// Labelled groups kept per project; the oldest go first (bounds every refit).
pub const MAX_GROUPS: usize = 400;
/// Searches without a known duplicate kept for the false-alarm estimate.
pub const MAX_NEGATIVES: usize = 2_000;
/// Calibration needs at least this many labelled queries; before, the prior threshold holds.
pub const MIN_LINKED_QUERIES: usize = 8;
/// The tier's promise: at least this precision...
pub const TARGET_PRECISION: f64 = 0.9;
/// ...while alarming on at most this share of the tickets without a known duplicate.
pub const MAX_FALSE_ALARM_RATE: f64 = 0.03;
/// Thresholds calibration chooses among.
const LOWEST_THRESHOLD: f32 = 0.20;
const HIGHEST_THRESHOLD: f32 = 0.99;

/// Which model a project is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelSource {
    /// No labels yet: the shipped model and the configured threshold.
    Shipped,
    /// Refitted on the project's labels (the threshold may still be the configured one
    /// until calibration has enough labelled queries).
    Learned,
}

/// Where a labelled group came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// A duplicate link: the ticket's search with its linked tickets as the positives.
    Link,
    /// A triager's verdict on one suggestion.
    Feedback,
}

/// One labelled group: a query's candidates with whether each is a duplicate.
#[derive(Debug, Clone)]
struct Group {
    label: Label,
    examples: Vec<(Features, bool)>,
}

/// A project's learned state. `Clone` is cheap enough to hand to a blocking refit.
#[derive(Debug, Clone)]
pub struct OnlineModel {
    prior: Logistic,
    prior_threshold: f32,
    limit: usize,
    groups: VecDeque<Group>,
    /// Each earlier search without a known duplicate: the ticket searched (so a link
    /// learned later takes it out) and its candidates' features.
    negatives: VecDeque<(String, Vec<Features>)>,
    model: Logistic,
    threshold: f32,
    calibrated: bool,
    links: u64,
    feedback: u64,
    /// When the latest label learned from became known.
    latest: Option<CreatedOrder>,
}

/// A model was asked to rank a query that comes before a label it learned from.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("the model learned from a label known at {known:?}, not before the query at {query:?}")]
pub struct FutureLabel {
    pub known: CreatedOrder,
    pub query: CreatedOrder,
}

/// What the API and metrics show of a project's model.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ModelSummary {
    pub source: ModelSource,
    /// Duplicate links and triager verdicts learned from (ever, not only those kept).
    pub links_learned: u64,
    pub feedback_learned: u64,
    /// Searches without a known duplicate the false-alarm limit is checked on (kept now).
    pub unlinked_searches: usize,
    pub likely_threshold: f32,
    /// Whether the threshold was calibrated on the project's own data.
    pub threshold_calibrated: bool,
    pub model: Logistic,
}

impl OnlineModel {
    /// A project with no labels: `prior` (the shipped model) and the configured threshold.
    /// `limit` is how many candidates a search shows.
    pub fn new(prior: Logistic, prior_threshold: f32, limit: usize) -> Self {
        OnlineModel {
            prior,
            prior_threshold,
            limit: limit.max(1),
            groups: VecDeque::new(),
            negatives: VecDeque::new(),
            model: prior,
            threshold: prior_threshold,
            calibrated: false,
            links: 0,
            feedback: 0,
            latest: None,
        }
    }

    /// The current model.
    pub fn model(&self) -> &Logistic {
        &self.model
    }

    /// The current likely-duplicate threshold.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// The model and threshold to rank a query created at `at` with; an error when any
    /// label learned from became known at or after it (a ticket's own future).
    pub fn for_query(&self, at: &CreatedOrder) -> Result<(&Logistic, f32), FutureLabel> {
        match &self.latest {
            Some(known) if !known.is_before(at) => Err(FutureLabel {
                known: known.clone(),
                query: at.clone(),
            }),
            _ => Ok((&self.model, self.threshold)),
        }
    }

    fn saw(&mut self, known_at: CreatedOrder) {
        if !self
            .latest
            .as_ref()
            .is_some_and(|l| !l.is_before(&known_at))
        {
            self.latest = Some(known_at);
        }
    }

    /// Records a labelled group (a linked ticket's candidates, or one verdict) that became
    /// known at `known_at`; call `refit` to learn from it.
    pub fn add(&mut self, label: Label, known_at: CreatedOrder, examples: Vec<(Features, bool)>) {
        if examples.is_empty() {
            return;
        }
        self.saw(known_at);
        match label {
            Label::Link => self.links += 1,
            Label::Feedback => self.feedback += 1,
        }
        if self.groups.len() >= MAX_GROUPS {
            self.groups.pop_front();
        }
        self.groups.push_back(Group { label, examples });
    }

    /// Records the search of `ticket`, which has no known duplicate (its candidates, best
    /// first stage first): evidence for the false-alarm rate only. A ticket searched again
    /// replaces its earlier search; the oldest go first past `MAX_NEGATIVES`.
    pub fn add_unlinked(
        &mut self,
        known_at: CreatedOrder,
        ticket: String,
        candidates: Vec<Features>,
    ) {
        self.saw(known_at);
        self.remove_unlinked(&ticket);
        if self.negatives.len() >= MAX_NEGATIVES {
            self.negatives.pop_front();
        }
        self.negatives.push_back((ticket, candidates));
    }

    /// Forgets `ticket`'s unlinked search: it turned out to have a duplicate. Returns
    /// whether it was kept; call `refit` to calibrate without it.
    pub fn remove_unlinked(&mut self, ticket: &str) -> bool {
        let before = self.negatives.len();
        self.negatives.retain(|(t, _)| t != ticket);
        self.negatives.len() != before
    }

    /// Refits the model from the prior on every kept group, then calibrates the threshold.
    /// Bounded: at most `MAX_GROUPS` groups × `ITERATIONS` steps.
    pub fn refit(&mut self) {
        let examples: Vec<(Features, bool)> = self
            .groups
            .iter()
            .flat_map(|g| g.examples.iter().copied())
            .collect();
        self.model = fit_with_prior(&examples, &self.prior, PRIOR_STRENGTH, ITERATIONS);
        let calibrated = self.calibrate();
        self.calibrated = calibrated.is_some();
        self.threshold = calibrated.unwrap_or(self.prior_threshold);
    }

    /// The lowest threshold at which, on the kept labels scored by the current model, the
    /// shown suggestions keep `TARGET_PRECISION` (counting one extra miss, so a handful of
    /// lucky hits does not suffice) and at most `MAX_FALSE_ALARM_RATE` of the unlinked
    /// searches would alarm. `None` while there are too few labelled queries.
    fn calibrate(&self) -> Option<f32> {
        let linked: Vec<Vec<(f32, bool)>> = self
            .groups
            .iter()
            .filter(|g| g.label == Label::Link)
            .map(|g| self.shown(&g.examples))
            .collect();
        if linked.len() < MIN_LINKED_QUERIES {
            return None;
        }
        let verdicts: Vec<(f32, bool)> = self
            .groups
            .iter()
            .filter(|g| g.label == Label::Feedback)
            .flat_map(|g| g.examples.iter().map(|(f, y)| (self.model.predict(f), *y)))
            .collect();
        let tops: Vec<f32> = self
            .negatives
            .iter()
            .map(|(_, c)| {
                c.iter()
                    .map(|f| self.model.predict(f))
                    .fold(0.0f32, f32::max)
            })
            .collect();
        let steps = ((HIGHEST_THRESHOLD - LOWEST_THRESHOLD) * 100.0).round() as usize;
        (0..=steps)
            .map(|i| LOWEST_THRESHOLD + i as f32 / 100.0)
            .find(|t| {
                let mut suggestions = 0usize;
                let mut correct = 0usize;
                for (p, y) in linked.iter().flatten().chain(verdicts.iter()) {
                    if p >= t {
                        suggestions += 1;
                        correct += usize::from(*y);
                    }
                }
                let alarms = tops.iter().filter(|p| *p >= t).count();
                let precision = correct as f64 / (suggestions + 1) as f64;
                let alarm_rate = alarms as f64 / tops.len().max(1) as f64;
                suggestions > 0
                    && precision >= TARGET_PRECISION
                    && alarm_rate <= MAX_FALSE_ALARM_RATE
            })
    }

    /// A group's candidates as a search would show them: the best `limit` by the model.
    fn shown(&self, examples: &[(Features, bool)]) -> Vec<(f32, bool)> {
        let mut v: Vec<(f32, bool)> = examples
            .iter()
            .map(|(f, y)| (self.model.predict(f), *y))
            .collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0));
        v.truncate(self.limit);
        v
    }

    /// What the API and metrics show.
    pub fn summary(&self) -> ModelSummary {
        let learned = self.links + self.feedback > 0;
        ModelSummary {
            source: if learned {
                ModelSource::Learned
            } else {
                ModelSource::Shipped
            },
            links_learned: self.links,
            feedback_learned: self.feedback,
            unlinked_searches: self.negatives.len(),
            likely_threshold: self.threshold,
            threshold_calibrated: self.calibrated,
            model: self.model,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticketindex::features::N_FEATURES;

    fn pair(x: f32) -> Features {
        Features([x; N_FEATURES])
    }

    fn at(ms: i64) -> CreatedOrder {
        CreatedOrder {
            created_ms: ms,
            id: String::new(),
        }
    }

    /// A project where true duplicates score only moderately under the prior (their
    /// features are all 0.45) and everything else lower (0.2): the prior's threshold never
    /// fires there.
    fn disagreeing_query() -> Vec<(Features, bool)> {
        let mut v = vec![(pair(0.45), true)];
        v.extend((0..20).map(|i| (pair(0.15 + i as f32 * 0.005), false)));
        v
    }

    #[test]
    fn a_project_whose_links_disagree_with_the_prior_moves_its_threshold() {
        let prior = Logistic::shipped();
        let mut m = OnlineModel::new(prior, 0.85, 5);
        assert!(prior.predict(&pair(0.45)) < 0.85, "the prior must not fire");
        for i in 0..30 {
            m.add(Label::Link, at(i), disagreeing_query());
            let quiet = (0..5).map(|i| pair(0.1 + i as f32 * 0.02)).collect();
            m.add_unlinked(at(i), format!("t{i}"), quiet);
        }
        m.refit();
        let s = m.summary();
        assert_eq!(s.source, ModelSource::Learned);
        assert_eq!(s.links_learned, 30);
        assert!(s.threshold_calibrated, "{s:?}");
        assert!(m.threshold() < 0.85, "{}", m.threshold());
        assert!(m.model().predict(&pair(0.45)) >= m.threshold());
        assert!(m.model().predict(&pair(0.25)) < m.threshold());
    }

    #[test]
    fn without_enough_labels_the_prior_threshold_holds() {
        let mut m = OnlineModel::new(Logistic::shipped(), 0.85, 5);
        m.add(Label::Link, at(1), disagreeing_query());
        m.refit();
        assert_eq!(m.threshold(), 0.85);
        assert!(!m.summary().threshold_calibrated);
    }

    #[test]
    fn a_query_never_ranks_with_a_label_known_at_or_after_it() {
        let mut m = OnlineModel::new(Logistic::shipped(), 0.85, 5);
        m.add(Label::Link, at(100), vec![(pair(0.5), true)]);
        m.refit();
        assert!(m.for_query(&at(101)).is_ok());
        assert!(m.for_query(&at(100)).is_err());
        assert!(m.for_query(&at(50)).is_err());
    }

    #[test]
    fn with_no_examples_the_fit_is_the_prior() {
        let p = Logistic::shipped();
        assert_eq!(fit_with_prior(&[], &p, PRIOR_STRENGTH, 100), p);
    }

    #[test]
    fn a_verdict_changes_the_model() {
        let mut m = OnlineModel::new(Logistic::shipped(), 0.85, 5);
        let before = m.model().predict(&pair(0.5));
        m.add(Label::Feedback, at(1), vec![(pair(0.5), false)]);
        m.refit();
        assert!(m.model().predict(&pair(0.5)) < before);
        assert_eq!(m.summary().feedback_learned, 1);
    }

    #[test]
    fn kept_groups_stay_bounded() {
        let mut m = OnlineModel::new(Logistic::shipped(), 0.85, 5);
        for _ in 0..MAX_GROUPS + 10 {
            m.add(Label::Link, at(1), vec![(pair(0.5), true)]);
        }
        assert_eq!(m.groups.len(), MAX_GROUPS);
        assert_eq!(m.summary().links_learned, (MAX_GROUPS + 10) as u64);
    }

    /// A project whose links alone would calibrate a low threshold: 30 linked queries whose
    /// duplicates score 0.45 and everything else 0.2 or less.
    fn linked_project() -> OnlineModel {
        let mut m = OnlineModel::new(Logistic::shipped(), 0.85, 5);
        for i in 0..30 {
            m.add(Label::Link, at(i), disagreeing_query());
        }
        m
    }

    #[test]
    fn unlinked_searches_that_would_alarm_raise_the_calibrated_threshold() {
        let mut alone = linked_project();
        alone.refit();
        assert!(alone.summary().threshold_calibrated);
        // 10% of the unlinked searches meet a candidate closer than any non-duplicate
        let mut with = linked_project();
        for i in 0..100 {
            let top = if i % 10 == 0 { 0.35 } else { 0.15 };
            with.add_unlinked(at(100 + i), format!("u{i}"), vec![pair(top), pair(0.1)]);
        }
        with.refit();
        let (low, high) = (alone.threshold(), with.threshold());
        assert!(high > low, "with unlinked {high}, without {low}");
        assert!(with.summary().threshold_calibrated, "{:?}", with.summary());
        assert!(
            with.model().predict(&pair(0.45)) >= high,
            "duplicates still alarm"
        );
        let alarms = |m: &OnlineModel| {
            m.negatives
                .iter()
                .filter(|(_, c)| c.iter().any(|f| m.model().predict(f) >= m.threshold()))
                .count()
        };
        assert!(alarms(&with) <= 3, "{} alarms of 100", alarms(&with));
        assert_eq!(with.summary().unlinked_searches, 100);
    }

    #[test]
    fn a_ticket_that_gets_a_link_stops_counting_as_unlinked() {
        let mut m = linked_project();
        for i in 0..10 {
            m.add_unlinked(at(100 + i), format!("u{i}"), vec![pair(0.45)]);
        }
        m.add_unlinked(at(200), "u3".into(), vec![pair(0.1)]);
        assert_eq!(
            m.summary().unlinked_searches,
            10,
            "searched again: replaced"
        );
        assert!(m.remove_unlinked("u3"));
        assert!(!m.remove_unlinked("u3"));
        assert_eq!(m.summary().unlinked_searches, 9);
        for i in 0..MAX_NEGATIVES + 5 {
            m.add_unlinked(at(300), format!("v{i}"), vec![pair(0.1)]);
        }
        assert_eq!(m.summary().unlinked_searches, MAX_NEGATIVES);
    }
}
