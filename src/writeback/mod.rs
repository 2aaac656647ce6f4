//! Write-back: one comment per ticket, created once and then updated in place only when the
//! rendered content changed. Crash-safe: the intent is recorded before the tracker call, and
//! a re-run finds the comment it may already have made instead of making a second one.

use crate::domain::{CommentState, Enrichment, TicketEvent};
use crate::render::{self, Format, RenderOptions};
use crate::store::{now_ms, CommentRecord, Store};
use sha2::{Digest, Sha256};

pub use crate::trackers::sink::{CommentSink, Failure, SinkError};

/// What write-back did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    /// A create whose outcome was unknown (a crash, a 500 or a timeout after the tracker
    /// stored it) turned out to have landed: the comment was found and brought up to date.
    Adopted,
    Updated,
    /// A person deleted our comment: it was made anew, once, and counted.
    Recreated,
    Unchanged,
    DryRun,
    Skipped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Adopted => "adopted",
            Outcome::Updated => "updated",
            Outcome::Recreated => "recreated",
            Outcome::Unchanged => "unchanged",
            Outcome::DryRun => "dry_run",
            Outcome::Skipped => "skipped",
        }
    }
}

/// The default format per tracker when no sink decides (dry-run).
pub fn default_format(ticket: &TicketEvent) -> Format {
    crate::trackers::adapter(ticket.tracker).comment_format()
}

/// Renders the enrichment and brings the ticket's one comment up to date. Without a sink
/// (no credentials) the rendered comment is stored as `dry_run` and nothing is sent.
///
/// A create is sent at most once per intent: the intent (`pending`, with our planned id) is
/// recorded first as a compare-and-set, so only one writer ever owns it; a create whose
/// outcome is unknown is never sent again — the next attempt looks for the comment by the
/// planned id (`find_ours`) and adopts it. Updates may be retried freely. An update that
/// finds the comment gone (a person deleted it) makes it anew once, and counts it.
pub async fn write_back(
    store: &Store,
    sink: Option<&dyn CommentSink>,
    ticket: &TicketEvent,
    enrichment: &Enrichment,
    opts: &RenderOptions,
) -> Result<Outcome, WriteError> {
    let format = sink
        .map(|s| s.format())
        .unwrap_or_else(|| default_format(ticket));
    let existing = store.comment(ticket.tracker.as_str(), &ticket.id).await?;
    let analysis = serde_json::to_string(enrichment).unwrap_or_default();
    let opts = opts.for_ticket(ticket.tracker.as_str(), ticket.key.as_str());
    let rendered = render::render(enrichment, format, &opts);
    let hash = rendered
        .as_deref()
        .map(|b| hex::encode(Sha256::digest(b.as_bytes())))
        .unwrap_or_default();
    let record = |comment_id: Option<String>, state: CommentState| CommentRecord {
        tracker: ticket.tracker,
        ticket_id: ticket.id.clone(),
        ticket_key: ticket.key.to_string(),
        comment_id,
        state,
        format,
        body: rendered.clone().unwrap_or_default(),
        content_hash: hash.clone(),
        analysis: analysis.clone(),
        updated_at: now_ms(),
        intent: None,
        recreated: existing.as_ref().map_or(0, |e| e.recreated),
    };
    let Some(body) = rendered.as_deref() else {
        if existing.is_none() {
            store
                .save_comment(&record(None, CommentState::Skipped))
                .await?;
        }
        return Ok(Outcome::Skipped);
    };
    let Some(sink) = sink else {
        // a comment that exists in the tracker (or may: pending) keeps its record when the
        // credentials are taken away; anything else shows the latest dry-run rendering
        let in_tracker = existing
            .as_ref()
            .is_some_and(|e| e.state == CommentState::Sent || e.state == CommentState::Pending);
        if !in_tracker {
            store
                .save_comment(&record(None, CommentState::DryRun))
                .await?;
        }
        return Ok(Outcome::DryRun);
    };
    if let Some(e) = existing.as_ref().filter(|e| e.state == CommentState::Sent) {
        if let Some(id) = e.comment_id.clone() {
            if e.content_hash == hash {
                return Ok(Outcome::Unchanged);
            }
            return update(store, sink, ticket, body, e, id, &record).await;
        }
    }
    // No comment yet (or a create whose outcome is unknown): own the create, then look
    // before sending one.
    let planned = existing
        .as_ref()
        .filter(|e| e.state == CommentState::Pending)
        .and_then(|e| e.comment_id.clone())
        .unwrap_or_else(new_planned_id);
    let pending = record(Some(planned), CommentState::Pending);
    create(
        store,
        sink,
        ticket,
        body,
        pending,
        existing.as_ref(),
        Outcome::Created,
    )
    .await
}

