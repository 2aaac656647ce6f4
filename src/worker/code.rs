//! The worker's analysis step over the code index: `enrich::analyze` on the blocking pool,
//! sharing the API's cap on concurrent analyses.

use super::handler::Analyze;
use crate::codeindex::CodeIndex;
use crate::domain::{Enrichment, TicketEvent};
use crate::enrich::{analyze, AnalyzeError, TicketText};
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Analyses tickets against the configured repositories.
pub struct CodeAnalyzer {
    pub code: Arc<CodeIndex>,
    pub slots: Arc<Semaphore>,
    /// Modules and files kept per ticket.
    pub limit: usize,
}

impl Analyze for CodeAnalyzer {
    fn analyze<'a>(&'a self, ticket: &'a TicketEvent) -> BoxFuture<'a, anyhow::Result<Enrichment>> {
        Box::pin(async move {
            let permit = self.slots.clone().acquire_owned().await?;
            let (code, limit) = (self.code.clone(), self.limit);
            let (title, body) = (ticket.title.clone(), ticket.body.clone());
            let result = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                let text = TicketText {
                    title: &title,
                    body: &body,
                    repository: None,
                };
                analyze(code.as_ref(), text, limit)
            })
            .await?;
            match result {
                Ok(e) => Ok(e),
                // nothing to analyse is not a failure: the comment says so
                Err(AnalyzeError::EmptyText) => Ok(Enrichment::default()),
                // not ready yet (or broken): the job retries with backoff
                Err(e) => Err(e.into()),
            }
        })
    }

    fn forget<'a>(&'a self, _ticket: &'a TicketEvent) -> BoxFuture<'a, anyhow::Result<()>> {
        // the code index holds no ticket data
        Box::pin(async { Ok(()) })
    }
}
