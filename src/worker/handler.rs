//! What a job does, by kind. A ticket event runs the whole path: store the ticket, analyse
//! it, render the comment and bring the ticket's one comment up to date.

use crate::domain::{Enrichment, EventKind, TicketEvent, Tracker};
use crate::ingest::{event_from_payload, TICKET_EVENT_JOB};
use crate::render::RenderOptions;
use crate::store::{now_ms, Job, Store};
use crate::ticketindex::TicketIndex;
use crate::writeback::{write_back, CommentSink};
use futures::future::BoxFuture;
use std::sync::Arc;

/// A failed job attempt. Permanent errors (a payload that can never be processed, a 4xx from
/// a tracker) park the job as dead at once instead of retrying.
#[derive(Debug, Clone)]
pub struct JobError {
    pub message: String,
    pub permanent: bool,
    /// Not the job's fault (the code index is still being built): try again later without
    /// counting the attempt.
    pub deferred: bool,
}

impl JobError {
    pub fn retryable(message: impl Into<String>) -> Self {
        JobError {
            message: message.into(),
            permanent: false,
            deferred: false,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        JobError {
            permanent: true,
            ..JobError::retryable(message)
        }
    }

    pub fn deferred(message: impl Into<String>) -> Self {
        JobError {
            deferred: true,
            ..JobError::retryable(message)
        }
    }
}

/// Runs jobs. Object-safe so the worker pool can hold any handler.
pub trait JobHandler: Send + Sync + 'static {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>>;
}

/// The analysis step, as the worker sees it.
pub trait Analyze: Send + Sync {
    fn analyze<'a>(&'a self, ticket: &'a TicketEvent) -> BoxFuture<'a, anyhow::Result<Enrichment>>;
    /// Removes a deleted ticket from derived indexes.
    fn forget<'a>(&'a self, ticket: &'a TicketEvent) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// The service's handler for `ticket_event` jobs.
pub struct TicketEventHandler {
    pub store: Store,
    pub analyzer: Option<Arc<dyn Analyze>>,
    pub jira: Option<Arc<dyn CommentSink>>,
    pub linear: Option<Arc<dyn CommentSink>>,
    pub render: RenderOptions,
    /// The ticket index, updated from the stored row (so an out-of-order event never
    /// regresses it).
    pub index: Arc<TicketIndex>,
    /// Stage the ticket for the next timed index commit instead of committing it now.
    pub stage_index: bool,
}

impl TicketEventHandler {
    async fn run(&self, event: TicketEvent) -> Result<(), JobError> {
        let store_err = |e: sqlx::Error| JobError::retryable(format!("store: {e}"));
        let clock = std::time::Instant::now();
        let lap = |t: &mut std::time::Instant| {
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            *t = std::time::Instant::now();
            ms
        };
        let mut t = clock;
        self.store
            .apply_ticket_event(&event, now_ms())
            .await
            .map_err(store_err)?;
        let stored_ms = lap(&mut t);
        self.reindex(&event).await?;
        let indexed_ms = lap(&mut t);
        if event.kind == EventKind::Deleted {
            if let Some(a) = &self.analyzer {
                a.forget(&event)
                    .await
                    .map_err(|e| JobError::retryable(format!("index: {e:#}")))?;
            }
            return Ok(());
        }
        let stored = self
            .store
            .ticket_by_key(event.tracker.as_str(), event.key.as_str())
            .await
            .map_err(store_err)?;
        if stored.is_some_and(|t| t.deleted) {
            tracing::info!(ticket = %event.key, "ticket was deleted; no comment");
            return Ok(());
        }
        let enrichment = match &self.analyzer {
            Some(a) => a.analyze(&event).await.map_err(|e| {
                let not_ready = matches!(
                    e.downcast_ref::<crate::enrich::AnalyzeError>(),
                    Some(crate::enrich::AnalyzeError::NotReady)
                );
                if not_ready {
                    JobError::deferred(format!("analysis: {e:#}"))
                } else {
                    JobError::retryable(format!("analysis: {e:#}"))
                }
            })?,
            None => Enrichment::default(),
        };
        let analysed_ms = lap(&mut t);
        let sink = match event.tracker {
            Tracker::Jira => self.jira.as_deref(),
            Tracker::Linear => self.linear.as_deref(),
        };
        let outcome = write_back(&self.store, sink, &event, &enrichment, &self.render)
            .await
            .map_err(|e| JobError {
                permanent: e.permanent(),
                message: e.to_string(),
                deferred: false,
            })?;
        tracing::info!(ticket = %event.key, ?outcome, "comment written");
        tracing::debug!(
            ticket = %event.key, stored_ms, indexed_ms, analysed_ms, written_ms = lap(&mut t),
            total_ms = clock.elapsed().as_secs_f64() * 1000.0, "job stages"
        );
        Ok(())
    }

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
        let stage = self.stage_index;
        tokio::task::spawn_blocking(move || {
            let (upserts, deletes) = match doc {
                Some(doc) => (vec![doc], vec![]),
                None => (vec![], vec![(tracker, id)]),
            };
            if stage {
                index.stage(&upserts, &deletes)
            } else {
                index.apply(&upserts, &deletes, None).map(|_| ())
            }
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
                    self.run(event).await
                }
                other => Err(JobError::permanent(format!("unknown job kind `{other}`"))),
            }
        })
    }
}
