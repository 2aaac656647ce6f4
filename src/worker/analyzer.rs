//! The service's analysis step for the worker: likely duplicates from the ticket index.

use super::handler::Analyze;
use crate::config::DuplicateSettings;
use crate::domain::{Enrichment, TicketEvent};
use crate::store::Store;
use crate::ticketindex::TicketIndex;
use futures::future::BoxFuture;
use std::sync::Arc;

/// Analyses stored tickets with the service's indexes.
pub struct ServiceAnalyzer {
    pub store: Store,
    pub index: Arc<TicketIndex>,
    pub duplicates: DuplicateSettings,
}

impl Analyze for ServiceAnalyzer {
    fn analyze<'a>(&'a self, ticket: &'a TicketEvent) -> BoxFuture<'a, anyhow::Result<Enrichment>> {
        Box::pin(async move {
            let view = crate::ticketview::ticket_view(
                &self.store,
                self.index.clone(),
                &self.duplicates,
                ticket.tracker,
                ticket.key.as_str(),
            )
            .await?;
            Ok(Enrichment {
                duplicates: view.map(|v| v.duplicates).unwrap_or_default(),
                ..Enrichment::default()
            })
        })
    }

    fn forget<'a>(&'a self, _ticket: &'a TicketEvent) -> BoxFuture<'a, anyhow::Result<()>> {
        // The handler removes deleted tickets from the ticket index itself.
        Box::pin(async { Ok(()) })
    }
}
