//! The comment-sink contract every tracker's comment API meets: create, update, adopt and
//! find our one comment, and what kind of failure a call had. `writeback` drives it; each
//! tracker implements it.

use crate::domain::TicketEvent;
use crate::render::Format;
use futures::future::BoxFuture;

/// What kind of failure a tracker call had: it decides what the job does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Worth retrying: 5xx, 429, a network fault, a timeout, an unreadable answer. For a
    /// create this also means "it may have landed": the retry looks before it creates.
    Transient,
    /// The tracker refused our credentials (401/403). Retried with backoff and never parked
    /// as dead: an expired token is an operator's problem to fix, not a reason to drop work.
    Auth,
    /// What we addressed is not there (404): on an update, a person deleted our comment.
    NotFound,
    /// Retrying cannot help (another 4xx, a request the tracker will never take).
    Permanent,
}

/// A tracker call that failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SinkError {
    pub message: String,
    pub failure: Failure,
}

impl SinkError {
    pub fn new(failure: Failure, message: impl Into<String>) -> SinkError {
        SinkError {
            message: message.into(),
            failure,
        }
    }

    pub fn transient(message: impl Into<String>) -> SinkError {
        SinkError::new(Failure::Transient, message)
    }
}

/// Where comments go: a tracker's comment API.
pub trait CommentSink: Send + Sync {
    /// The format this tracker's API takes.
    fn format(&self) -> Format;
    /// Creates the comment; `planned_id` is our id for it where the tracker accepts one
    /// (Linear), kept in a comment property (Jira) or a hidden marker in the body (GitHub,
    /// GitLab). Returns the tracker's comment id.
    fn create<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        planned_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<String, SinkError>>;
    /// Replaces the body of an existing comment.
    fn update<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        comment_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<(), SinkError>>;
    /// Brings a comment `find_ours` found up to date. Trackers that mark our comment in its
    /// body (GitHub, GitLab) keep `planned_id`'s marker there, so a crash before the record
    /// is saved finds it again; the others simply update.
    fn adopt<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        comment_id: &'a str,
        planned_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<(), SinkError>> {
        let _ = planned_id;
        self.update(ticket, comment_id, body)
    }
    /// Looks for a comment of ours on the ticket (after a crash between create and record):
    /// by `planned_id` where the tracker took it, else by our marker.
    fn find_ours<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        planned_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, SinkError>>;
}
