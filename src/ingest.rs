//! Webhook ingestion: verify → parse → store the delivery and its job durably → answer.
//!
//! Durable writes go through a group-commit writer: concurrent webhooks are committed
//! together in one transaction, and each request is answered only after that commit.

use crate::config::Settings;
use crate::domain::{
    EventKind, IgnoreReason, LinkNotice, LinkedTicket, ParseError, Parsed, TicketEvent, Tracker,
};
use crate::metrics::Metrics;
use crate::store::{now_ms, DeliveryOutcome, NewDelivery, NewJob, Store};
use crate::trackers::{self, VerifyError};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Mutex, Notify};
use tokio::task::JoinHandle;

/// The job kind that carries a normalized ticket event to the worker.
pub const TICKET_EVENT_JOB: &str = "ticket_event";

/// The job kind that only records a webhook's duplicate links (a [`LinkNotice`]): the
/// ticket event itself was ignored (a link added in Jira, an issue closed as a duplicate),
/// so nothing is analysed or commented.
pub const DUPLICATE_LINKS_JOB: &str = "duplicate_links";
/// A stored ticket analysed again (and its comment brought up to date) because it was
/// first analysed before its repositories were indexed and mined; payload
/// `{"tracker", "id"}`.
pub const REANALYZE_JOB: &str = "reanalyze";

/// Delivery ids up to this length are stored as sent; longer ones by the hash of the whole.
const DELIVERY_ID_MAX: usize = 200;

/// The key a delivery id is stored under: the id itself, or `id-sha256:<hash>` of the whole
/// id when it is longer than a column should hold. Never a prefix: two ids that share their
/// first 200 characters are two deliveries.
pub fn delivery_key(id: &str) -> String {
    let id = id.trim();
    if id.len() <= DELIVERY_ID_MAX {
        id.to_string()
    } else {
        format!("id-sha256:{}", hex::encode(Sha256::digest(id.as_bytes())))
    }
}

/// The ticket a job is for, as the queue keys it: jobs of one ticket run one at a time.
pub fn ticket_ref(event: &TicketEvent) -> String {
    format!("{}:{}", event.tracker.as_str(), event.id)
}

/// Why a webhook was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Unauthorized(#[from] VerifyError),
    #[error(transparent)]
    BadRequest(#[from] ParseError),
    #[error("too many webhooks are waiting to be stored; retry later")]
    Busy,
    #[error("the webhook could not be stored")]
    Store(#[source] anyhow::Error),
}

/// The answer to an accepted webhook.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Ack {
    /// `queued`, `ignored` or `duplicate`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
}

struct Pending {
    delivery: NewDelivery,
    reply: oneshot::Sender<Result<DeliveryOutcome, String>>,
}

/// Verifies, parses and durably stores webhooks. Cheap to clone.
#[derive(Clone)]
pub struct Ingestor {
    tx: mpsc::Sender<Pending>,
    settings: Arc<Settings>,
    metrics: Metrics,
    timeout: Duration,
}

impl Ingestor {
    /// Starts the group-commit writers. They stop once every `Ingestor` clone is dropped and
    /// everything already received is committed and answered. `wake` is notified when a
    /// commit enqueued jobs, so idle workers start at once instead of at their next poll.
    pub fn start(
        store: Store,
        settings: Arc<Settings>,
        metrics: Metrics,
        wake: Arc<Notify>,
    ) -> (Ingestor, Vec<JoinHandle<()>>) {
        let (tx, rx) = mpsc::channel(settings.server.ingest_queue_capacity.max(1));
        let rx = Arc::new(Mutex::new(rx));
        // SQLite has one writer; PostgreSQL commits overlap, so a few writers pipeline.
        let writers = match store.backend() {
            crate::store::Backend::Sqlite => 1,
            crate::store::Backend::Postgres => 4,
        };
        let batch_max = settings.server.ingest_batch_max.max(1);
        let max_attempts = settings.queue.max_attempts;
        let handles = (0..writers)
            .map(|_| {
                let (rx, store, wake) = (rx.clone(), store.clone(), wake.clone());
                tokio::spawn(write_batches(rx, store, batch_max, max_attempts, wake))
            })
            .collect();
        let timeout = Duration::from_millis(settings.server.ingest_timeout_ms);
        let ingestor = Ingestor {
            tx,
            settings,
            metrics,
            timeout,
        };
        (ingestor, handles)
    }

