//! Per-project learning in the service: follows the duplicate links (back-fill, trackers)
//! and triagers' verdicts in the order the store learned them, refits each project's model
//! off the async threads (shipped model as the prior, `ticketindex::online`), and puts the
//! project's searches on it. Derived data, like the ticket index: every replica follows the
//! same tables, and a restart relearns from them.

use crate::config::DuplicateSettings;
use crate::domain::{CreatedOrder, SimilarQuery, TicketDoc, Tracker};
use crate::metrics::Metrics;
use crate::store::{LabelPosition, LearnedLabel, Store};
use crate::ticketindex::{Label, Logistic, ModelSummary, OnlineModel, TicketIndex, FIRST_STAGE};
use anyhow::Context;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Labels read per page, and pages per round (bounds one round's work).
const PAGE: i64 = 200;
const MAX_PAGES_PER_ROUND: usize = 10;
/// Projects that get their own model; labels of further projects are not learned.
const MAX_PROJECTS: usize = 1_000;

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
    /// `MAX_PAGES_PER_ROUND` pages of each kind), refits the projects they touched and
    /// publishes their models to the index. Returns how many labels were learned.
    pub async fn learn_new(&self, store: &Store) -> anyhow::Result<usize> {
        let (mut links_at, mut feedback_at) = {
            let s = self
                .state
                .lock()
                .map_err(|_| anyhow::anyhow!("learner poisoned"))?;
            (s.links.clone(), s.feedback.clone())
        };
        let mut learned: Vec<Group> = Vec::new();
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
                if let Some(g) = self.link_group(store, l).await? {
                    learned.push(g);
                }
            }
            for v in &verdicts {
                if let Some(g) = self.verdict_group(store, v).await? {
                    learned.push(g);
                }
            }
            if let Some(l) = links.last() {
                links_at = l.position();
            }
            if let Some(v) = verdicts.last() {
                feedback_at = v.position();
            }
        }
        let count = learned.len();
        // group by project, clone the touched models out, refit them off the async threads
        let touched: BTreeSet<String> = learned.iter().map(|g| g.0.clone()).collect();
        let mut work: BTreeMap<String, OnlineModel> = {
            let s = self
                .state
                .lock()
                .map_err(|_| anyhow::anyhow!("learner poisoned"))?;
            touched
                .iter()
                .filter(|p| s.models.contains_key(*p) || s.models.len() < MAX_PROJECTS)
                .map(|p| {
                    (
                        p.clone(),
                        s.models.get(p).cloned().unwrap_or_else(|| self.fresh()),
                    )
                })
                .collect()
        };
        for (project, label, at, examples) in learned {
            if let Some(m) = work.get_mut(&project) {
                m.add(label, at, examples);
            }
        }
        let work = tokio::task::spawn_blocking(move || {
            for m in work.values_mut() {
                m.refit();
            }
            work
        })
        .await?;
        let mut s = self
            .state
            .lock()
            .map_err(|_| anyhow::anyhow!("learner poisoned"))?;
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
        if let Some(metrics) = &self.metrics {
            let learned = s.models.len() as i64;
            metrics
                .duplicate_models
                .with_label_values(&["learned"])
                .set(learned);
            metrics
                .duplicate_labels_learned
                .with_label_values(&["link"])
                .set(
                    s.models
                        .values()
                        .map(|m| m.summary().links_learned as i64)
                        .sum(),
                );
            metrics
                .duplicate_labels_learned
                .with_label_values(&["feedback"])
                .set(
                    s.models
                        .values()
                        .map(|m| m.summary().feedback_learned as i64)
                        .sum(),
                );
        }
        Ok(count)
    }

    /// A link as a labelled search: the later of the two tickets searched among the tickets
    /// created before it (never its own future), its linked tickets the positives. `None`
    /// when a ticket is unknown or the search does not meet the other one.
    async fn link_group(&self, store: &Store, l: &LearnedLabel) -> anyhow::Result<Option<Group>> {
        let Some(tracker) = Tracker::parse(&l.tracker) else {
            return Ok(None);
        };
        let Some(a) = store.ticket_doc(tracker, &l.ticket_id).await? else {
            return Ok(None);
        };
        let Some(b) = store.ticket_by_key(&l.tracker, &l.other_key).await? else {
            return Ok(None);
        };
        if b.deleted {
            return Ok(None);
        }
        let b = TicketDoc {
            tracker,
            id: b.id,
            key: b.key,
            title: b.title,
            body: b.body,
            labels: b.labels,
            components: b.components,
            project: b.project,
            status: b.status,
            url: b.url,
            created_at: b.created_at,
        };
        let order = |t: &TicketDoc| TicketIndex::order_of(t.created_at.as_deref(), &t.id);
        let (query, target) = if order(&b).is_before(&order(&a)) {
            (a, b)
        } else {
            (b, a)
        };
        let before = order(&query);
        let group = self
            .search_group(&query, Some(before), true, move |id, key| {
                Some(id == target.id || key == target.key)
            })
            .await?;
        Ok(group.map(|(p, examples)| {
            let at = CreatedOrder {
                created_ms: l.known_at,
                id: String::new(),
            };
            (p, Label::Link, at, examples)
        }))
    }

    /// A triager's verdict as a one-pair group: the suggestion's evidence as the search
    /// found it, labelled right or wrong.
    async fn verdict_group(
        &self,
        store: &Store,
        v: &LearnedLabel,
    ) -> anyhow::Result<Option<Group>> {
        let Some(tracker) = Tracker::parse(&v.tracker) else {
            return Ok(None);
        };
        let Some(query) = store.ticket_doc(tracker, &v.ticket_id).await? else {
            return Ok(None);
        };
        let key = v.other_key.clone();
        let verdict = v.duplicate;
        let group = self
            .search_group(&query, None, false, move |id, k| {
                (id == key || k == key).then_some(verdict)
            })
            .await?;
        Ok(group.map(|(p, examples)| {
            let at = CreatedOrder {
                created_ms: v.known_at,
                id: String::new(),
            };
            (p, Label::Feedback, at, examples)
        }))
    }

    /// Searches `query`'s candidates and labels each with `label` (`None` leaves it out);
    /// `None` when no candidate is a positive for a link or none is labelled for a verdict.
    async fn search_group(
        &self,
        query: &TicketDoc,
        before: Option<CreatedOrder>,
        need_positive: bool,
        label: impl Fn(&str, &str) -> Option<bool> + Send + 'static,
    ) -> anyhow::Result<Option<(String, Vec<(crate::ticketindex::Features, bool)>)>> {
        let Some(project) = query.project.clone() else {
            return Ok(None);
        };
        let q = SimilarQuery {
            title: query.title.clone(),
            body: query.body.clone(),
            project: Some(project.clone()),
            components: query.components.clone(),
            created_at: query.created_at.clone(),
            created_before: before,
            exclude_ids: vec![query.id.clone(), query.key.clone()],
            linked: Vec::new(),
        };
        let index = self.index.clone();
        let same_project = self.settings.same_project;
        let found =
            tokio::task::spawn_blocking(move || index.candidates(&q, same_project, FIRST_STAGE))
                .await??;
        let examples: Vec<_> = found
            .iter()
            .filter_map(|s| label(&s.id, &s.key).map(|y| (s.features, y)))
            .collect();
        let useful = if need_positive {
            examples.iter().any(|(_, y)| *y)
        } else {
            !examples.is_empty()
        };
        Ok(useful.then_some((project, examples)))
    }
}

type Group = (
    String,
    Label,
    CreatedOrder,
    Vec<(crate::ticketindex::Features, bool)>,
);

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
