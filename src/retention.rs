//! `serve`'s retention loop: prunes the store on a timer (see `store::retention`).

use crate::config::RetentionSettings;
use crate::store::Store;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Prunes once now and then every `interval_secs` until shutdown; a failure is logged and
/// tried again next time.
pub async fn run(store: Store, settings: RetentionSettings, shutdown: CancellationToken) {
    if settings.days == 0 && settings.delivery_days == 0 {
        return;
    }
    let every = Duration::from_secs(settings.interval_secs.max(60));
    loop {
        let (bodies, rows) = settings.cutoffs(store.now());
        match store.prune(bodies, rows).await {
            Ok(p) if p != Default::default() => tracing::info!(
                bodies = p.bodies,
                deliveries = p.deliveries,
                jobs = p.jobs,
                "retention pruned the store"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "retention prune failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
