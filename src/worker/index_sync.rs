//! Keeps the ticket index in step with the tickets table: a rebuild when the index is new,
//! then a catch-up that follows the table in stored order (back-fills, other replicas).

use crate::store::{FeedPosition, Store};
use crate::ticketindex::TicketIndex;
use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Tickets read from the store per page.
pub const PAGE: i64 = 1_000;
/// Pages a catch-up stages before it commits (and saves its position): a back-fill of many
/// pages pays for a commit, a segment and a searcher reload every 5,000 tickets, not every
/// 1,000. A crash before the commit loses only staged work; the saved position is older, so
/// the next catch-up reads those pages again.
pub const COMMIT_PAGES: usize = 5;

fn position_of(index: &TicketIndex) -> FeedPosition {
    index
        .position()
        .and_then(|p| serde_json::from_str(&p).ok())
        .unwrap_or_default()
}

/// Rebuilds a fresh index from every live ticket in the store.
pub async fn rebuild(store: &Store, index: Arc<TicketIndex>) -> anyhow::Result<usize> {
    let mut pos = FeedPosition::default();
    let mut docs = Vec::new();
    loop {
        let feed = store
            .index_feed(&pos, PAGE)
            .await
            .context("failed to read tickets for the index")?;
        if feed.watermark == pos {
            break;
        }
        pos = feed.watermark;
        docs.extend(feed.upserts);
    }
    let n = docs.len();
    let position = serde_json::to_string(&pos)?;
    tokio::task::spawn_blocking(move || index.rebuild(&docs, Some(position)))
        .await?
        .context("failed to rebuild the ticket index")?;
    Ok(n)
}

/// How far before its saved position a catch-up reads again. Rows are stamped before they
/// commit, so with several writers a row stamped earlier can become visible after a
/// later-stamped one already passed; re-reading this window catches it (rows the index
/// already holds unchanged cost nothing, see `TicketIndex::apply`).
const LOOKBACK_MS: i64 = 2_000;

/// Applies every ticket stored since the index's saved position (and the `LOOKBACK_MS`
/// before it); returns how many changed the index.
pub async fn catch_up(store: &Store, index: Arc<TicketIndex>) -> anyhow::Result<usize> {
    let saved = position_of(&index);
    let mut pos = FeedPosition {
        stored_at: (saved.stored_at - LOOKBACK_MS).max(0),
        ..FeedPosition::default()
    };
    let mut changed = 0;
    let mut staged = 0;
    let mut position = None;
    loop {
        let feed = store
            .index_feed(&pos, PAGE)
            .await
            .context("failed to read tickets for the index")?;
        let done = feed.watermark == pos;
        if !done {
            pos = feed.watermark.clone();
            if pos.stored_at > saved.stored_at {
                position = Some(serde_json::to_string(&pos)?);
            }
            let index = index.clone();
            changed +=
                tokio::task::spawn_blocking(move || index.stage(&feed.upserts, &feed.deletes))
                    .await?
                    .context("failed to update the ticket index")?;
            staged += 1;
        }
        if staged > 0 && (done || staged >= COMMIT_PAGES) {
            // searchable, and the position saved with it, once per COMMIT_PAGES pages
            let (index, position) = (index.clone(), position.take());
            tokio::task::spawn_blocking(move || index.apply(&[], &[], position))
                .await?
                .context("failed to commit the ticket index")?;
            staged = 0;
        }
        if done {
            return Ok(changed);
        }
    }
}

/// Prepares the index at start: rebuild when new, catch up otherwise.
pub async fn prepare(store: &Store, index: Arc<TicketIndex>, fresh: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let (how, n) = if fresh {
        ("rebuilt", rebuild(store, index).await?)
    } else {
        ("caught up", catch_up(store, index).await?)
    };
    tracing::info!(
        tickets = n,
        ms = started.elapsed().as_millis() as u64,
        how,
        "ticket index ready"
    );
    Ok(())
}

/// Follows the tickets table until shutdown (tickets back-filled by another process, or
/// stored by another replica, reach this replica's index this way).
pub async fn follow(
    store: Store,
    index: Arc<TicketIndex>,
    every: Duration,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        if let Err(e) = catch_up(&store, index.clone()).await {
            tracing::warn!(error = %e, "ticket index catch-up failed");
        }
    }
}

/// Publishes the tickets the workers stage until shutdown (then once more): at once when the
/// index has been quiet, otherwise at most once per `every`, so a burst shares commits while
/// a lone ticket is searchable as soon as its commit is done. Does nothing when `every` is
/// zero (the workers commit themselves).
pub async fn commit_staged(index: Arc<TicketIndex>, every: Duration, shutdown: CancellationToken) {
    if every.is_zero() {
        return;
    }
    loop {
        let stop = tokio::select! {
            _ = shutdown.cancelled() => true,
            _ = index.staged() => false,
        };
        let i = index.clone();
        match tokio::task::spawn_blocking(move || i.commit_staged()).await {
            Ok(Err(e)) => tracing::warn!(error = %e, "ticket index commit failed"),
            Err(e) => tracing::error!(error = %e, "ticket index commit task failed"),
            Ok(Ok(_)) => {}
        }
        if stop {
            return;
        }
        tokio::select! {
            _ = shutdown.cancelled() => {}
            _ = tokio::time::sleep(every) => {}
        }
    }
}
