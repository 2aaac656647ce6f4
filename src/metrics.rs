//! Prometheus metrics of the process: HTTP requests, webhooks, jobs.

use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Every metric the service exports, registered in one registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    pub http_requests: IntCounterVec,
    pub webhooks: IntCounterVec,
    pub webhooks_ignored: IntCounterVec,
    pub jobs: IntGaugeVec,
    pub job_duration: HistogramVec,
    pub comment_writes: IntCounterVec,
    pub tracker_credentials_rejected: IntGaugeVec,
    /// Projects by the duplicate model they are on (`source`: learned).
    pub duplicate_models: IntGaugeVec,
    /// Labels the duplicate models learned from, over all projects (`kind`: link, feedback;
    /// `unlinked`: the unlinked searches they hold for the false-alarm limit).
    pub duplicate_labels_learned: IntGaugeVec,
    /// Fixed tickets whose analysis was measured, per repository (`scope`: all, recent).
    pub accuracy_tickets: IntGaugeVec,
    /// Shares of those the analysis had right (`measure`: first_module_right,
    /// any_module_right, any_file_right); absent while no ticket is measured.
    pub accuracy_share: GaugeVec,
    /// Likely duplicates suggested per tracker project, by what became of them (`outcome`:
    /// suggested, confirmed, refused, undecided).
    pub duplicate_suggestions: IntGaugeVec,
    /// Plan digest deliveries by outcome (sent, failed; retried: a call tried again).
    pub digest_deliveries: IntCounterVec,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// `ticketlens_job_duration_seconds`, from a millisecond to half a minute.
fn job_duration() -> Result<HistogramVec, prometheus::Error> {
    HistogramVec::new(
        HistogramOpts::new(
            "ticketlens_job_duration_seconds",
            "Time from claim to completion or failure of a job attempt",
        )
        .buckets(vec![
            0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ]),
        &["kind", "outcome"],
    )
}

/// A metric made and registered in one step (a name taken twice is a programming error).
fn registered<M>(registry: &Registry, metric: Result<M, prometheus::Error>) -> M
where
    M: prometheus::core::Collector + Clone + 'static,
{
    let metric = metric.expect("valid metric");
    registry
        .register(Box::new(metric.clone()))
        .expect("metric registered once");
    metric
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let r = &registry;
        let counter = |name: &str, help: &str, labels: &[&str]| {
            registered(r, IntCounterVec::new(Opts::new(name, help), labels))
        };
        let gauge = |name: &str, help: &str, labels: &[&str]| {
            registered(r, IntGaugeVec::new(Opts::new(name, help), labels))
        };
        let digest_deliveries = counter(
            "ticketlens_digest_deliveries_total",
            "Plan digest deliveries by outcome: sent, failed (every attempt failed), \
             retried (one call tried again)",
            &["outcome"],
        );
        for outcome in ["sent", "failed", "retried"] {
            digest_deliveries.with_label_values(&[outcome]);
        }
        Metrics {
            http_requests: counter(
                "ticketlens_http_requests_total",
                "HTTP requests by route pattern, method and status",
                &["route", "method", "status"],
            ),
            webhooks: counter(
                "ticketlens_webhooks_total",
                "Webhooks received by tracker and outcome (queued, ignored, duplicate, rejected, ...)",
                &["tracker", "outcome"],
            ),
            webhooks_ignored: counter(
                "ticketlens_webhooks_ignored_total",
                "Accepted webhooks that needed no work, by reason",
                &["tracker", "reason"],
            ),
            jobs: gauge("ticketlens_jobs", "Jobs in the queue by state", &["state"]),
            job_duration: registered(r, job_duration()),
            comment_writes: counter(
                "ticketlens_comment_writes_total",
                "Comment write-backs by tracker and outcome (created, adopted, updated, \
                 recreated, unchanged, dry_run, skipped)",
                &["tracker", "outcome"],
            ),
            tracker_credentials_rejected: gauge(
                "ticketlens_tracker_credentials_rejected",
                "1 while the tracker refuses our credentials (401/403): jobs wait, none dead",
                &["tracker"],
            ),
            duplicate_models: gauge(
                "ticketlens_duplicate_models",
                "Projects whose duplicate model learned from their own labels (source=learned); \
                 the others are on the shipped model",
                &["source"],
            ),
            duplicate_labels_learned: gauge(
                "ticketlens_duplicate_labels_learned",
                "Duplicate links and triager verdicts the per-project models learned from, and \
                 the unlinked searches they hold (kind=unlinked)",
                &["kind"],
            ),
            accuracy_tickets: gauge(
                "ticketlens_accuracy_tickets",
                "Fixed tickets whose earlier analysis was measured against the fix, per \
                 repository (scope=all, recent: the last [accuracy] recent_tickets, or backtest: \
                 the latest `ticketlens eval self`)",
                &["repository", "scope"],
            ),
            accuracy_share: registered(
                r,
                GaugeVec::new(
                    Opts::new(
                        "ticketlens_accuracy_share",
                        "Share of measured fixed tickets the analysis had right: the first \
                         module, any module shown, any file shown; and of those shown similar \
                         past work, the share whose precedent's fix changed a file the fix \
                         changed (measure=precedent_fix_overlap, scope=all)",
                    ),
                    &["repository", "scope", "measure"],
                ),
            ),
            duplicate_suggestions: gauge(
                "ticketlens_duplicate_suggestions",
                "Likely duplicates suggested per tracker project (outcome=suggested), and of \
                 them later linked or confirmed, refused by a triager, not decided yet",
                &["project", "outcome"],
            ),
            digest_deliveries,
            registry,
        }
    }

    /// Renders every metric in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .expect("text encoding into a Vec cannot fail");
        String::from_utf8(buf).unwrap_or_default()
    }
}
