//! What a job does, by kind. A ticket event runs the whole path: store the ticket, analyse
//! it, render the comment and bring the ticket's one comment up to date.

use crate::domain::{Enrichment, LinkNotice, LinkedTicket, TicketEvent};
use crate::ingest::{
    job_from_payload, links_from_payload, DUPLICATE_LINKS_JOB, REANALYZE_JOB, TICKET_EVENT_JOB,
};
use crate::metrics::Metrics;
use crate::render::RenderOptions;
use crate::store::{Job, Store};
use crate::ticketindex::TicketIndex;
use crate::writeback::{write_back, Failure, WriteError};
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
    /// The tracker refused our credentials: wait with a growing backoff, attempts not
    /// counted, until an operator fixes the token — never dead for it.
    pub auth: bool,
}

impl JobError {
    pub fn retryable(message: impl Into<String>) -> Self {
        JobError {
            message: message.into(),
            permanent: false,
            deferred: false,
            auth: false,
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

    /// A write-back failure, by what the tracker said.
    pub fn from_write(e: &WriteError) -> Self {
        let message = e.to_string();
        match e.failure() {
            Failure::Transient => JobError::retryable(message),
            Failure::Auth => JobError {
                auth: true,
                ..JobError::retryable(message)
            },
            Failure::NotFound | Failure::Permanent => JobError::permanent(message),
        }
    }
}

/// Runs jobs. Object-safe so the worker pool can hold any handler.
pub trait JobHandler: Send + Sync + 'static {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>>;
}

/// The service's handler for `ticket_event` jobs.
pub struct TicketEventHandler {
    pub store: Store,
    /// The one analysis (`enrich::Pipeline`), shared with the API and the pages.
    pub pipeline: Arc<crate::enrich::Pipeline>,
    /// Modules and files kept per ticket.
    pub analysis_limit: usize,
    /// Each tracker's comment API, or none (dry run).
    pub sinks: super::Sinks,
    pub render: RenderOptions,
    /// The ticket index, updated from the stored row (so an out-of-order event never
    /// regresses it).
    pub index: Arc<TicketIndex>,
    /// Stage the ticket for the next timed index commit instead of committing it now.
    pub stage_index: bool,
    /// Comment outcomes and rejected credentials are counted here.
    pub metrics: Metrics,
    /// The tracker APIs recording a webhook's duplicate links may ask.
    pub link_lookups: super::links::LinkLookups,
}

impl TicketEventHandler {
    /// The ticket as stored, through the one pipeline. An index still being built defers
    /// the job (its attempt given back); anything else is retried.
    async fn analyze(&self, ticket: &TicketEvent) -> Result<Enrichment, JobError> {
        let req = crate::enrich::Request {
            title: ticket.title.clone(),
            body: ticket.body.clone(),
            repository: None,
            limit: self.analysis_limit,
            subject: crate::enrich::Subject::Ticket {
                tracker: ticket.tracker,
                id: ticket.id.clone(),
                key: ticket.key.as_str().to_string(),
            },
        };
        self.pipeline.enrich(req).await.map_err(|e| match e {
            crate::enrich::AnalyzeError::NotReady => JobError::deferred(format!("analysis: {e:#}")),
            e => JobError::retryable(format!("analysis: {:#}", anyhow::Error::new(e))),
        })
    }

