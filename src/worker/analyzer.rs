//! The service's analysis step for the worker: code modules and files (when repositories are
//! configured), their fragility from mined history, and likely duplicates from the ticket
//! index, merged into one `Enrichment`.

use super::handler::Analyze;
use crate::codeindex::CodeIndex;
use crate::config::DuplicateSettings;
use crate::domain::{Enrichment, ModuleHit, TicketEvent, Tracker};
use crate::enrich::CandidateModules;
use crate::store::Store;
use crate::ticketindex::TicketIndex;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Arc;

/// Analyses stored tickets with the service's indexes.
pub struct ServiceAnalyzer {
    pub store: Store,
    pub index: Arc<TicketIndex>,
    pub duplicates: DuplicateSettings,
    /// The code index's analysis, when repositories are configured.
    pub code: Option<Arc<dyn Analyze>>,
    /// The code index itself, to explain duplicates by shared modules.
    pub code_index: Option<Arc<CodeIndex>>,
    /// Modules of the tickets this process analysed, to explain later duplicates with.
    pub modules_seen: ModuleMemory,
}

/// The top modules of recently analysed tickets, by ticket (bounded; starts over when full).
#[derive(Default)]
pub struct ModuleMemory(std::sync::Mutex<HashMap<(Tracker, String), Vec<ModuleHit>>>);

/// Tickets `ModuleMemory` keeps.
const MODULE_MEMORY: usize = 50_000;

impl ModuleMemory {
    fn remember(&self, tracker: Tracker, id: &str, modules: &[ModuleHit]) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= MODULE_MEMORY {
                m.clear();
            }
            m.insert(
                (tracker, id.to_string()),
                modules.iter().take(3).cloned().collect(),
            );
        }
    }

    fn get(&self, tracker: Tracker, id: &str) -> Option<Vec<ModuleHit>> {
        self.0.lock().ok()?.get(&(tracker, id.to_string())).cloned()
    }
}

impl Analyze for ServiceAnalyzer {
    fn analyze<'a>(&'a self, ticket: &'a TicketEvent) -> BoxFuture<'a, anyhow::Result<Enrichment>> {
        Box::pin(async move {
            let mut t = std::time::Instant::now();
            let mut lap = || {
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                t = std::time::Instant::now();
                ms
            };
            let mut enrichment = match &self.code {
                Some(code) => code.analyze(ticket).await?,
                None => Enrichment::default(),
            };
            let located_ms = lap();
            self.modules_seen
                .remember(ticket.tracker, &ticket.id, &enrichment.modules);
            join_fragility(&self.store, &mut enrichment).await?;
            let fragility_ms = lap();
            let found = crate::ticketview::duplicates_of(
                &self.store,
                self.index.clone(),
                &self.duplicates,
                ticket.tracker,
                ticket.key.as_str(),
            )
            .await?;
            enrichment.duplicates = found.map(|(_, d)| d).unwrap_or_default();
            let duplicates_ms = lap();
            if let Some(code) = &self.code_index {
                let memory = Some(&self.modules_seen);
                explain_by_modules(&self.store, code.clone(), memory, &mut enrichment).await?;
            }
            tracing::debug!(
                ticket = %ticket.key, located_ms, fragility_ms, duplicates_ms,
                explained_ms = lap(), "analysis stages"
            );
            Ok(enrichment)
        })
    }

    fn forget<'a>(&'a self, _ticket: &'a TicketEvent) -> BoxFuture<'a, anyhow::Result<()>> {
        // The handler removes deleted tickets from the ticket index itself.
        Box::pin(async { Ok(()) })
    }
}

/// Joins mined fragility into the module results and turns strong change coupling into
/// estimation hints.
pub async fn join_fragility(store: &Store, e: &mut Enrichment) -> anyhow::Result<()> {
    let mut by_repo: HashMap<String, HashMap<String, crate::domain::Fragility>> = HashMap::new();
    for m in &mut e.modules {
        if !by_repo.contains_key(&m.repository) {
            let scores = store.module_fragility(&m.repository).await?;
            by_repo.insert(m.repository.clone(), scores);
        }
        // History's `.` holds only the files at the root, while the code index's `.` is a
        // whole root package: the same name, not the same files, so no score is joined.
        m.fragility = by_repo
            .get(&m.repository)
            .filter(|_| m.module != ".")
            .and_then(|scores| scores.get(&m.module))
            .cloned();
    }
    for m in e.modules.iter().take(3) {
        if let Some(other) = m.fragility.as_ref().and_then(|f| f.coupled_with.first()) {
            e.estimation_hints.push(format!(
                "Changes in {} usually also touch {other}; estimate for both.",
                m.module
            ));
        }
    }
    Ok(())
}

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
