//! The one normalized shape every tracker's webhook is parsed into.

use super::{Planning, TicketKey, Tracker, Visibility};
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
    /// The tracker's stable internal id (Jira numeric id, Linear UUID, GitHub or GitLab
    /// global issue id).
    pub id: String,
    pub key: TicketKey,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub components: Vec<String>,
    /// Jira project key, Linear team key, GitHub `owner/repo` or GitLab project path.
    pub project: Option<String>,
    /// Who may see it (a security level, a confidential issue, a private repository), as
    /// the payload tells: which other tickets' comments may quote it.
    #[serde(default)]
    pub visibility: Visibility,
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
    /// Priority, sprint, release, parent, estimate, assignee and status category.
    #[serde(default)]
    pub plan: Planning,
}

impl TicketEvent {
    /// The tracker's last update of the ticket as an instant (ms since the epoch), so two
    /// events are ordered as times: `…58.3Z` is before `…58.301Z`, though it sorts after
    /// it as text.
    pub fn updated_ms(&self) -> Option<i64> {
        self.updated_at.as_deref().and_then(instant_ms)
    }

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

    /// Tells whether an update changed planning data (priority, sprint, release, parent,
    /// estimate, assignee, status) as each tracker names those fields: stored, never
    /// analysed on its own.
    pub fn touches_plan(&self) -> bool {
        self.kind == EventKind::Updated
            && self
                .changed_fields
                .iter()
                .any(|f| PLAN_FIELDS.contains(&f.as_str()))
    }
}

/// Changed-field names (lower-cased) that carry planning data: Jira changelog fields, Linear
/// `updatedFrom` keys, GitLab `changes` keys, and the names the GitHub parser gives its
/// planning actions.
const PLAN_FIELDS: &[&str] = &[
    "priority",
    "sprint",
    "fix version",
    "fixversions",
    "parent",
    "epic link",
    "story points",
    "story point estimate",
    "assignee",
    "status",
    "resolution",
    "cycleid",
    "projectid",
    "parentid",
    "estimate",
    "assigneeid",
    "stateid",
    "milestone",
    "milestone_id",
    "iteration_id",
    "weight",
    "assignees",
    "state",
    "state_id",
];

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
    /// A pull or merge request: code review, not a ticket (GitHub sends PR conversations as
    /// issue comments, and PRs as issues in some payloads).
    PullRequest,
    /// A new GitLab confidential issue while `[gitlab] confidential_issues` is off: its text
    /// is neither stored (not even with the delivery) nor indexed, so it can never surface in
    /// another ticket's comment.
    Confidential,
    /// A GitLab work item of a planning type (epic, objective, key result, or a type we do
    /// not know): not addressed by the issue notes API, or not a ticket to analyse.
    UnsupportedWorkItem,
}

impl IgnoreReason {
    pub fn as_str(self) -> &'static str {
        match self {
            IgnoreReason::CommentEvent => "comment_event",
            IgnoreReason::OwnAction => "own_action",
            IgnoreReason::UnknownEvent => "unknown_event",
            IgnoreReason::IrrelevantUpdate => "irrelevant_update",
            IgnoreReason::PullRequest => "pull_request",
            IgnoreReason::Confidential => "confidential",
            IgnoreReason::UnsupportedWorkItem => "unsupported_work_item",
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

/// An RFC 3339 timestamp (as the parsers normalize the trackers' times) as milliseconds since
/// the epoch; `None` when it does not parse.
pub fn instant_ms(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_ordered_as_instants_not_as_text() {
        let a = instant_ms("2024-05-01T10:00:58.3Z").unwrap();
        let b = instant_ms("2024-05-01T10:00:58.301Z").unwrap();
        assert!(
            "2024-05-01T10:00:58.3Z" > "2024-05-01T10:00:58.301Z",
            "as text"
        );
        assert!(a < b, "as instants");
        assert_eq!(
            instant_ms("2024-05-01T12:00:00+02:00"),
            instant_ms("2024-05-01T10:00:00Z")
        );
        assert_eq!(instant_ms("yesterday"), None);
    }
}