    /// One ticket's job: store its event and the events of every job of the same ticket
    /// still queued (a burst of edits collapses into this one run, the others marked merged),
    /// then analyse the ticket AS STORED and bring its comment up to date. Jobs of one
    /// ticket never run at once (the queue sees to it), so this is the ticket's only writer.
    async fn run(
        &self,
        job: &Job,
        event: TicketEvent,
        mut links: Vec<LinkedTicket>,
    ) -> Result<(), JobError> {
        let store_err = |e: sqlx::Error| JobError::retryable(format!("store: {e}"));
        let clock = std::time::Instant::now();
        let lap = |t: &mut std::time::Instant| {
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            *t = std::time::Instant::now();
            ms
        };
        let mut t = clock;
        let queued = self.store.queued_for_ticket(job).await.map_err(store_err)?;
        let mut changed = self
            .store
            .apply_ticket_event(&event, self.store.now())
            .await
            .map_err(store_err)?;
        let mut merged = Vec::new();
        // only planning data changed (a priority, sprint or assignee): stored, not analysed
        let mut needs_analysis = event.needs_enrichment();
        for other in &queued {
            if other.kind != TICKET_EVENT_JOB {
                continue; // a links job of the ticket runs on its own, after this one
            }
            let Ok((e, more)) = job_from_payload(&other.payload) else {
                continue; // unreadable: left to fail on its own
            };
            if e.tracker == event.tracker && e.id == event.id {
                needs_analysis |= e.needs_enrichment();
                links.extend(more);
                changed |= self
                    .store
                    .apply_ticket_event(&e, self.store.now())
                    .await
                    .map_err(store_err)?;
                merged.push(other.id);
            }
        }
        if !links.is_empty() {
            // after the ticket is stored, so the link's ticket is known when it is learned
            let notice = LinkNotice {
                tracker: event.tracker,
                ticket_id: event.id.clone(),
                key: event.key.to_string(),
                links,
                news: false,
            };
            super::links::record(&self.store, &self.link_lookups, &notice).await?;
        }
        let stored_ms = lap(&mut t);
        let stored = self
            .store
            .stored_event(event.tracker, &event.id)
            .await
            .map_err(store_err)?;
        self.reindex(&event, stored.as_ref()).await?;
        if !merged.is_empty() {
            let n = self
                .store
                .merge_into(&merged, job.id, self.store.now())
                .await
                .map_err(store_err)?;
            tracing::debug!(ticket = %event.key, merged = n, "queued events of the ticket taken in");
        }
        let indexed_ms = lap(&mut t);
        let Some((ticket, deleted)) = stored else {
            return Ok(()); // a deletion of a ticket never stored
        };
        if deleted {
            // the ticket index dropped it above, from the stored row
            tracing::info!(ticket = %ticket.key, "ticket was deleted; no comment");
            return Ok(());
        }
        if !needs_analysis {
            tracing::info!(ticket = %ticket.key, "planning data stored; no analysis");
            return Ok(());
        }
        if !changed {
            let comment = self
                .store
                .comment(ticket.tracker.as_str(), &ticket.id)
                .await
                .map_err(store_err)?;
            if comment.is_some_and(|c| c.state != crate::domain::CommentState::Pending) {
                tracing::info!(ticket = %ticket.key, "an older event: nothing changed");
                return Ok(());
            }
        }
        self.analyse_and_write(&ticket, clock, t, stored_ms, indexed_ms)
            .await
    }

    /// Analyses a stored ticket and brings its one comment up to date (the end of a ticket
    /// event's job, and the whole of a `reanalyze` job).
    async fn analyse_and_write(
        &self,
        ticket: &TicketEvent,
        clock: std::time::Instant,
        mut t: std::time::Instant,
        stored_ms: f64,
        indexed_ms: f64,
    ) -> Result<(), JobError> {
        let store_err = |e: sqlx::Error| JobError::retryable(format!("store: {e}"));
        let lap = |t: &mut std::time::Instant| {
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            *t = std::time::Instant::now();
            ms
        };
        let mut enrichment = self.analyze(ticket).await?;
        self.store
            .set_ticket_modules(
                ticket.tracker.as_str(),
                &ticket.id,
                &enrichment.modules,
                self.store.now(),
            )
            .await
            .map_err(store_err)?;
        enrichment.shared_plan =
            super::shared_plan::shared_plan(&self.store, ticket, &enrichment.modules)
                .await
                .map_err(store_err)?;
        // what the comment names, for live accuracy once the ticket's fix lands
        let analysed = crate::store::AnalysedTicket {
            tracker: ticket.tracker.as_str(),
            ticket_id: &ticket.id,
            ticket_key: ticket.key.as_str(),
            project: ticket.project.as_deref().unwrap_or(""),
        };
        self.store
            .record_prediction(
                analysed,
                &crate::render::shown(&enrichment),
                self.store.now(),
            )
            .await
            .map_err(store_err)?;
        // and the likely duplicates it suggests, to learn later what became of them
        let likely: Vec<(&str, &str)> = enrichment
            .duplicates
            .iter()
            .filter(|d| d.tier == crate::domain::DuplicateTier::LikelyDuplicate)
            .map(|d| (d.id.as_str(), d.key.as_str()))
            .collect();
        self.store
            .record_duplicate_suggestions(analysed, &likely, self.store.now())
            .await
            .map_err(store_err)?;
        let analysed_ms = lap(&mut t);
        let sink = self.sinks.of(ticket.tracker);
        let tracker = ticket.tracker.as_str();
        let written = write_back(&self.store, sink, ticket, &enrichment, &self.render).await;
        let rejected = matches!(&written, Err(e) if e.failure() == Failure::Auth);
        if sink.is_some() && (written.is_ok() || rejected) {
            self.metrics
                .tracker_credentials_rejected
                .with_label_values(&[tracker])
                .set(i64::from(rejected));
        }
        let outcome = written.map_err(|e| JobError::from_write(&e))?;
        self.metrics
            .comment_writes
            .with_label_values(&[tracker, outcome.as_str()])
            .inc();
        tracing::info!(ticket = %ticket.key, ?outcome, "comment written");
        tracing::debug!(
            ticket = %ticket.key, stored_ms, indexed_ms, analysed_ms, written_ms = lap(&mut t),
            total_ms = clock.elapsed().as_secs_f64() * 1000.0, "job stages"
        );
        Ok(())
    }

