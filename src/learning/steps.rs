//! What one round of learning reads, as steps for the projects' models: a link or a
//! verdict as a labelled search, a ticket without a known duplicate as an unlinked search,
//! and the tickets a link or a "duplicate" verdict takes out of the unlinked searches.

use super::Learner;
use crate::domain::{CreatedOrder, SimilarQuery, TicketDoc, Tracker};
use crate::store::{LabelPosition, LearnedLabel, Store, UnlinkedTicket};
use crate::ticketindex::{Features, Label, TicketIndex, FIRST_STAGE};

/// Candidates kept per unlinked search, best first stage first: the model rescores them at
/// every refit, and the one it ranks first is the search's would-be alarm.
const UNLINKED_CANDIDATES: usize = 10;

impl Learner {
    /// A link as a labelled search: the later of the two tickets searched among the tickets
    /// created before it (never its own future), its linked tickets the positives; and both
    /// tickets out of their projects' unlinked searches. No group when a ticket is unknown,
    /// the search does not meet the other one, or the same link the other way round came
    /// first in the feed (Jira tells each side of a link; it is learned once).
    pub(super) async fn link_steps(
        &self,
        store: &Store,
        l: &LearnedLabel,
    ) -> anyhow::Result<Vec<Step>> {
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
                visibility: b.visibility,
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
    pub(super) async fn verdict_steps(
        &self,
        store: &Store,
        v: &LearnedLabel,
    ) -> anyhow::Result<Vec<Step>> {
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
    pub(super) async fn unlinked_step(&self, t: &UnlinkedTicket) -> anyhow::Result<Option<Step>> {
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
            audience: None,
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
pub(super) enum Step {
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
    pub(super) fn project(&self) -> &str {
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

pub(super) type Group = (
    String,
    Label,
    CreatedOrder,
    Vec<(crate::ticketindex::Features, bool)>,
);
