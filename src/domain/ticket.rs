//! Identity of a ticket: which tracker it lives in and its human key.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An issue tracker TicketLens talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tracker {
    Jira,
    Linear,
}

impl Tracker {
    pub fn as_str(self) -> &'static str {
        match self {
            Tracker::Jira => "jira",
            Tracker::Linear => "linear",
        }
    }

    /// Parses a tracker name as it appears in routes and the store.
    pub fn parse(s: &str) -> Option<Tracker> {
        match s {
            "jira" => Some(Tracker::Jira),
            "linear" => Some(Tracker::Linear),
            _ => None,
        }
    }
}

impl fmt::Display for Tracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A human ticket key such as `PROJ-123` or `ENG-42`: a prefix of letters, digits or `_`
/// starting with a letter, a dash, and a positive number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TicketKey(String);

impl TicketKey {
    /// Parses a key, rejecting anything that is not `PREFIX-NUMBER`.
    pub fn parse(s: &str) -> Result<TicketKey, String> {
        let s = s.trim();
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
}