    /// A `reanalyze` job: the stored ticket (if still there) analysed and written again.
    async fn reanalyze(&self, payload: &str) -> Result<(), JobError> {
        #[derive(serde::Deserialize)]
        struct Which {
            tracker: String,
            id: String,
        }
        let which: Which = serde_json::from_str(payload)
            .map_err(|e| JobError::permanent(format!("unreadable payload: {e}")))?;
        let tracker = crate::domain::Tracker::parse(&which.tracker)
            .ok_or_else(|| JobError::permanent(format!("unknown tracker {}", which.tracker)))?;
        let stored = self
            .store
            .stored_event(tracker, &which.id)
            .await
            .map_err(|e| JobError::retryable(format!("store: {e}")))?;
        match stored {
            Some((ticket, false)) => {
                let now = std::time::Instant::now();
                tracing::info!(ticket = %ticket.key, "analysing again now that its repositories are indexed and mined");
                self.analyse_and_write(&ticket, now, now, 0.0, 0.0).await
            }
            _ => Ok(()),
        }
    }

    /// Brings the ticket index in line with the stored row (so an out-of-order event never
    /// regresses it): the ticket as stored, or its removal when deleted or never stored.
    async fn reindex(
        &self,
        event: &TicketEvent,
        stored: Option<&(TicketEvent, bool)>,
    ) -> Result<(), JobError> {
        let doc = match stored {
            Some((_, false)) => self
                .store
                .ticket_doc(event.tracker, &event.id)
                .await
                .map_err(|e| JobError::retryable(format!("store: {e}")))?,
            _ => None,
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
                index.apply(&upserts, &deletes, None)
            }
        })
        .await
        .map_err(|e| JobError::retryable(format!("ticket index task: {e}")))?
        .map(|_| ())
        .map_err(|e| JobError::retryable(e.to_string()))
    }
}

impl JobHandler for TicketEventHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            match job.kind.as_str() {
                TICKET_EVENT_JOB => {
                    let (event, links) = job_from_payload(&job.payload)
                        .map_err(|e| JobError::permanent(format!("unreadable payload: {e}")))?;
                    self.run(job, event, links).await
                }
                REANALYZE_JOB => self.reanalyze(&job.payload).await,
                DUPLICATE_LINKS_JOB => {
                    let notice = links_from_payload(&job.payload)
                        .map_err(|e| JobError::permanent(format!("unreadable payload: {e}")))?;
                    super::links::record(&self.store, &self.link_lookups, &notice)
                        .await
                        .map(|_| ())
                }
                other => Err(JobError::permanent(format!("unknown job kind `{other}`"))),
            }
        })
    }
}
