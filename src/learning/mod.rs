//! Per-project learning in the service: follows the duplicate links (back-fill, webhooks)
//! and triagers' verdicts in the order the store learned them, and the tickets known for
//! `[duplicates] unlinked_after_secs` without a duplicate (the unlinked searches the
//! false-alarm limit is checked on); refits each project's model off the async threads
//! (shipped model as the prior, `ticketindex::online`), and puts the project's searches on
//! it. Derived data, like the ticket index: every replica follows the same tables, and a
//! restart relearns from them.

mod steps;

use crate::config::DuplicateSettings;
use crate::metrics::Metrics;
use crate::store::{FeedPosition, LabelPosition, Store};
use crate::ticketindex::{Logistic, ModelSummary, OnlineModel, TicketIndex};
use anyhow::Context;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use steps::Step;
use tokio_util::sync::CancellationToken;

/// Labels read per page, and pages per round (bounds one round's work).
const PAGE: i64 = 200;
const MAX_PAGES_PER_ROUND: usize = 10;
/// Projects that get their own model; labels of further projects are not learned.
const MAX_PROJECTS: usize = 1_000;
/// Unlinked searches per round (each is one search of the ticket index), read this many at
/// a time; a project keeps at most `ticketindex::online::MAX_NEGATIVES` of them.
const UNLINKED_PER_ROUND: usize = 200;
const UNLINKED_PAGE: i64 = 100;

/// The service's learner. Share it behind an `Arc`.
pub struct Learner {
    index: Arc<TicketIndex>,
    settings: DuplicateSettings,
    state: Mutex<State>,
    metrics: Option<Metrics>,
}

#[derive(Default)]
struct State {
    models: BTreeMap<String, OnlineModel>,
    links: LabelPosition,
    feedback: LabelPosition,
    unlinked: FeedPosition,
}

/// A project's model as the API shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProjectModel {
    pub project: String,
    #[serde(flatten)]
    pub summary: ModelSummary,
}

impl Learner {
    pub fn new(
        index: Arc<TicketIndex>,
        settings: DuplicateSettings,
        metrics: Option<Metrics>,
    ) -> Self {
        Learner {
            index,
            settings,
            state: Mutex::new(State::default()),
            metrics,
        }
    }

