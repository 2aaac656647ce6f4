//! The duplicate search for a stored ticket: its candidates from the ticket index, and the
//! tickets already linked to it (shown as linked even when the search did not meet them).
//! The worker's analysis and the tickets API and page share it.

use crate::config::DuplicateSettings;
use crate::domain::{DuplicateCandidate, DuplicateTier, SimilarQuery, Tracker};
use crate::store::{Store, StoredTicket};
use crate::ticketindex::TicketIndex;
use anyhow::Context;
use std::sync::Arc;

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
