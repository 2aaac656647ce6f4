//! What both front ends (the JSON API in `http`, the pages in `web`) share: the state every
//! route reaches, who the caller is (`auth`: tokens and roles), and the one table of error
//! codes with their HTTP statuses and JSON body (`error`), and the limits on what one peer
//! may hold or try (`peers`, `throttle`). Neither front end uses the other;
//! `startup` builds this state and mounts both.

pub mod auth;
pub mod error;
pub mod peers;
pub mod throttle;

use crate::codeindex::CodeIndex;
use crate::config::Settings;
use crate::ingest::Ingestor;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::ticketindex::TicketIndex;
use std::sync::Arc;
use tokio::sync::Notify;

/// Everything a handler may reach.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub ingestor: Ingestor,
    pub metrics: Metrics,
    pub ticket_index: Arc<TicketIndex>,
    /// Per-project duplicate models learned from links and verdicts.
    pub learner: Arc<crate::learning::Learner>,
    /// Wakes idle workers when a job becomes due (an operator retry).
    pub wake: Arc<Notify>,
    pub code_index: Arc<CodeIndex>,
    /// The one analysis (`enrich::Pipeline`), shared with the worker.
    pub pipeline: Arc<crate::enrich::Pipeline>,
    /// Failed authentications per peer (`/api/` bearer tokens and the sign-in page).
    pub throttle: Arc<throttle::AuthThrottle>,
}
