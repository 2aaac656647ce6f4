//! What the ticket index stores and how a similar-ticket search is asked.

use super::{Audience, Tracker, Visibility};
use serde::{Deserialize, Serialize};

/// A ticket as the ticket index sees it: the text and the facets a search may filter on.
#[derive(Debug, Clone, PartialEq, Hash, Serialize, Deserialize)]
pub struct TicketDoc {
    pub tracker: Tracker,
    /// The tracker's stable id.
    pub id: String,
    pub key: String,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub components: Vec<String>,
    /// Jira project key or Linear team key.
    pub project: Option<String>,
    /// Who may see it: decides whose comments may quote it.
    #[serde(default)]
    pub visibility: Visibility,
    pub status: Option<String>,
    pub url: Option<String>,
    /// RFC 3339 (or ISO 8601 without zone, read as UTC) creation time.
    pub created_at: Option<String>,
}

/// Orders tickets by creation: (created time in ms, tracker id). Ids that are numbers
/// compare as numbers, so Jira's `9999` sorts before `10000`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedOrder {
    pub created_ms: i64,
    pub id: String,
}

impl CreatedOrder {
    /// Tells whether `self` comes strictly before `other`.
    pub fn is_before(&self, other: &CreatedOrder) -> bool {
        self < other
    }
}

impl Ord for CreatedOrder {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let ids = match (self.id.parse::<u64>(), other.id.parse::<u64>()) {
            (Ok(a), Ok(b)) => a.cmp(&b),
            _ => std::cmp::Ordering::Equal,
        };
        self.created_ms
            .cmp(&other.created_ms)
            .then(ids)
            .then_with(|| self.id.cmp(&other.id))
    }
}

impl PartialOrd for CreatedOrder {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A similar-ticket search: the text of the ticket (or ad-hoc text) and what to leave out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SimilarQuery {
    pub title: String,
    pub body: String,
    /// Restricts candidates to this project/team when the options ask for the same project.
    pub project: Option<String>,
    /// The query's components: shared ones are named in each candidate's explanation.
    pub components: Vec<String>,
    /// When the query ticket was created (RFC 3339); closeness in time is evidence. `None`:
    /// now (ad-hoc text).
    pub created_at: Option<String>,
    /// Only tickets created strictly before this point are candidates (evaluation, replays).
    pub created_before: Option<CreatedOrder>,
    /// Tracker ids never returned: the ticket itself, at least.
    pub exclude_ids: Vec<String>,
    /// Keys or ids already linked as duplicates in the tracker: shown with the
    /// `already_linked` tier, never suggested.
    pub linked: Vec<String>,
    /// Who reads the answer: only tickets this audience may see are candidates. `None`
    /// (a draft, an evaluation) searches every ticket.
    #[serde(default)]
    pub audience: Option<Audience>,
}

/// How many candidates, which tiers, which scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarOptions {
    pub limit: usize,
    /// Similarity at or above which a candidate is a likely duplicate.
    pub likely_threshold: f32,
    /// Similarity at or above which a candidate is shown as related; below it, dropped.
    pub related_threshold: f32,
    /// Only the query's own project/team (when the query names one).
    pub same_project: bool,
}

impl Default for SimilarOptions {
    fn default() -> Self {
        SimilarOptions {
            limit: 5,
            likely_threshold: 0.85,
            related_threshold: 0.2,
            same_project: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ids_break_creation_ties_as_numbers() {
        let a = CreatedOrder {
            created_ms: 5,
            id: "9999".into(),
        };
        let b = CreatedOrder {
            created_ms: 5,
            id: "10000".into(),
        };
        assert!(a.is_before(&b));
        assert!(!b.is_before(&a));
        assert!(!a.is_before(&a));
    }
}
