//! Per-project learning in the service: follows the duplicate links (back-fill, webhooks)
//! and triagers' verdicts in the order the store learned them, and the tickets known for
//! `[duplicates] unlinked_after_secs` without a duplicate (the unlinked searches the
//! false-alarm limit is checked on); refits each project's model off the async threads
//! (shipped model as the prior, `ticketindex::online`), and puts the project's searches on
//! it. Derived data, like the ticket index: every replica follows the same tables, and a
//! restart relearns from them.

use crate::config::DuplicateSettings;
use crate::domain::{CreatedOrder, SimilarQuery, TicketDoc, Tracker};
use crate::metrics::Metrics;
use crate::store::{FeedPosition, LabelPosition, LearnedLabel, Store, UnlinkedTicket};
use crate::ticketindex::{
    Features, Label, Logistic, ModelSummary, OnlineModel, TicketIndex, FIRST_STAGE,
};
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
/// Unlinked searches per round (each is one search of the ticket index), read this many at
/// a time; a project keeps at most `ticketindex::online::MAX_NEGATIVES` of them.
const UNLINKED_PER_ROUND: usize = 200;
const UNLINKED_PAGE: i64 = 100;
/// Candidates kept per unlinked search, best first stage first: the model rescores them at
/// every refit, and the one it ranks first is the search's would-be alarm.
const UNLINKED_CANDIDATES: usize = 10;

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
        let (mut links_at, mut feedback_at, mut unlinked_at) = {
            let s = self
                .state
                .lock()
                .map_err(|_| anyhow::anyhow!("learner poisoned"))?;
            (s.links.clone(), s.feedback.clone(), s.unlinked.clone())
        };
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
        // read after the links: a ticket linked by now is not in this feed, one linked
        // later is dropped when its link is learned
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
        let count = steps
            .iter()
            .filter(|s| !matches!(s, Step::Linked { .. }))
            .count();
        // group by project, clone the touched models out, refit them off the async threads
        let mut work: BTreeMap<String, OnlineModel> = {
            let s = self
                .state
                .lock()
                .map_err(|_| anyhow::anyhow!("learner poisoned"))?;
            // a link only takes unlinked searches out of a model that holds some
            let touched: BTreeSet<&str> = steps
                .iter()
                .filter(|st| {
                    !matches!(st, Step::Linked { .. }) || s.models.contains_key(st.project())
                })
                .map(Step::project)
                .collect();
            touched
                .iter()
                .filter(|p| s.models.contains_key(**p) || s.models.len() < MAX_PROJECTS)
                .map(|p| {
                    (
                        p.to_string(),
                        s.models.get(*p).cloned().unwrap_or_else(|| self.fresh()),
                    )
                })
                .collect()
        };
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
        s.unlinked = unlinked_at;
        if let Some(metrics) = &self.metrics {
            let learned = s
                .models
                .values()
                .filter(|m| m.summary().source == crate::ticketindex::ModelSource::Learned)
                .count() as i64;
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
            metrics
                .duplicate_labels_learned
                .with_label_values(&["unlinked"])
                .set(
                    s.models
                        .values()
                        .map(|m| m.summary().unlinked_searches as i64)
                        .sum(),
                );
        }
        Ok(count)
    }

    fn unlinked_after_ms(&self) -> i64 {
        i64::try_from(self.settings.unlinked_after_secs.saturating_mul(1000)).unwrap_or(i64::MAX)
    }

    /// A link as a labelled search: the later of the two tickets searched among the tickets
    /// created before it (never its own future), its linked tickets the positives; and both
    /// tickets out of their projects' unlinked searches. No group when a ticket is unknown,
    /// the search does not meet the other one, or the same link the other way round came
    /// first in the feed (Jira tells each side of a link; it is learned once).
    async fn link_steps(&self, store: &Store, l: &LearnedLabel) -> anyhow::Result<Vec<Step>> {
        let Some(tracker) = Tracker::parse(&l.tracker) else {
            return Ok(Vec::new());
        };
        let Some(a) = store.ticket_doc(tracker, &l.ticket_id).await? else {
            return Ok(Vec::new());
        };
        let b = store
            .ticket_by_key(&l.tracker, &l.other_key)
            .await?
            .filter(|b| !b.deleted)
            .map(|b| TicketDoc {
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
            });
        let mut steps: Vec<Step> = [Some(&a), b.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(Step::linked)
            .collect();
        let Some(b) = b else {
            return Ok(steps);
        };
        let reverse = store
            .duplicate_link_known_at(&l.tracker, &b.id, &a.key)
            .await?
            .map(|known_at| LabelPosition {
                known_at,
                tracker: l.tracker.clone(),
                ticket_id: b.id.clone(),
                key: a.key.clone(),
            });
        if reverse.is_some_and(|r| comes_before(&r, &l.position())) {
            return Ok(steps);
        }
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
        steps.extend(group.map(|(p, examples)| {
            let at = CreatedOrder {
                created_ms: l.known_at,
                id: String::new(),
            };
            Step::Learn((p, Label::Link, at, examples))
        }));
        Ok(steps)
    }

    /// A triager's verdict as a one-pair group: the suggestion's evidence as the search
    /// found it, labelled right or wrong. A "duplicate" verdict also takes both tickets out
    /// of the unlinked searches.
    async fn verdict_steps(&self, store: &Store, v: &LearnedLabel) -> anyhow::Result<Vec<Step>> {
        let Some(tracker) = Tracker::parse(&v.tracker) else {
            return Ok(Vec::new());
        };
        let Some(query) = store.ticket_doc(tracker, &v.ticket_id).await? else {
            return Ok(Vec::new());
        };
        let mut steps = Vec::new();
        if v.duplicate {
            steps.extend(Step::linked(&query));
            if let Some(c) = store.ticket_by_key(&v.tracker, &v.other_key).await? {
                if let Some(project) = c.project {
                    steps.push(Step::Linked {
                        project,
                        tickets: vec![ticket_ref(tracker, &c.id)],
                    });
                }
            }
        }
        let key = v.other_key.clone();
        let verdict = v.duplicate;
        let group = self
            .search_group(&query, None, false, move |id, k| {
                (id == key || k == key).then_some(verdict)
            })
            .await?;
        steps.extend(group.map(|(p, examples)| {
            let at = CreatedOrder {
                created_ms: v.known_at,
                id: String::new(),
            };
            Step::Learn((p, Label::Feedback, at, examples))
        }));
        Ok(steps)
    }

    /// A ticket without a known duplicate, searched among the tickets created before it: its
    /// best candidates, evidence for the false-alarm rate, known from the moment it had gone
    /// `unlinked_after_secs` without one.
    async fn unlinked_step(&self, t: &UnlinkedTicket) -> anyhow::Result<Option<Step>> {
        let Some(project) = t.doc.project.clone() else {
            return Ok(None);
        };
        let before = TicketIndex::order_of(t.doc.created_at.as_deref(), &t.doc.id);
        let found = self.search(&t.doc, Some(before)).await?;
        let candidates: Vec<Features> = found
            .iter()
            .take(UNLINKED_CANDIDATES)
            .map(|s| s.features)
            .collect();
        let at = CreatedOrder {
            created_ms: t
                .position
                .stored_at
                .saturating_add(self.unlinked_after_ms()),
            id: String::new(),
        };
        Ok(Some(Step::Unlinked {
            project,
            ticket: ticket_ref(t.doc.tracker, &t.doc.id),
            at,
            candidates,
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
        let found = self.search(query, before).await?;
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

    /// The first-stage candidates of `query`'s search in its project, off the async threads.
    async fn search(
        &self,
        query: &TicketDoc,
        before: Option<CreatedOrder>,
    ) -> anyhow::Result<Vec<crate::ticketindex::Scored>> {
        let q = SimilarQuery {
            title: query.title.clone(),
            body: query.body.clone(),
            project: query.project.clone(),
            components: query.components.clone(),
            created_at: query.created_at.clone(),
            created_before: before,
            exclude_ids: vec![query.id.clone(), query.key.clone()],
            linked: Vec::new(),
        };
        let index = self.index.clone();
        let same_project = self.settings.same_project;
        Ok(
            tokio::task::spawn_blocking(move || index.candidates(&q, same_project, FIRST_STAGE))
                .await??,
        )
    }
}

/// How an unlinked search names its ticket in a project's model.
fn ticket_ref(tracker: Tracker, id: &str) -> String {
    format!("{}:{id}", tracker.as_str())
}

/// Whether feed position `a` comes before `b` (the feed's order: time, tracker, ticket, key).
fn comes_before(a: &LabelPosition, b: &LabelPosition) -> bool {
    (a.known_at, &a.tracker, &a.ticket_id, &a.key) < (b.known_at, &b.tracker, &b.ticket_id, &b.key)
}

/// What one round learned, in feed order, for one project's model.
enum Step {
    /// A labelled group to learn.
    Learn(Group),
    /// A search without a known duplicate.
    Unlinked {
        project: String,
        ticket: String,
        at: CreatedOrder,
        candidates: Vec<Features>,
    },
    /// Tickets that turned out to have a duplicate: no longer unlinked searches.
    Linked {
        project: String,
        tickets: Vec<String>,
    },
}

impl Step {
    fn project(&self) -> &str {
        match self {
            Step::Learn((p, ..)) => p,
            Step::Unlinked { project, .. } | Step::Linked { project, .. } => project,
        }
    }

    /// `t` out of its project's unlinked searches (`None` without a project).
    fn linked(t: &TicketDoc) -> Option<Step> {
        Some(Step::Linked {
            project: t.project.clone()?,
            tickets: vec![ticket_ref(t.tracker, &t.id)],
        })
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
