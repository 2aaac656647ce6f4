//! A page of tickets fetched from a tracker's API (back-fill), in the domain's terms.

use crate::domain::TicketEvent;

/// One ticket and the keys it is linked to as a duplicate.
#[derive(Debug, Clone)]
pub struct FetchedTicket {
    pub event: TicketEvent,
    pub duplicate_links: Vec<String>,
}

/// A page and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone)]
pub struct FetchedPage {
    pub tickets: Vec<FetchedTicket>,
    pub next: Option<String>,
    /// Total matches when the tracker says (Jira Data Center).
    pub total: Option<u64>,
}
