//! What a job does, by kind.

use crate::domain::{EventKind, TicketEvent};
use crate::ingest::{event_from_payload, TICKET_EVENT_JOB};
use crate::store::{now_ms, Job, Store};
use crate::ticketindex::TicketIndex;
use futures::future::BoxFuture;
use std::sync::Arc;

/// A failed job attempt. Permanent errors (a payload that can never be processed, a 4xx from
/// a tracker) park the job as dead at once instead of retrying.
#[derive(Debug, Clone)]
pub struct JobError {
    pub message: String,
    pub permanent: bool,
}

impl JobError {
    pub fn retryable(message: impl Into<String>) -> Self {
        JobError {
            message: message.into(),
            permanent: false,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        JobError {
            message: message.into(),
            permanent: true,
        }
    }
}

/// Runs jobs. Object-safe so the worker pool can hold any handler.
pub trait JobHandler: Send + Sync + 'static {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>>;
}

/// The service's handler: applies ticket events to the store, then to the ticket index
/// (from the stored row, so an out-of-order event never regresses the index).
pub struct TicketEventHandler {
    pub store: Store,
    pub index: Arc<TicketIndex>,
}

impl TicketEventHandler {
    async fn reindex(&self, event: &TicketEvent) -> Result<(), JobError> {
        let doc = if event.kind == EventKind::Deleted {
            None
        } else {
            self.store
                .ticket_doc(event.tracker, &event.id)
                .await
                .map_err(|e| JobError::retryable(format!("store: {e}")))?
        };
        let index = self.index.clone();
        let (tracker, id) = (event.tracker, event.id.clone());
        tokio::task::spawn_blocking(move || match doc {
            Some(doc) => index.upsert(std::slice::from_ref(&doc)),
            None => index.remove(tracker, &id),
        })
        .await
        .map_err(|e| JobError::retryable(format!("ticket index task: {e}")))?
        .map_err(|e| JobError::retryable(e.to_string()))
    }
}

impl JobHandler for TicketEventHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            match job.kind.as_str() {
                TICKET_EVENT_JOB => {
                    let event = event_from_payload(&job.payload)
                        .map_err(|e| JobError::permanent(format!("unreadable payload: {e}")))?;
                    tracing::debug!(ticket = %event.key, kind = event.kind.as_str(), "applying ticket event");
                    self.store
                        .apply_ticket_event(&event, now_ms())
                        .await
                        .map_err(|e| JobError::retryable(format!("store: {e}")))?;
                    self.reindex(&event).await
                }
                other => Err(JobError::permanent(format!("unknown job kind `{other}`"))),
            }
        })
    }
}
