//! The plan digest: on `[digest]`'s schedule, the plan's findings for the sprint and the
//! release (`message`) sent to a Slack, Teams or JSON webhook (`send`). Each period is
//! claimed in the store by one statement before anything is sent, so it goes out at most
//! once across restarts and replicas; its outcome is recorded there, counted in `/metrics`
//! and shown in `/readyz`.

mod message;
mod send;

use crate::config::Settings;
use crate::metrics::Metrics;
use crate::store::{DigestState, Store, PLAN_DIGEST};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub use message::Findings;

/// Checks every `check_interval_ms` whether the current period is unclaimed, and if so
/// claims and sends it; returns at once when the digest is off.
pub async fn run(
    store: Store,
    settings: Arc<Settings>,
    metrics: Metrics,
    shutdown: CancellationToken,
) {
    if settings.digest.enabled().is_none() {
        return;
    }
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(
            settings.digest.timeout_secs.clamp(1, 300),
        ))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "digest disabled: no HTTP client");
            return;
        }
    };
    let every = Duration::from_millis(settings.digest.check_interval_ms.max(10));
    loop {
        if let Err(e) = tick(&store, &settings, &metrics, &client).await {
            tracing::warn!(error = %format!("{e:#}"), "digest check failed");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Claims the current period and, when this process won it, sends and records it.
async fn tick(
    store: &Store,
    settings: &Settings,
    metrics: &Metrics,
    client: &reqwest::Client,
) -> anyhow::Result<()> {
    let d = &settings.digest;
    let Some((target, url)) = d.enabled() else {
        return Ok(());
    };
    let period = d.period_start(store.now() + d.clock_offset.get());
    if !store.claim_digest(PLAN_DIGEST, period).await? {
        return Ok(());
    }
    let delivery =
        match message::findings(store, d, settings.web.public_url.as_deref(), period).await {
            Ok(findings) => {
                send::deliver(
                    client,
                    url,
                    &findings.body(target),
                    d.max_attempts,
                    Duration::from_millis(d.retry_backoff_ms),
                    || {
                        metrics
                            .digest_deliveries
                            .with_label_values(&["retried"])
                            .inc()
                    },
                )
                .await
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "digest could not read the plan");
                send::Delivery {
                    attempts: 0,
                    error: Some("the plan could not be read".into()),
                }
            }
        };
    let (state, outcome) = match delivery.error {
        None => (DigestState::Sent, "sent"),
        Some(_) => (DigestState::Failed, "failed"),
    };
    metrics
        .digest_deliveries
        .with_label_values(&[outcome])
        .inc();
    match &delivery.error {
        None => tracing::info!(period, attempts = delivery.attempts, "digest sent"),
        Some(e) => {
            tracing::warn!(period, attempts = delivery.attempts, error = %e, "digest delivery failed")
        }
    }
    store
        .record_digest(
            PLAN_DIGEST,
            period,
            state,
            i64::from(delivery.attempts),
            delivery.error.as_deref(),
        )
        .await?;
    Ok(())
}
