//! Write-back: one comment per ticket, created once and then updated in place only when the
//! rendered content changed. Crash-safe: the intent is recorded before the tracker call, and
//! a re-run finds the comment it may already have made instead of making a second one.

use crate::domain::{Enrichment, TicketEvent};
use crate::render::{self, Format, RenderOptions};
use crate::store::{now_ms, CommentRecord, Store};
use futures::future::BoxFuture;
use sha2::{Digest, Sha256};

/// A tracker call that failed. `permanent` errors (4xx other than 429) are not retried.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SinkError {
    pub message: String,
    pub permanent: bool,
}

/// Where comments go: a tracker's comment API.
pub trait CommentSink: Send + Sync {
    /// The format this tracker's API takes.
    fn format(&self) -> Format;
    /// Creates the comment; `planned_id` is our id for it where the tracker accepts one
    /// (Linear), ignored otherwise. Returns the tracker's comment id.
    fn create<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        planned_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<String, SinkError>>;
    /// Replaces the body of an existing comment.
    fn update<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        comment_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<(), SinkError>>;
    /// Looks for a comment of ours on the ticket (after a crash between create and record):
    /// by `planned_id` where the tracker took it, else by our marker.
    fn find_ours<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        planned_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, SinkError>>;
}

/// What write-back did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
    DryRun,
    Skipped,
}

/// The default format per tracker when no sink decides (dry-run).
pub fn default_format(ticket: &TicketEvent) -> Format {
    match ticket.tracker {
        crate::domain::Tracker::Jira => Format::Adf,
        crate::domain::Tracker::Linear => Format::Markdown,
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Markdown => "markdown",
        Format::Adf => "adf",
        Format::Wiki => "wiki",
    }
}

/// Renders the enrichment and brings the ticket's one comment up to date. Without a sink
/// (no credentials) the rendered comment is stored as `dry_run` and nothing is sent.
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
    let rendered = render::render(enrichment, format, opts);
    let hash = rendered
        .as_deref()
        .map(|b| hex::encode(Sha256::digest(b.as_bytes())))
        .unwrap_or_default();
    let record = |comment_id: Option<String>, state: &str| CommentRecord {
        tracker: ticket.tracker.as_str().to_string(),
        ticket_id: ticket.id.clone(),
        ticket_key: ticket.key.to_string(),
        comment_id,
        state: state.to_string(),
        format: format_name(format).to_string(),
        body: rendered.clone().unwrap_or_default(),
        content_hash: hash.clone(),
        analysis: analysis.clone(),
        updated_at: now_ms(),
    };
    let Some(body) = rendered.as_deref() else {
        if existing.is_none() {
            store.save_comment(&record(None, "skipped")).await?;
        }
        return Ok(Outcome::Skipped);
    };
    let Some(sink) = sink else {
        store.save_comment(&record(None, "dry_run")).await?;
        return Ok(Outcome::DryRun);
    };
    match existing {
        Some(e) if e.state == "sent" && e.comment_id.is_some() => {
            let id = e.comment_id.unwrap_or_default();
            if e.content_hash == hash {
                return Ok(Outcome::Unchanged);
            }
            sink.update(ticket, &id, body).await?;
            store.save_comment(&record(Some(id), "sent")).await?;
            Ok(Outcome::Updated)
        }
        existing => {
            let was_pending = existing.as_ref().is_some_and(|e| e.state == "pending");
            let planned = existing
                .and_then(|e| e.comment_id)
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            // Record the intent first: a crash after the tracker call leaves `pending`, and
            // the re-run looks for the comment before creating one.
            store
                .save_comment(&record(Some(planned.clone()), "pending"))
                .await?;
            let found = if was_pending {
                sink.find_ours(ticket, &planned).await?
            } else {
                None
            };
            let (id, outcome) = match found {
                Some(id) => {
                    sink.update(ticket, &id, body).await?;
                    (id, Outcome::Updated)
                }
                None => (sink.create(ticket, &planned, body).await?, Outcome::Created),
            };
            store.save_comment(&record(Some(id), "sent")).await?;
            Ok(outcome)
        }
    }
}

/// Why write-back failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("store: {0}")]
    Store(#[from] sqlx::Error),
    #[error("tracker: {0}")]
    Sink(#[from] SinkError),
}

impl WriteError {
    /// Whether retrying can help.
    pub fn permanent(&self) -> bool {
        matches!(self, WriteError::Sink(e) if e.permanent)
    }
}
