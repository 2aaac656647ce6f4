//! Plain types shared by every room: trackers, ticket keys, normalized ticket events,
//! precedents and the enrichment an analysis produces.

mod accuracy;
mod audience;
mod backtest;
mod comment;
mod deps;
mod enrichment;
mod event;
mod history;
mod keymatch;
mod links;
mod precedent;
pub mod redact;
mod similar;
pub mod text;
mod ticket;

pub use accuracy::{
    judge, Accuracy, DuplicateAccuracy, FixFile, Judged, PrecedentAccuracy, Predicted,
    ShownPrecedent,
};
pub use audience::{Audience, AudienceScope, Visibility};
pub use backtest::Backtest;
pub use comment::{CommentState, Format};
pub use deps::{
    BlastRadius, DependencyGraph, Dependents, ExternalPackage, ImportCounts, ModuleDeps, ModuleEdge,
};
pub use enrichment::{
    Confidence, ConfidenceLevel, CoupledModule, DuplicateCandidate, DuplicateTier, Enrichment,
    Expert, FileHistory, FileHit, Fragility, ModuleHistory, ModuleHit, SharedPlan,
};
pub use event::{instant_ms, EventKind, IgnoreReason, ParseError, Parsed, TicketEvent};
pub use history::{ChangeKind, CommitLink, FileChange, MinedCommit};
pub use keymatch::{thousands, KeyMatch};
pub use links::{LinkNotice, LinkedTicket, MAX_LINKS_PER_EVENT};
pub use precedent::{Footprint, PastTicket, Precedent};
pub use similar::{CreatedOrder, SimilarOptions, SimilarQuery, TicketDoc};
pub use text::{one_line, split_identifier};
pub use ticket::{Planning, Priority, StatusCategory, TicketKey, Tracker, Unknown};

/// Milliseconds since the Unix epoch, by this process's wall clock: for display and for
/// times a replica keeps to itself. Ordering rows across replicas uses the database's
/// clock or sequence instead.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
