//! The one normalized shape every tracker's webhook is parsed into.

use super::{TicketKey, Tracker};
use serde::{Deserialize, Serialize};

/// What happened to the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Created,
    Updated,
    Deleted,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::Deleted => "deleted",
        }
    }
}

/// A ticket event, normalized across trackers. Text fields are plain text: tracker markup
/// (Jira wiki markup, Atlassian Document Format, Markdown) is already flattened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketEvent {
    pub tracker: Tracker,
    pub kind: EventKind,
    /// The tracker's stable internal id (Jira numeric id, Linear UUID).
    pub id: String,
    pub key: TicketKey,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub components: Vec<String>,
    /// Jira project key or Linear team key.
    pub project: Option<String>,
    pub status: Option<String>,
    pub issue_type: Option<String>,
    pub priority: Option<String>,
    pub reporter: Option<String>,
    /// Browser URL of the ticket when the payload allows building one.
    pub url: Option<String>,
    /// RFC 3339 timestamps as the tracker sent them, normalized to UTC when parseable.
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// Who caused the event (account id, user name or user id), used to ignore our own edits.
    pub actor: Option<String>,
    /// Names of the fields the update changed, lower-cased (`summary`, `description`, `labels`,
    /// `component`, `title`, `labelids`, ...). Empty for created and deleted events.
    pub changed_fields: Vec<String>,
}

impl TicketEvent {
    /// Tells whether this event should lead to an (re-)analysis and a comment.
    ///
    /// Created tickets always do; updates only when the text or the classification a reader
    /// sees changed; deletions never (they only remove the ticket from the indexes).
    pub fn needs_enrichment(&self) -> bool {
        match self.kind {
            EventKind::Created => true,
            EventKind::Deleted => false,
            EventKind::Updated => self.changed_fields.iter().any(|f| {
                matches!(
                    f.as_str(),
                    "summary"
                        | "description"
                        | "labels"
                        | "component"
                        | "components"
                        | "title"
                        | "labelids"
                )
            }),
        }
    }
}

/// Why an accepted webhook produced no job. Exposed as a metrics label, so the set is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IgnoreReason {
    /// A comment was created, edited or deleted.
    CommentEvent,
    /// The event was caused by TicketLens itself.
    OwnAction,
    /// An event type TicketLens does not handle (worklogs, projects, reactions, ...).
    UnknownEvent,
    /// An update that touched nothing the analysis reads (assignee, priority, status, ...).
    IrrelevantUpdate,
}

impl IgnoreReason {
    pub fn as_str(self) -> &'static str {
        match self {
            IgnoreReason::CommentEvent => "comment_event",
            IgnoreReason::OwnAction => "own_action",
            IgnoreReason::UnknownEvent => "unknown_event",
            IgnoreReason::IrrelevantUpdate => "irrelevant_update",
        }
    }
}

/// The outcome of parsing one webhook body.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Event(Box<TicketEvent>),
    Ignored(IgnoreReason),
}

/// A body that cannot be understood: names the offending field (a JSON path such as
/// `issue.key`, or `body` when it is not JSON at all).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParseError {
    pub field: String,
    pub message: String,
}

impl ParseError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ParseError {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn missing(field: impl Into<String>) -> Self {
        ParseError::new(field, "required field is missing")
    }
}