    /// Handles one webhook body with its headers (names looked up lower-case).
    pub async fn receive<'a>(
        &self,
        tracker: Tracker,
        header: impl Fn(&str) -> Option<&'a str>,
        body: &[u8],
    ) -> Result<Ack, IngestError> {
        let result = self.receive_inner(tracker, header, body).await;
        let outcome = match &result {
            Ok(ack) => ack.status,
            Err(IngestError::Unauthorized(_)) => "unauthorized",
            Err(IngestError::BadRequest(_)) => "bad_request",
            Err(IngestError::Busy) => "busy",
            Err(IngestError::Store(_)) => "store_error",
        };
        self.metrics
            .webhooks
            .with_label_values(&[tracker.as_str(), outcome])
            .inc();
        if let Ok(Ack {
            reason: Some(reason),
            ..
        }) = &result
        {
            self.metrics
                .webhooks_ignored
                .with_label_values(&[tracker.as_str(), reason])
                .inc();
        }
        result
    }

    async fn receive_inner<'a>(
        &self,
        tracker: Tracker,
        header: impl Fn(&str) -> Option<&'a str>,
        body: &[u8],
    ) -> Result<Ack, IngestError> {
        let s = &self.settings;
        let adapter = trackers::adapter(tracker);
        let header: trackers::adapter::Header<'_, 'a> = &header;
        adapter.verify(s, header, body, now_ms())?;
        let parsed = adapter.parse(s, header, body)?;
        let body_sha256 = hex::encode(Sha256::digest(body));
        let delivery_id = adapter
            .delivery_headers()
            .iter()
            .filter_map(|h| header(h).map(delivery_key))
            .find(|d| !d.is_empty())
            .unwrap_or_else(|| format!("sha256:{body_sha256}"));
        // The body already parsed as JSON, so it is valid UTF-8. A confidential GitLab issue
        // that is not accepted leaves no text behind, not even in the delivery log.
        let withheld = adapter.withheld(s, header, body);
        // Links are read here, at the edge where the body is, and recorded by the job
        // (after the delivery is durable); a withheld body tells nothing.
        let links = (!withheld)
            .then(|| adapter.duplicate_links(header, body))
            .flatten();
        let raw_body = if withheld {
            String::new()
        } else {
            String::from_utf8_lossy(body).into_owned()
        };
        let (ack, delivery) = match parsed {
            Parsed::Ignored(reason) => {
                let job = match links {
                    Some(notice) if notice.news && reason == IgnoreReason::IrrelevantUpdate => {
                        Some(links_job(&notice).map_err(|e| IngestError::Store(e.into()))?)
                    }
                    _ => None,
                };
                (
                    ignored_ack(reason, None),
                    NewDelivery {
                        tracker: tracker.as_str(),
                        delivery_id,
                        body_sha256,
                        raw_body,
                        outcome: format!("ignored:{}", reason.as_str()),
                        ticket_key: None,
                        job,
                    },
                )
            }
            Parsed::Event(event) => {
                let (ack, job) = queued(&event, links.as_ref(), s.queue.edit_settle_ms)?;
                let delivery = NewDelivery {
                    tracker: tracker.as_str(),
                    delivery_id,
                    body_sha256,
                    raw_body,
                    outcome: "queued".into(),
                    ticket_key: Some(event.key.to_string()),
                    job: Some(job),
                };
                (ack, delivery)
            }
        };
        match self.store(delivery).await? {
            DeliveryOutcome::Duplicate => Ok(Ack {
                status: "duplicate",
                job_id: None,
                reason: None,
                ..ack
            }),
            DeliveryOutcome::Stored { job_id } => Ok(Ack { job_id, ..ack }),
        }
    }

    async fn store(&self, delivery: NewDelivery) -> Result<DeliveryOutcome, IngestError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .try_send(Pending { delivery, reply })
            .map_err(|_| IngestError::Busy)?;
        match tokio::time::timeout(self.timeout, answer).await {
            Ok(Ok(Ok(outcome))) => Ok(outcome),
            Ok(Ok(Err(e))) => Err(IngestError::Store(anyhow::anyhow!(e))),
            Ok(Err(_)) => Err(IngestError::Store(anyhow::anyhow!("writer stopped"))),
            // Not acknowledged: the tracker retries, and the retry is de-duplicated if the
            // slow commit did land after all.
            Err(_) => Err(IngestError::Busy),
        }
    }
}

