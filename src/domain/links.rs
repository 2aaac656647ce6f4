//! Duplicate links a webhook tells of: the ticket it is about and how each other ticket is
//! named (by key, by the tracker's id, or only "closed as a duplicate" with the other left
//! to the tracker's API).

use super::Tracker;
use serde::{Deserialize, Serialize};

/// How a webhook names the other ticket of a duplicate link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum LinkedTicket {
    /// Its key (Jira `issuelinks`).
    Key(String),
    /// The tracker's internal id (GitLab `duplicated_to_id`), named by the store when the
    /// ticket is stored.
    Id(String),
    /// Closed as a duplicate of an issue the payload does not name (GitHub
    /// `state_reason: duplicate`): the tracker's API is asked which.
    Lookup,
}

/// Most links one webhook may carry: a ticket with more duplicate links than this is an
/// oddity, and the rest are left to the back-fill.
pub const MAX_LINKS_PER_EVENT: usize = 50;

/// The duplicate links of one webhook, for the ticket it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkNotice {
    pub tracker: Tracker,
    /// The tracker's stable id of the ticket (as `TicketEvent::id`).
    pub ticket_id: String,
    pub key: String,
    pub links: Vec<LinkedTicket>,
    /// The event is about the link itself (a link added, an issue closed as a duplicate):
    /// worth a job of its own when the ticket event is otherwise ignored. Otherwise the
    /// links only ride along with a ticket event that runs anyway (Jira sends every link
    /// of the issue with every update).
    pub news: bool,
}
