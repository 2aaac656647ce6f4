//! Settings of the similar-ticket search and the ticket index (`[duplicates]`).

use serde::Deserialize;

/// Similar-ticket search and the ticket index.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DuplicateSettings {
    /// Directory of the ticket index; `None` keeps it in memory (rebuilt from the store at
    /// every start).
    pub index_dir: Option<std::path::PathBuf>,
    /// Calibrated similarity at or above which a candidate is a "likely duplicate".
    pub likely_threshold: f32,
    /// Similarity at or above which a candidate is shown as "related".
    pub related_threshold: f32,
    /// Most candidates shown per ticket.
    pub limit: usize,
    /// Only search the ticket's own project (Jira) or team (Linear). Within `audience`:
    /// `false` widens duplicates no further than it allows.
    pub same_project: bool,
    /// Which tickets a comment (and the ticket's page) may quote — duplicates, related
    /// tickets, precedents: `project` (the ticket's own tracker and project), `tracker`
    /// (any project of its tracker) or `all`. Whatever the scope, a ticket behind a Jira
    /// security level or a GitLab confidential issue is never quoted elsewhere, a private
    /// repository's ticket never leaves its repository, and a public issue quotes only
    /// public tickets of other projects.
    pub audience: crate::domain::AudienceScope,
    /// Index commits of live tickets happen at most this often (milliseconds): a ticket
    /// indexed while the index is quiet is committed at once, one indexed during a burst
    /// waits for the next commit, which serves every ticket of the interval. 0 commits each
    /// ticket before its job goes on.
    pub commit_interval_ms: u64,
    /// How often (milliseconds) the index picks up tickets other processes stored
    /// (replicas, back-fill).
    pub follow_interval_ms: u64,
    /// A ticket TicketLens has known this long (seconds since it was first stored) without
    /// a duplicate link counts as an unlinked search in its project's calibration: searched
    /// among the tickets created before it, its best candidate is an alarm when it scores
    /// above the threshold. Long enough that a duplicate is usually linked by then; a ticket
    /// linked later stops counting.
    pub unlinked_after_secs: u64,
}

impl Default for DuplicateSettings {
    fn default() -> Self {
        let o = crate::domain::SimilarOptions::default();
        DuplicateSettings {
            index_dir: None,
            likely_threshold: o.likely_threshold,
            related_threshold: o.related_threshold,
            limit: o.limit,
            same_project: o.same_project,
            audience: crate::domain::AudienceScope::Project,
            commit_interval_ms: 100,
            follow_interval_ms: 500,
            unlinked_after_secs: 14 * 24 * 3600,
        }
    }
}

impl DuplicateSettings {
    /// The audience of a ticket's comment under these settings.
    pub fn audience_of(
        &self,
        tracker: crate::domain::Tracker,
        project: Option<String>,
        visibility: crate::domain::Visibility,
    ) -> crate::domain::Audience {
        crate::domain::Audience {
            tracker,
            project,
            visibility,
            scope: self.audience,
        }
    }

    /// The search options these settings describe.
    pub fn options(&self) -> crate::domain::SimilarOptions {
        crate::domain::SimilarOptions {
            limit: self.limit,
            likely_threshold: self.likely_threshold,
            related_threshold: self.related_threshold,
            same_project: self.same_project,
        }
    }
}