/// Updates our sent comment in place; when a person deleted it, makes it anew, once.
async fn update(
    store: &Store,
    sink: &dyn CommentSink,
    ticket: &TicketEvent,
    body: &str,
    sent: &CommentRecord,
    id: String,
    record: &(dyn Fn(Option<String>, CommentState) -> CommentRecord + Sync),
) -> Result<Outcome, WriteError> {
    match sink.update(ticket, &id, body).await {
        Ok(()) => {
            store
                .save_comment(&record(Some(id), CommentState::Sent))
                .await?;
            Ok(Outcome::Updated)
        }
        Err(err) if err.failure == Failure::NotFound => {
            tracing::warn!(
                ticket = %ticket.key, comment = %id,
                "our comment is gone (deleted by a person?); making it anew"
            );
            let mut pending = record(Some(new_planned_id()), CommentState::Pending);
            pending.recreated = sent.recreated + 1;
            let outcome = Outcome::Recreated;
            create(store, sink, ticket, body, pending, Some(sent), outcome).await
        }
        Err(err) => Err(err.into()),
    }
}

/// A fresh id for a comment we are about to create (Linear takes it as the comment's id;
/// Jira keeps it in our comment property), also used as a writer's intent token.
fn new_planned_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Takes the create over from the row as it was read (`old`; none when the ticket has no
/// row yet), then sends it.
async fn create(
    store: &Store,
    sink: &dyn CommentSink,
    ticket: &TicketEvent,
    body: &str,
    pending: CommentRecord,
    old: Option<&CommentRecord>,
    outcome: Outcome,
) -> Result<Outcome, WriteError> {
    let token = new_planned_id();
    let pending = CommentRecord {
        intent: Some(token.clone()),
        ..pending
    };
    if !store.claim_create(&pending, old).await? {
        return Err(WriteError::Raced);
    }
    // A row that was already pending with this planned id: an earlier create may have
    // landed (a crash, a 500 or a timeout after the tracker stored it).
    let may_exist = old.is_some_and(|old| {
        old.state == CommentState::Pending && old.comment_id == pending.comment_id
    });
    send_create(
        store, sink, ticket, body, pending, &token, may_exist, outcome,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn send_create(
    store: &Store,
    sink: &dyn CommentSink,
    ticket: &TicketEvent,
    body: &str,
    pending: CommentRecord,
    token: &str,
    may_exist: bool,
    outcome: Outcome,
) -> Result<Outcome, WriteError> {
    let planned = pending.comment_id.clone().unwrap_or_default();
    let found = if may_exist {
        sink.find_ours(ticket, &planned).await?
    } else {
        None
    };
    let (id, outcome) = match found {
        Some(id) => {
            sink.adopt(ticket, &id, &planned, body).await?;
            (id, Outcome::Adopted)
        }
        None => (sink.create(ticket, &planned, body).await?, outcome),
    };
    let sent = CommentRecord {
        comment_id: Some(id),
        state: CommentState::Sent,
        updated_at: now_ms(),
        ..pending
    };
    if !store.finish_create(&sent, token).await? {
        tracing::warn!(ticket = %ticket.key, "another writer took this comment's create over");
    }
    Ok(outcome)
}

/// Why write-back failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("store: {0}")]
    Store(#[from] sqlx::Error),
    #[error("tracker: {0}")]
    Sink(#[from] SinkError),
    /// Another writer changed the comment's row between our read and our claim: it owns
    /// the create; this attempt steps back and the job runs again.
    #[error("another writer is creating this ticket's comment")]
    Raced,
}

impl WriteError {
    /// The tracker's failure kind; store faults and races are transient.
    pub fn failure(&self) -> Failure {
        match self {
            WriteError::Sink(e) => e.failure,
            WriteError::Store(_) | WriteError::Raced => Failure::Transient,
        }
    }
}
