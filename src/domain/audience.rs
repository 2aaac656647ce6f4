//! Who may see a ticket, and so which tickets another ticket's comment may quote: a
//! comment is read by its own ticket's audience, and a quoted ticket (a duplicate, a
//! related ticket, a precedent) must be visible to all of them.

use super::Tracker;
use serde::{Deserialize, Serialize};

/// How widely a ticket is visible, as far as its tracker's payload tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Anyone: an issue of a public GitHub repository or a public GitLab project.
    Public,
    /// Everyone signed in to the tracker's site: a GitLab internal project, a GitHub
    /// internal repository, and Jira projects and Linear teams (their payloads say nothing
    /// narrower unless an issue has a security level).
    Internal,
    /// The members of its project: a private repository or project, and any forge issue
    /// whose payload does not say (back-filled ones), and rows stored before TicketLens
    /// kept this.
    #[default]
    Private,
    /// Fewer people than its project's members: a Jira issue behind a security level, a
    /// GitLab confidential issue. Never quoted on another ticket.
    Restricted,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Internal => "internal",
            Visibility::Private => "private",
            Visibility::Restricted => "restricted",
        }
    }

    /// Reads a stored name; anything unknown is `Private`.
    pub fn parse(s: &str) -> Visibility {
        match s {
            "public" => Visibility::Public,
            "internal" => Visibility::Internal,
            "restricted" => Visibility::Restricted,
            _ => Visibility::Private,
        }
    }
}

/// How far quoted tickets may come from. Every scope keeps the visibility rule: a
/// restricted ticket is never quoted, a private one never leaves its project, and a
/// public ticket quotes only public tickets of other projects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AudienceScope {
    /// The ticket's own tracker and project (Jira project, Linear team, repository).
    #[default]
    Project,
    /// Any project of the ticket's tracker.
    Tracker,
    /// Any tracker; across trackers only public tickets.
    All,
}

/// The reader of a comment: the ticket it is on, and the configured scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub tracker: Tracker,
    pub project: Option<String>,
    pub visibility: Visibility,
    pub scope: AudienceScope,
}

impl Audience {
    /// Tells whether a ticket of `tracker`, `project` and `visibility` may be quoted to this
    /// audience.
    pub fn admits(&self, tracker: Tracker, project: Option<&str>, visibility: Visibility) -> bool {
        if visibility == Visibility::Restricted {
            return false;
        }
        let same_tracker = tracker == self.tracker;
        let same_project = same_tracker && project.is_some() && project == self.project.as_deref();
        if same_project {
            return true;
        }
        let in_scope = match self.scope {
            AudienceScope::Project => false,
            AudienceScope::Tracker => same_tracker,
            AudienceScope::All => true,
        };
        let wide_enough = match visibility {
            Visibility::Public => true,
            // the same site's members, to a reader who is one of them
            Visibility::Internal => same_tracker && self.visibility != Visibility::Public,
            Visibility::Private | Visibility::Restricted => false,
        };
        in_scope && wide_enough
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Visibility::*;

    fn reader(
        tracker: Tracker,
        project: &str,
        visibility: Visibility,
        scope: AudienceScope,
    ) -> Audience {
        Audience {
            tracker,
            project: Some(project.into()),
            visibility,
            scope,
        }
    }

    #[test]
    fn by_default_only_the_same_tracker_and_project_is_quoted() {
        let a = reader(Tracker::Github, "acme/app", Public, AudienceScope::Project);
        assert!(a.admits(Tracker::Github, Some("acme/app"), Public));
        assert!(!a.admits(Tracker::Github, Some("acme/other"), Public));
        assert!(!a.admits(Tracker::Jira, Some("acme/app"), Internal));
        assert!(!a.admits(Tracker::Github, None, Public));
        let j = reader(Tracker::Jira, "TES", Internal, AudienceScope::Project);
        assert!(j.admits(Tracker::Jira, Some("TES"), Internal));
        assert!(
            !j.admits(Tracker::Linear, Some("TES"), Internal),
            "a Linear team named TES"
        );
    }

    #[test]
    fn restricted_tickets_are_never_quoted_even_in_their_project() {
        for scope in [
            AudienceScope::Project,
            AudienceScope::Tracker,
            AudienceScope::All,
        ] {
            let a = reader(Tracker::Jira, "TES", Restricted, scope);
            assert!(!a.admits(Tracker::Jira, Some("TES"), Restricted));
            let g = reader(Tracker::Gitlab, "g/p", Public, scope);
            assert!(!g.admits(Tracker::Gitlab, Some("g/p"), Restricted));
        }
    }

    #[test]
    fn a_wider_scope_never_takes_private_tickets_into_public_ones() {
        let public = reader(Tracker::Github, "acme/app", Public, AudienceScope::All);
        assert!(public.admits(Tracker::Github, Some("acme/lib"), Public));
        assert!(public.admits(Tracker::Gitlab, Some("g/p"), Public));
        assert!(!public.admits(Tracker::Github, Some("acme/secret"), Private));
        assert!(!public.admits(Tracker::Github, Some("acme/inner"), Internal));
        assert!(!public.admits(Tracker::Jira, Some("TES"), Internal));

        let jira = reader(Tracker::Jira, "TES", Internal, AudienceScope::Tracker);
        assert!(jira.admits(Tracker::Jira, Some("OPS"), Internal));
        assert!(
            !jira.admits(Tracker::Linear, Some("ENG"), Internal),
            "tracker scope"
        );
        assert!(
            !jira.admits(Tracker::Github, Some("acme/app"), Public),
            "tracker scope"
        );
        let jira_all = Audience {
            scope: AudienceScope::All,
            ..jira
        };
        assert!(jira_all.admits(Tracker::Github, Some("acme/app"), Public));
        assert!(!jira_all.admits(Tracker::Linear, Some("ENG"), Internal));
        let private = reader(Tracker::Github, "acme/secret", Private, AudienceScope::All);
        assert!(!private.admits(Tracker::Github, Some("acme/other-secret"), Private));
    }
}
