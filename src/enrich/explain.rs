//! Duplicate candidates explained by the code modules both tickets land in.

use super::memory::ModuleMemory;
use super::CandidateModules;
use crate::codeindex::CodeIndex;
use crate::domain::Enrichment;
use crate::store::Store;
use std::sync::Arc;

/// The part of a stored analysis `explain_by_modules` reads (the rest is skipped unparsed).
#[derive(serde::Deserialize)]
struct StoredModules {
    modules: Vec<crate::domain::ModuleHit>,
}

/// Names the code modules each duplicate candidate shares with the ticket (evidence shown
/// to triagers; the similarity itself is not changed by it). A candidate TicketLens has
/// analysed already brings its modules (from `memory`, else stored with its comment); only
/// the others (back-filled tickets) are located again.
pub async fn explain_by_modules(
    store: &Store,
    code: Arc<CodeIndex>,
    memory: Option<&ModuleMemory>,
    e: &mut Enrichment,
) -> anyhow::Result<()> {
    if e.modules.is_empty() || e.duplicates.is_empty() {
        return Ok(());
    }
    let mut sources = Vec::with_capacity(e.duplicates.len());
    for c in &e.duplicates {
        if let Some(modules) = memory.and_then(|m| m.get(c.tracker, &c.id)) {
            sources.push(CandidateModules::Known(modules));
            continue;
        }
        let stored = store
            .comment(c.tracker.as_str(), &c.id)
            .await?
            .and_then(|r| serde_json::from_str::<StoredModules>(&r.analysis).ok());
        let source = match stored {
            Some(analysis) => CandidateModules::Known(analysis.modules),
            None => {
                let t = store.ticket_by_key(c.tracker.as_str(), &c.key).await?;
                let (title, body) = t.map(|t| (t.title, t.body)).unwrap_or_default();
                CandidateModules::Text { title, body }
            }
        };
        sources.push(source);
    }
    let (modules, mut candidates) = (e.modules.clone(), std::mem::take(&mut e.duplicates));
    e.duplicates = tokio::task::spawn_blocking(move || {
        crate::enrich::mark_shared_modules(code.as_ref(), &modules, &mut candidates, &sources);
        candidates
    })
    .await?;
    Ok(())
}
