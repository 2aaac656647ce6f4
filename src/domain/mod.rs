//! Plain types shared by every room: trackers, ticket keys, normalized ticket events.

mod event;
mod ticket;

pub use event::{EventKind, IgnoreReason, ParseError, Parsed, TicketEvent};
pub use ticket::{TicketKey, Tracker};
