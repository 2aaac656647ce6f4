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

/// A ticket's priority on one scale for every tracker; the tracker's own word is kept beside
/// it (`TicketEvent::priority`). Ordered most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Urgent,
    High,
    Medium,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Urgent,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Urgent => "urgent",
            Priority::High => "high",
            Priority::Medium => "medium",
            Priority::Low => "low",
        }
    }

    /// 1 (urgent) to 4 (low): the stored and sorted form.
    pub fn rank(self) -> i64 {
        self as i64 + 1
    }

    pub fn from_rank(rank: i64) -> Option<Priority> {
        Priority::ALL.get(usize::try_from(rank - 1).ok()?).copied()
    }

    /// Normalises a tracker's priority word or priority label: Jira's Highest … Lowest and
    /// Blocker … Trivial, Linear's Urgent … Low, `P0` … `P4`, and labels such as
    /// `priority: high` or `priority::1`. `None` for "No priority" and words we do not know.
    pub fn from_word(word: &str) -> Option<Priority> {
        let w = word.trim().to_lowercase();
        let w = w
            .strip_prefix("priority")
            .map(|rest| rest.trim_start_matches([':', '/', ' ', '-', '_']))
            .unwrap_or(&w);
        match w {
            "highest" | "blocker" | "urgent" | "p0" | "0" => Some(Priority::Urgent),
            "high" | "critical" | "p1" | "1" => Some(Priority::High),
            // Major is Jira's old default, as Medium is its new one.
            "medium" | "major" | "normal" | "p2" | "2" => Some(Priority::Medium),
            "low" | "lowest" | "minor" | "trivial" | "p3" | "p4" | "3" | "4" => Some(Priority::Low),
            _ => None,
        }
    }

    /// Linear's number: 0 no priority, 1 urgent, 2 high, 3 medium, 4 low.
    pub fn from_linear(n: i64) -> Option<Priority> {
        Priority::from_rank(n)
    }
}

/// Where a ticket is in its workflow, as the tracker groups its statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusCategory {
    Todo,
    InProgress,
    Done,
}

impl StatusCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusCategory::Todo => "todo",
            StatusCategory::InProgress => "in_progress",
            StatusCategory::Done => "done",
        }
    }

    /// Reads Jira's `statusCategory.key` (`new`, `indeterminate`, `done`), Linear's state
    /// type (`backlog`, `unstarted`, `started`, `completed`, `canceled`, `triage`) and the
    /// forges' states (`open`, `opened`, `reopened`, `closed`), and the stored form.
    pub fn parse(s: &str) -> Option<StatusCategory> {
        match s.trim().to_lowercase().as_str() {
            "new" | "todo" | "backlog" | "unstarted" | "triage" | "open" | "opened"
            | "reopened" => Some(StatusCategory::Todo),
            "indeterminate" | "in_progress" | "started" => Some(StatusCategory::InProgress),
            "done" | "completed" | "canceled" | "cancelled" | "closed" => {
                Some(StatusCategory::Done)
            }
            _ => None,
        }
    }
}

/// The planning data a tracker keeps about a ticket: what the business says about it.
/// Every field is what the tracker sent; `None` when it sent nothing (or nothing we read).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Planning {
    pub priority: Option<Priority>,
    /// Jira sprint, Linear cycle, GitLab iteration (the current one when several).
    pub sprint: Option<String>,
    /// Jira fix version, GitHub or GitLab milestone (the first when several).
    pub release: Option<String>,
    /// Jira epic or parent key, Linear project, GitLab epic.
    pub parent: Option<String>,
    /// Story points, Linear estimate, GitLab weight.
    pub estimate: Option<f64>,
    pub assignee: Option<String>,
    pub status_category: Option<StatusCategory>,
    /// Fields this payload cannot tell (a GitLab webhook carries only the milestone's id; a
    /// Jira webhook's story points sit in a custom field whose id only back-fill learns):
    /// the store keeps what it had for them rather than clearing it.
    #[serde(default, skip_serializing_if = "Unknown::is_none")]
    pub unknown: Unknown,
}

/// Which [`Planning`] fields an event leaves as stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unknown {
    #[serde(default)]
    pub sprint: bool,
    #[serde(default)]
    pub release: bool,
    #[serde(default)]
    pub estimate: bool,
}

impl Unknown {
    fn is_none(&self) -> bool {
        !(self.sprint || self.release || self.estimate)
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

    #[test]
    fn priorities_of_every_tracker_land_on_one_scale() {
        for (word, p) in [
            ("Highest", Some(Priority::Urgent)),
            ("Blocker", Some(Priority::Urgent)),
            ("High", Some(Priority::High)),
            ("Critical", Some(Priority::High)),
            ("Major", Some(Priority::Medium)),
            ("Medium", Some(Priority::Medium)),
            ("Minor", Some(Priority::Low)),
            ("Lowest", Some(Priority::Low)),
            ("priority: high", Some(Priority::High)),
            ("priority::1", Some(Priority::High)),
            ("P0", Some(Priority::Urgent)),
            ("No priority", None),
            ("bug", None),
        ] {
            assert_eq!(Priority::from_word(word), p, "{word}");
        }
        assert_eq!(Priority::from_linear(0), None);
        assert_eq!(Priority::from_linear(1), Some(Priority::Urgent));
        assert_eq!(Priority::from_linear(4), Some(Priority::Low));
        assert_eq!(Priority::from_linear(5), None);
        for p in Priority::ALL {
            assert_eq!(Priority::from_rank(p.rank()), Some(p));
        }
        assert!(Priority::Urgent < Priority::Low);
    }
}
