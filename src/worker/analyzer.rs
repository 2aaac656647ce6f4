//! The worker's analysis step: `enrich::Pipeline::enrich` for a stored ticket.

use super::handler::Analyze;
use crate::domain::{Enrichment, TicketEvent};
use crate::enrich::{Pipeline, Request, Subject};
use futures::future::BoxFuture;
use std::sync::Arc;

/// Analyses stored tickets with the service's pipeline.
pub struct ServiceAnalyzer {
    pub pipeline: Arc<Pipeline>,
    /// Modules and files kept per ticket.
    pub limit: usize,
}

impl Analyze for ServiceAnalyzer {
    fn analyze<'a>(&'a self, ticket: &'a TicketEvent) -> BoxFuture<'a, anyhow::Result<Enrichment>> {
        Box::pin(async move {
            let req = Request {
                title: ticket.title.clone(),
                body: ticket.body.clone(),
                repository: None,
                limit: self.limit,
                subject: Subject::Ticket {
                    tracker: ticket.tracker,
                    id: ticket.id.clone(),
                    key: ticket.key.as_str().to_string(),
                },
            };
            // the handler tells `AnalyzeError::NotReady` (wait, attempt given back) from the rest
            self.pipeline.enrich(req).await.map_err(anyhow::Error::new)
        })
    }

    fn forget<'a>(&'a self, _ticket: &'a TicketEvent) -> BoxFuture<'a, anyhow::Result<()>> {
        // The handler removes deleted tickets from the ticket index itself.
        Box::pin(async { Ok(()) })
    }
}