    /// Every project's model (projects without labels are on the shipped model).
    pub fn models(&self) -> Vec<ProjectModel> {
        self.state
            .lock()
            .map(|s| {
                s.models
                    .iter()
                    .map(|(p, m)| ProjectModel {
                        project: p.clone(),
                        summary: m.summary(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// One project's model; the shipped one when it has learned nothing.
    pub fn model_of(&self, project: &str) -> ProjectModel {
        let summary = self
            .state
            .lock()
            .ok()
            .and_then(|s| s.models.get(project).map(OnlineModel::summary))
            .unwrap_or_else(|| self.fresh().summary());
        ProjectModel {
            project: project.to_string(),
            summary,
        }
    }

    fn fresh(&self) -> OnlineModel {
        OnlineModel::new(
            Logistic::shipped(),
            self.settings.likely_threshold,
            self.settings.limit,
        )
    }

    /// Learns the labels the store learned since the last round (at most
    /// `MAX_PAGES_PER_ROUND` pages of each kind) and up to `UNLINKED_PER_ROUND` new unlinked
    /// searches, refits the projects they touched and publishes their models to the index.
    /// Returns how many labels and unlinked searches were learned.
    pub async fn learn_new(&self, store: &Store) -> anyhow::Result<usize> {
        let (links_at, feedback_at, unlinked_at) = {
            let s = self.lock()?;
            (s.links.clone(), s.feedback.clone(), s.unlinked.clone())
        };
        let (mut steps, links_at, feedback_at) =
            self.label_steps(store, links_at, feedback_at).await?;
        // read after the links: a ticket linked by now is not in this feed, one linked
        // later is dropped when its link is learned
        let unlinked_at = self.unlinked_steps(store, unlinked_at, &mut steps).await?;
        let count = steps
            .iter()
            .filter(|s| !matches!(s, Step::Linked { .. }))
            .count();
        // group by project, clone the touched models out, refit them off the async threads
        let mut work = self.touched_models(&steps)?;
        apply(steps, &mut work);
        let work = tokio::task::spawn_blocking(move || {
            for m in work.values_mut() {
                m.refit();
            }
            work
        })
        .await?;
        let mut s = self.lock()?;
        for (project, m) in work {
            let summary = m.summary();
            self.index.set_project_model(
                &project,
                *m.model(),
                summary.threshold_calibrated.then_some(m.threshold()),
            );
            s.models.insert(project, m);
        }
        s.links = links_at;
        s.feedback = feedback_at;
        s.unlinked = unlinked_at;
        if let Some(metrics) = &self.metrics {
            report(metrics, &s.models);
        }
        Ok(count)
    }

    fn lock(&self) -> anyhow::Result<std::sync::MutexGuard<'_, State>> {
        self.state
            .lock()
            .map_err(|_| anyhow::anyhow!("learner poisoned"))
    }

    /// The steps of the links and verdicts stored after the given positions (at most
    /// `MAX_PAGES_PER_ROUND` pages of each), and the positions after them.
    async fn label_steps(
        &self,
        store: &Store,
        mut links_at: LabelPosition,
        mut feedback_at: LabelPosition,
    ) -> anyhow::Result<(Vec<Step>, LabelPosition, LabelPosition)> {
        let mut steps: Vec<Step> = Vec::new();
        for _ in 0..MAX_PAGES_PER_ROUND {
            let links = store
                .links_after(&links_at, PAGE)
                .await
                .context("failed to read duplicate links")?;
            let verdicts = store
                .feedback_after(&feedback_at, PAGE)
                .await
                .context("failed to read duplicate feedback")?;
            if links.is_empty() && verdicts.is_empty() {
                break;
            }
            for l in &links {
                steps.extend(self.link_steps(store, l).await?);
            }
            for v in &verdicts {
                steps.extend(self.verdict_steps(store, v).await?);
            }
            if let Some(l) = links.last() {
                links_at = l.position();
            }
            if let Some(v) = verdicts.last() {
                feedback_at = v.position();
            }
        }
        Ok((steps, links_at, feedback_at))
    }

    /// Adds the steps of up to `UNLINKED_PER_ROUND` searches of tickets still without a
    /// duplicate after the given position; the position after them.
    async fn unlinked_steps(
        &self,
        store: &Store,
        mut unlinked_at: FeedPosition,
        steps: &mut Vec<Step>,
    ) -> anyhow::Result<FeedPosition> {
        let known_before = store.now().saturating_sub(self.unlinked_after_ms());
        let mut read = 0;
        while read < UNLINKED_PER_ROUND {
            let page = store
                .unlinked_after(&unlinked_at, known_before, UNLINKED_PAGE)
                .await
                .context("failed to read tickets without a duplicate")?;
            read += page.len();
            for t in &page {
                steps.extend(self.unlinked_step(t).await?);
            }
            match page.last() {
                Some(t) => unlinked_at = t.position.clone(),
                None => break,
            }
            if page.len() < UNLINKED_PAGE as usize {
                break;
            }
        }
        Ok(unlinked_at)
    }

    /// Copies of the models the steps touch (a fresh one for a new project, while there is
    /// room for it). A link only takes unlinked searches out of a model that holds some.
    fn touched_models(&self, steps: &[Step]) -> anyhow::Result<BTreeMap<String, OnlineModel>> {
        let s = self.lock()?;
        let touched: BTreeSet<&str> = steps
            .iter()
            .filter(|st| !matches!(st, Step::Linked { .. }) || s.models.contains_key(st.project()))
            .map(Step::project)
            .collect();
        Ok(touched
            .iter()
            .filter(|p| s.models.contains_key(**p) || s.models.len() < MAX_PROJECTS)
            .map(|p| {
                (
                    p.to_string(),
                    s.models.get(*p).cloned().unwrap_or_else(|| self.fresh()),
                )
            })
            .collect())
    }

    fn unlinked_after_ms(&self) -> i64 {
        i64::try_from(self.settings.unlinked_after_secs.saturating_mul(1000)).unwrap_or(i64::MAX)
    }
}

/// Feeds each step to its project's model (steps of projects without one are dropped).
fn apply(steps: Vec<Step>, work: &mut BTreeMap<String, OnlineModel>) {
    for step in steps {
        let Some(m) = work.get_mut(step.project()) else {
            continue;
        };
        match step {
            Step::Learn((_, label, at, examples)) => m.add(label, at, examples),
            Step::Unlinked {
                ticket,
                at,
                candidates,
                ..
            } => m.add_unlinked(at, ticket, candidates),
            Step::Linked { tickets, .. } => {
                for t in &tickets {
                    m.remove_unlinked(t);
                }
            }
        }
    }
}

/// The learned models and the labels behind them, as gauges.
fn report(metrics: &Metrics, models: &BTreeMap<String, OnlineModel>) {
    let learned = models
        .values()
        .filter(|m| m.summary().source == crate::ticketindex::ModelSource::Learned)
        .count() as i64;
    metrics
        .duplicate_models
        .with_label_values(&["learned"])
        .set(learned);
    let sum =
        |f: fn(&ModelSummary) -> i64| -> i64 { models.values().map(|m| f(&m.summary())).sum() };
    for (kind, n) in [
        ("link", sum(|s| s.links_learned as i64)),
        ("feedback", sum(|s| s.feedback_learned as i64)),
        ("unlinked", sum(|s| s.unlinked_searches as i64)),
    ] {
        metrics
            .duplicate_labels_learned
            .with_label_values(&[kind])
            .set(n);
    }
}

/// Learns new labels every `every` until `shutdown`; a failing round is logged and retried.
pub async fn follow(
    learner: Arc<Learner>,
    store: Store,
    every: Duration,
    shutdown: CancellationToken,
) {
    loop {
        match learner.learn_new(&store).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(labels = n, "learned duplicate labels"),
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "duplicate learning failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