#[derive(Serialize)]
struct JobPayload<'a> {
    event: &'a TicketEvent,
    /// The webhook's duplicate links (absent in payloads queued before links were read).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    links: &'a [LinkedTicket],
}

#[derive(serde::Deserialize)]
struct StoredPayload {
    event: TicketEvent,
    #[serde(default)]
    links: Vec<LinkedTicket>,
}

/// Reads the ticket event back out of a `ticket_event` job's payload.
pub fn event_from_payload(payload: &str) -> Result<TicketEvent, serde_json::Error> {
    job_from_payload(payload).map(|(event, _)| event)
}

/// Reads a `ticket_event` job's payload: the event and the webhook's duplicate links.
pub fn job_from_payload(
    payload: &str,
) -> Result<(TicketEvent, Vec<LinkedTicket>), serde_json::Error> {
    serde_json::from_str::<StoredPayload>(payload).map(|p| (p.event, p.links))
}

/// The answer and the job for a ticket event: the event with the links the body told of
/// (when they are this ticket's and it was not deleted), an edit held back `edit_settle_ms`
/// so a burst of edits is analysed once.
fn queued(
    event: &TicketEvent,
    links: Option<&LinkNotice>,
    edit_settle_ms: i64,
) -> Result<(Ack, NewJob), IngestError> {
    let links: &[LinkedTicket] = match links {
        Some(n) if n.ticket_id == event.id && event.kind != EventKind::Deleted => &n.links,
        _ => &[],
    };
    let payload = serde_json::to_string(&JobPayload { event, links })
        .map_err(|e| IngestError::Store(e.into()))?;
    let ack = Ack {
        status: "queued",
        job_id: None,
        reason: None,
        key: Some(event.key.to_string()),
        kind: Some(event.kind.as_str()),
    };
    let job = NewJob {
        kind: TICKET_EVENT_JOB.to_string(),
        payload,
        ticket_ref: Some(ticket_ref(event)),
        delay_ms: match event.kind {
            EventKind::Updated => edit_settle_ms,
            EventKind::Created | EventKind::Deleted => 0,
        },
    };
    Ok((ack, job))
}

/// Reads a `duplicate_links` job's payload.
pub fn links_from_payload(payload: &str) -> Result<LinkNotice, serde_json::Error> {
    serde_json::from_str(payload)
}

/// The job that records the links of a webhook whose ticket event is ignored; keyed to the
/// ticket like its events, so it never runs beside one of them.
fn links_job(notice: &LinkNotice) -> Result<NewJob, serde_json::Error> {
    Ok(NewJob {
        kind: DUPLICATE_LINKS_JOB.to_string(),
        payload: serde_json::to_string(notice)?,
        ticket_ref: Some(format!("{}:{}", notice.tracker.as_str(), notice.ticket_id)),
        delay_ms: 0,
    })
}

fn ignored_ack(reason: IgnoreReason, key: Option<String>) -> Ack {
    Ack {
        status: "ignored",
        job_id: None,
        reason: Some(reason.as_str()),
        key,
        kind: None,
    }
}

async fn write_batches(
    rx: Arc<Mutex<mpsc::Receiver<Pending>>>,
    store: Store,
    batch_max: usize,
    max_attempts: i64,
    wake: Arc<Notify>,
) {
    loop {
        let mut batch = Vec::new();
        {
            let mut rx = rx.lock().await;
            match rx.recv().await {
                Some(p) => batch.push(p),
                None => return,
            }
            while batch.len() < batch_max {
                match rx.try_recv() {
                    Ok(p) => batch.push(p),
                    Err(_) => break,
                }
            }
        }
        let (deliveries, replies): (Vec<NewDelivery>, Vec<_>) =
            batch.into_iter().map(|p| (p.delivery, p.reply)).unzip();
        match store
            .store_deliveries(&deliveries, max_attempts, store.now())
            .await
        {
            Ok(outcomes) => {
                if outcomes
                    .iter()
                    .any(|o| matches!(o, DeliveryOutcome::Stored { job_id: Some(_) }))
                {
                    wake.notify_waiters();
                }
                for (reply, o) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(o));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, size = replies.len(), "failed to store a webhook batch");
                for reply in replies {
                    let _ = reply.send(Err("store error".into()));
                }
            }
        }
    }
}
