//! The job loop: claim → run → complete / retry with backoff / park as dead, with leases
//! kept alive while a job runs and given back on shutdown.

mod handler;
pub mod index_sync;
mod links;
mod shared_plan;
mod sinks;

pub use handler::{JobError, JobHandler, TicketEventHandler};
pub use links::LinkLookups;
pub use sinks::Sinks;

use crate::config::QueueSettings;
use crate::metrics::Metrics;
use crate::store::{Job, RetryPolicy, Store};
use futures::FutureExt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// A set of worker tasks sharing one store and handler.
pub struct Workers {
    store: Store,
    settings: QueueSettings,
    handler: Arc<dyn JobHandler>,
    metrics: Metrics,
    wake: Arc<Notify>,
    /// Prefix of this process's lease owners, unique per process start.
    owner: String,
    /// Attempts in a row that the tracker refused our credentials: the wait before the
    /// next grows with it (to the backoff cap), and any success resets it.
    auth_streak: AtomicI64,
}

impl Workers {
    pub fn new(
        store: Store,
        settings: QueueSettings,
        handler: Arc<dyn JobHandler>,
        metrics: Metrics,
        wake: Arc<Notify>,
    ) -> Workers {
        let owner = format!(
            "{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        Workers {
            store,
            settings,
            handler,
            metrics,
            wake,
            owner,
            auth_streak: AtomicI64::new(0),
        }
    }

    /// Runs the workers until `shutdown` is cancelled; then lets in-flight jobs finish for up
    /// to `grace`, and gives the leases of the rest back so another process takes them now.
    /// An interrupted attempt still counts: a ticket that never finishes cannot dodge
    /// `dead` by outlasting every restart.
    pub async fn run(self, shutdown: CancellationToken, grace: Duration) {
        let mut set = JoinSet::new();
        // Zero workers is an ingest-only process (scale-out: other replicas run the jobs).
        let owners: Vec<String> = (0..self.settings.workers)
            .map(|i| format!("{}/{i}", self.owner))
            .collect();
        let this = Arc::new(self);
        for owner in &owners {
            set.spawn(this.clone().worker_loop(owner.clone(), shutdown.clone()));
        }
        shutdown.cancelled().await;
        let deadline = tokio::time::sleep(grace);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                next = set.join_next() => if next.is_none() { break },
                _ = &mut deadline => {
                    tracing::warn!(running = set.len(), "shutdown deadline reached; abandoning jobs");
                    set.abort_all();
                    while set.join_next().await.is_some() {}
                    break;
                }
            }
        }
        let mut released = 0;
        for owner in &owners {
            match this.store.release_leases(owner, this.store.now()).await {
                Ok(n) => released += n,
                Err(e) => tracing::error!(error = %e, "failed to release job leases"),
            }
        }
        tracing::info!(released, "workers stopped");
    }

    async fn worker_loop(self: Arc<Self>, owner: String, shutdown: CancellationToken) {
        let lease_ms = (self.settings.lease_secs.max(1) * 1000) as i64;
        let idle = Duration::from_millis(self.settings.poll_interval_ms.max(10));
        let mut last_reap = Instant::now() - Duration::from_secs(3600);
        while !shutdown.is_cancelled() {
            if last_reap.elapsed() > Duration::from_secs(10) {
                last_reap = Instant::now();
                // the database clock orders due times and leases; wall clocks drift
                if let Err(e) = self.store.sync_clock().await {
                    tracing::warn!(error = %e, "failed to read the database clock");
                }
                if let Err(e) = self.store.reap_expired(self.store.now()).await {
                    tracing::warn!(error = %e, "failed to reap expired jobs");
                }
            }
            // Registered before the claim, so a wake-up between an empty claim and the
            // wait is not missed.
            let notified = self.wake.notified();
            match self.store.claim(&owner, self.store.now(), lease_ms).await {
                Ok(Some(job)) => self.run_job(job, &owner, lease_ms).await,
                Ok(None) => {
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(idle) => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "failed to claim a job");
                    tokio::select! {
                        _ = tokio::time::sleep(idle * 5) => {}
                        _ = shutdown.cancelled() => {}
                    }
                }
            }
        }
    }

    #[tracing::instrument(skip_all, fields(job = job.id, kind = %job.kind, attempt = job.attempts))]
    async fn run_job(&self, job: Job, owner: &str, lease_ms: i64) {
        let started = Instant::now();
        let deadline = Duration::from_secs(self.settings.job_timeout_secs.max(1));
        let work = tokio::time::timeout(
            deadline,
            std::panic::AssertUnwindSafe(self.handler.handle(&job)).catch_unwind(),
        );
        tokio::pin!(work);
        let mut heartbeat = tokio::time::interval(Duration::from_millis((lease_ms / 3) as u64));
        heartbeat.tick().await;
        let result = loop {
            tokio::select! {
                r = &mut work => break r,
                _ = heartbeat.tick() => {
                    let until = self.store.now() + lease_ms;
                    if let Ok(false) = self.store.extend_lease(job.id, owner, until).await {
                        tracing::warn!("lease lost while the job ran");
                    }
                }
            }
        };
        let result = match result {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(JobError::retryable("job panicked")),
            // its blocking work may still finish in the background; the worker moves on
            Err(_) => Err(JobError::retryable(format!(
                "timed out after {} s (queue.job_timeout_secs)",
                deadline.as_secs()
            ))),
        };
        let elapsed = started.elapsed().as_secs_f64();
        let now = self.store.now();
        let policy = RetryPolicy {
            base_ms: self.settings.backoff_base_ms,
            cap_ms: self.settings.backoff_cap_ms,
        };
        if result.is_ok() {
            self.auth_streak.store(0, Ordering::Relaxed);
        }
        let label = match &result {
            Ok(()) => match self.store.complete(job.id, owner, now).await {
                Ok(true) => "done",
                Ok(false) => "lease_lost",
                Err(e) => {
                    tracing::error!(error = %e, "failed to mark a job done");
                    "store_error"
                }
            },
            Err(err) => {
                let mut job = job.clone();
                if err.permanent {
                    job.attempts = job.max_attempts;
                }
                let recorded = if err.auth {
                    // credentials refused: wait (longer each time), the attempt given back,
                    // so the job completes once an operator fixes the token
                    let streak = self.auth_streak.fetch_add(1, Ordering::Relaxed) + 1;
                    self.store
                        .defer(
                            &job,
                            owner,
                            &err.message,
                            now + policy.delay_ms(streak),
                            now,
                        )
                        .await
                } else if err.deferred {
                    // not the job's fault: queued again after one backoff step, the attempt
                    // given back
                    self.store
                        .defer(&job, owner, &err.message, now + policy.delay_ms(1), now)
                        .await
                } else {
                    self.store
                        .fail(&job, owner, &err.message, policy, now)
                        .await
                };
                match recorded {
                    Ok(outcome) => {
                        tracing::warn!(error = %err.message, ?outcome, "job attempt failed");
                        match outcome {
                            crate::store::FailOutcome::Dead => "dead",
                            crate::store::FailOutcome::Retry { .. } => "retry",
                            crate::store::FailOutcome::LeaseLost => "lease_lost",
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "failed to record a job failure");
                        "store_error"
                    }
                }
            }
        };
        self.metrics
            .job_duration
            .with_label_values(&[job.kind.as_str(), label])
            .observe(elapsed);
    }
}
