//! What the store keeps about TicketLens' one comment per ticket: the markup it was written
//! in and where its write-back stands. Typed, so a row that names neither is an error rather
//! than a guess.

use serde::Serialize;

/// The comment formats trackers accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// GitHub, GitLab and Linear.
    Markdown,
    /// Atlassian Document Format (Jira Cloud, REST v3).
    Adf,
    /// Jira wiki markup (Jira Data Center, REST v2).
    Wiki,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Adf => "adf",
            Format::Wiki => "wiki",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        [Format::Markdown, Format::Adf, Format::Wiki]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
}

/// Where a ticket's comment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentState {
    /// A create is owned by a writer and may or may not have landed yet.
    Pending,
    /// On the ticket, as `body` says.
    Sent,
    /// Rendered and kept here only: no tracker credentials.
    DryRun,
    /// Nothing to say (`[comments] when_quiet = "skip"`).
    Skipped,
}

impl CommentState {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentState::Pending => "pending",
            CommentState::Sent => "sent",
            CommentState::DryRun => "dry_run",
            CommentState::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<CommentState> {
        [
            CommentState::Pending,
            CommentState::Sent,
            CommentState::DryRun,
            CommentState::Skipped,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_formats_read_back_what_they_write() {
        for s in ["pending", "sent", "dry_run", "skipped"] {
            assert_eq!(CommentState::parse(s).unwrap().as_str(), s);
        }
        for f in ["markdown", "adf", "wiki"] {
            assert_eq!(Format::parse(f).unwrap().as_str(), f);
        }
        assert_eq!(CommentState::parse("Sent"), None);
        assert_eq!(Format::parse("html"), None);
    }
}
