//! Keeping the configured repositories current: the code index of every `[[repositories]]`
//! entry, built at start and refreshed on an interval, and after each refresh its history
//! mined to the indexed commit and rescored (`history_refresh`), and the stored tickets its
//! commits name handed to the index as words for the files they changed.

use crate::codeindex::CodeIndex;
use crate::config::Settings;
use crate::domain::Enrichment;
use crate::history_refresh::{follow_index, load_past_tickets, store_dependencies, HistoryCache};
use crate::ingest::REANALYZE_JOB;
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Builds the code index in the background at start, then refreshes it on an interval
/// (fetch + re-index of changed files) until shutdown. After each refresh, each indexed
/// repository's history is mined up to the indexed commit (incrementally, resuming from
/// what is stored) and rescored, one repository at a time, so fragility always describes
/// the code the index holds. A repository that fails is logged and blocks no other.
pub async fn keep_current(
    code: Arc<CodeIndex>,
    store: Store,
    settings: Arc<Settings>,
    shutdown: CancellationToken,
) {
    if code.is_empty() {
        return;
    }
    let every = Duration::from_secs(settings.codeindex.refresh_interval_secs);
    let history = HistoryCache::default();
    let mut settled = std::collections::HashSet::new();
    // what each repository's past tickets were last read at (`load_past_tickets`)
    let mut past_read = std::collections::HashMap::new();
    loop {
        let c = code.clone();
        let started = std::time::Instant::now();
        match tokio::task::spawn_blocking(move || c.refresh()).await {
            Ok(results) => {
                for (repository, result) in results {
                    let report = match result {
                        Ok(r) => r,
                        Err(e) => {
                            tracing::warn!(%repository, error = %format!("{e:#}"), "code index refresh failed");
                            continue;
                        }
                    };
                    if report.changed {
                        tracing::info!(
                            %repository, commit = %report.commit, files = report.files,
                            reindexed = report.indexed, missing_objects = report.missing_objects,
                            elapsed_ms = started.elapsed().as_millis() as u64, "code index updated"
                        );
                    }
                    if shutdown.is_cancelled() {
                        return;
                    }
                    if let Err(e) = store_dependencies(&store, &repository, &report).await {
                        tracing::warn!(%repository, error = %format!("{e:#}"), "dependency graph not stored");
                    }
                    if let Err(e) =
                        follow_index(&store, &settings, &repository, &report, Some(&history)).await
                    {
                        tracing::warn!(%repository, error = %format!("{e:#}"), "history mining failed");
                    }
                    match load_past_tickets(&store, &code, &repository, Some(&mut past_read)).await
                    {
                        Ok(Some(tickets)) => {
                            tracing::info!(%repository, tickets, "past tickets' words indexed")
                        }
                        Ok(None) => {}
                        Err(e) => {
                            tracing::warn!(%repository, error = %format!("{e:#}"), "past tickets not read")
                        }
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "code index task failed"),
        }
        let attempts = settings.queue.max_attempts;
        if let Err(e) = settle(&store, &code, attempts, &mut settled).await {
            tracing::warn!(error = %format!("{e:#}"), "re-analysis of first-run tickets failed");
        }
        if every.is_zero() {
            return;
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// First runs settle: every ticket analysed before some repository was indexed and mined
/// (`Enrichment::pending_history`) whose repositories are now both is analysed again, once
/// (`enqueued` remembers it for this process; the new analysis has nothing pending), so
/// its comment is updated once with the history it lacked.
pub async fn settle(
    store: &Store,
    code: &CodeIndex,
    max_attempts: i64,
    enqueued: &mut std::collections::HashSet<(String, String)>,
) -> anyhow::Result<usize> {
    let pending = crate::enrich::unsettled(store, code).await?;
    let mut n = 0;
    for c in store.comments_awaiting_history(1_000).await? {
        let Ok(e) = serde_json::from_str::<Enrichment>(&c.analysis) else {
            continue;
        };
        if e.pending_history.iter().any(|r| pending.contains(r)) {
            continue;
        }
        if !enqueued.insert((c.tracker.as_str().to_string(), c.ticket_id.clone())) {
            continue;
        }
        let payload = serde_json::json!({ "tracker": c.tracker, "id": c.ticket_id }).to_string();
        let ticket_ref = format!("{}:{}", c.tracker, c.ticket_id);
        store
            .enqueue_for(
                REANALYZE_JOB,
                &payload,
                &ticket_ref,
                max_attempts,
                store.now(),
            )
            .await?;
        n += 1;
    }
    if n > 0 {
        tracing::info!(
            tickets = n,
            "analysing again tickets first analysed before their repositories were mined"
        );
    }
    Ok(n)
}
