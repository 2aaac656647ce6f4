//! Plain types shared by every room: trackers, ticket keys, normalized ticket events,
//! precedents and the enrichment an analysis produces.

mod enrichment;
mod event;
mod history;
mod links;
mod precedent;
mod similar;
mod ticket;

pub use enrichment::{
    Confidence, ConfidenceLevel, CoupledModule, DuplicateCandidate, DuplicateTier, Enrichment,
    Expert, FileHistory, FileHit, Fragility, ModuleHistory, ModuleHit,
};
pub use event::{instant_ms, EventKind, IgnoreReason, ParseError, Parsed, TicketEvent};
pub use history::{ChangeKind, CommitLink, FileChange, MinedCommit};
pub use links::{LinkNotice, LinkedTicket, MAX_LINKS_PER_EVENT};
pub use precedent::{Footprint, Precedent};
pub use similar::{CreatedOrder, SimilarOptions, SimilarQuery, TicketDoc};
pub use ticket::{TicketKey, Tracker};
