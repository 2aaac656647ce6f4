//! A stored ticket with its duplicate candidates: what `GET /api/v1/tickets/{tracker}/{key}`
//! answers.

use crate::config::DuplicateSettings;
use crate::domain::{DuplicateCandidate, DuplicateTier, Enrichment, SimilarQuery, Tracker};
use crate::store::{CommentRecord, Store, StoredTicket};
use crate::ticketindex::TicketIndex;
use anyhow::Context;
use serde::Serialize;
use std::sync::Arc;

/// The ticket and its candidates, best first; tickets already linked as duplicates come
/// last with the `already_linked` tier.
#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    pub ticket: StoredTicket,
    pub duplicates: Vec<DuplicateCandidate>,
    /// TicketLens' comment on the ticket: sent, pending, or rendered only (dry-run).
    pub comment: Option<CommentRecord>,
    /// The analysis the comment was rendered from (modules, files, duplicates at the time,
    /// hints); `None` before TicketLens has analysed the ticket.
    pub analysis: Option<Enrichment>,
}

/// Looks a live ticket up with its duplicates and TicketLens' comment; `None` when unknown
/// or deleted.
pub async fn ticket_view(
    store: &Store,
    index: Arc<TicketIndex>,
    settings: &DuplicateSettings,
    tracker: Tracker,
    key: &str,
) -> anyhow::Result<Option<TicketView>> {
    let Some((ticket, duplicates)) = duplicates_of(store, index, settings, tracker, key).await?
    else {
        return Ok(None);
    };
    let comment = store
        .comment(tracker.as_str(), &ticket.id)
        .await
        .context("failed to read the comment")?;
    let analysis = comment
        .as_ref()
        .and_then(|c| serde_json::from_str::<Enrichment>(&c.analysis).ok());
    Ok(Some(TicketView {
        ticket,
        duplicates,
        comment,
        analysis,
    }))
}

/// Looks a live ticket up and searches its duplicates; `None` when unknown or deleted.
pub async fn duplicates_of(
    store: &Store,
    index: Arc<TicketIndex>,
    settings: &DuplicateSettings,
    tracker: Tracker,
    key: &str,
) -> anyhow::Result<Option<(StoredTicket, Vec<DuplicateCandidate>)>> {
    let Some(ticket) = store
        .ticket_by_key(tracker.as_str(), key)
        .await
        .context("failed to read the ticket")?
    else {
        return Ok(None);
    };
    if ticket.deleted {
        return Ok(None);
    }
    let linked = store
        .duplicate_links(tracker.as_str(), &ticket.id)
        .await
        .context("failed to read duplicate links")?;
    let query = SimilarQuery {
        title: ticket.title.clone(),
        body: ticket.body.clone(),
        project: ticket.project.clone(),
        components: ticket.components.clone(),
        created_at: ticket.created_at.clone(),
        created_before: None,
        exclude_ids: vec![ticket.id.clone(), ticket.key.clone()],
        linked: linked.clone(),
        audience: Some(settings.audience_of(tracker, ticket.project.clone(), ticket.visibility)),
    };
    let options = settings.options();
    let mut duplicates =
        tokio::task::spawn_blocking(move || index.similar(&query, &options)).await??;
    // linked tickets the search did not meet are still shown as linked
    for key in linked {
        if !duplicates.iter().any(|d| d.key == key || d.id == key) {
            duplicates.push(linked_only(tracker, key));
        }
    }
    Ok(Some((ticket, duplicates)))
}

fn linked_only(tracker: Tracker, key: String) -> DuplicateCandidate {
    DuplicateCandidate {
        tracker,
        id: String::new(),
        key,
        title: String::new(),
        status: None,
        url: None,
        similarity: 0.0,
        tier: DuplicateTier::AlreadyLinked,
        shared_terms: Vec::new(),
        shared_modules: Vec::new(),
    }
}

/// What recording a triager's verdict came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Feedback {
    /// Stored; the project's model learns it with the learner's next round.
    Recorded {
        project: Option<String>,
    },
    NoTicket,
    NoCandidate,
    /// The candidate is the ticket itself.
    Itself,
}

/// Records that `candidate` is (or is not) a duplicate of the ticket `key`: the one
/// function the API and the web page call.
pub async fn record_feedback(
    store: &Store,
    tracker: Tracker,
    key: &str,
    candidate: &str,
    duplicate: bool,
) -> anyhow::Result<Feedback> {
    if candidate == key {
        return Ok(Feedback::Itself);
    }
    let Some(ticket) = store
        .ticket_by_key(tracker.as_str(), key)
        .await
        .context("failed to read the ticket")?
        .filter(|t| !t.deleted)
    else {
        return Ok(Feedback::NoTicket);
    };
    if store
        .ticket_by_key(tracker.as_str(), candidate)
        .await
        .context("failed to read the candidate")?
        .filter(|t| !t.deleted)
        .is_none()
    {
        return Ok(Feedback::NoCandidate);
    }
    store
        .record_duplicate_feedback(tracker.as_str(), &ticket.id, candidate, duplicate)
        .await
        .context("failed to record the feedback")?;
    Ok(Feedback::Recorded {
        project: ticket.project,
    })
}
