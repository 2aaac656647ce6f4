//! Identity of a ticket: which tracker it lives in and its human key.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An issue tracker TicketLens talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tracker {
    Jira,
    Linear,
    Github,
    Gitlab,
}

impl Tracker {
    /// Every tracker, in a fixed order.
    pub const ALL: [Tracker; 4] = [
        Tracker::Jira,
        Tracker::Linear,
        Tracker::Github,
        Tracker::Gitlab,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tracker::Jira => "jira",
            Tracker::Linear => "linear",
            Tracker::Github => "github",
            Tracker::Gitlab => "gitlab",
        }
    }

    /// Parses a tracker name as it appears in routes and the store.
    pub fn parse(s: &str) -> Option<Tracker> {
        Tracker::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

impl fmt::Display for Tracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A human ticket key: `PROJ-123` or `ENG-42` (Jira, Linear: a prefix of letters, digits or
/// `_` starting with a letter, a dash, and a number), or `owner/repo#33` and
/// `group/sub/project#7` (GitHub, GitLab: a repository or project path of two or more
/// segments, `#`, and the issue number or IID).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TicketKey(String);

impl TicketKey {
    /// Parses a key, rejecting anything that is neither `PREFIX-NUMBER` nor `PATH#NUMBER`.
    pub fn parse(s: &str) -> Result<TicketKey, String> {
        let s = s.trim();
        if s.contains('#') {
            return forge_parts(s)
                .map(|_| TicketKey(s.to_string()))
                .ok_or_else(|| format!("ticket key `{s}` is not of the form owner/repo#123"));
        }
        let (prefix, number) = s
            .rsplit_once('-')
            .ok_or_else(|| format!("ticket key `{s}` has no `-`"))?;
        let prefix_ok = prefix
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        let number_ok = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit());
        if prefix_ok && number_ok {
            Ok(TicketKey(s.to_string()))
        } else {
            Err(format!("ticket key `{s}` is not of the form PROJECT-123"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A forge key's repository or project path and issue number (`("owner/repo", 33)`);
    /// `None` for a `PREFIX-NUMBER` key.
    pub fn forge_parts(&self) -> Option<(&str, u64)> {
        forge_parts(&self.0)
    }
}

/// Longest forge path accepted (GitLab allows 20 levels of groups; paths stay short).
const FORGE_PATH_MAX: usize = 512;

/// `path#number` where the path is two or more `/`-separated segments of letters, digits,
/// `.`, `_` and `-` (what GitHub and GitLab allow in owner, group and repository names), no
/// segment `.` or `..`, and the number is positive.
fn forge_parts(s: &str) -> Option<(&str, u64)> {
    let (path, number) = s.split_once('#')?;
    let segment_ok = |seg: &str| {
        !seg.is_empty()
            && seg != "."
            && seg != ".."
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    let path_ok = path.len() <= FORGE_PATH_MAX
        && path.split('/').count() >= 2
        && path.split('/').all(segment_ok);
    let number_ok =
        !number.is_empty() && number.len() <= 19 && number.bytes().all(|b| b.is_ascii_digit());
    let n: u64 = number.parse().ok().filter(|_| number_ok)?;
    (path_ok && n > 0).then_some((path, n))
}

impl TryFrom<String> for TicketKey {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        TicketKey::parse(&s)
    }
}

impl From<TicketKey> for String {
    fn from(k: TicketKey) -> String {
        k.0
    }
}

impl fmt::Display for TicketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_only_in_project_dash_number_form() {
        assert!(TicketKey::parse("PROJ-123").is_ok());
        assert!(TicketKey::parse("ENG-42").is_ok());
        assert!(TicketKey::parse("AB_2-7").is_ok());
        assert!(TicketKey::parse("123-4").is_err());
        assert!(TicketKey::parse("PROJ-").is_err());
        assert!(TicketKey::parse("PROJ").is_err());
        assert!(TicketKey::parse("PR OJ-1").is_err());
    }

    #[test]
    fn forge_keys_parse_as_a_path_of_two_or_more_segments_and_a_number() {
        let k = TicketKey::parse("zulip/zulip#33").unwrap();
        assert_eq!(k.forge_parts(), Some(("zulip/zulip", 33)));
        let k = TicketKey::parse("group/sub.group/my-project#7").unwrap();
        assert_eq!(k.forge_parts(), Some(("group/sub.group/my-project", 7)));
        assert_eq!(TicketKey::parse("PROJ-1").unwrap().forge_parts(), None);
        for bad in [
            "repo#1",
            "owner/repo#",
            "owner/repo#0",
            "owner/repo#-1",
            "owner//repo#1",
            "owner/../repo#1",
            "owner/re po#1",
            "owner/repo#1#2",
            "/repo#1",
            "owner/repo#1x",
            "owner/repo#99999999999999999999",
        ] {
            assert!(TicketKey::parse(bad).is_err(), "{bad}");
        }
    }
}
