//! Bug-fix commits: a message pattern plus the keys of bug-type tickets the service has seen.

use regex::Regex;
use std::collections::HashSet;

/// The default message pattern: fix, bug, hotfix, revert, regression as words.
pub const DEFAULT_PATTERN: &str =
    r"(?i)\b(fix(es|ed|ing)?|bugs?|hotfix(es)?|revert(s|ed)?|regressions?)\b";

/// Tells whether a commit message describes a bug fix.
#[derive(Debug, Clone)]
pub struct BugfixMatcher {
    pattern: Regex,
    bug_keys: HashSet<String>,
    key_shape: Regex,
}

impl BugfixMatcher {
    /// Builds a matcher; `bug_keys` are ticket keys (`PROJ-12`) of bug-type tickets.
    pub fn new(
        pattern: &str,
        bug_keys: impl IntoIterator<Item = String>,
    ) -> Result<Self, regex::Error> {
        let pattern = if pattern.trim().is_empty() {
            DEFAULT_PATTERN
        } else {
            pattern
        };
        Ok(BugfixMatcher {
            pattern: Regex::new(pattern)?,
            bug_keys: bug_keys.into_iter().map(|k| k.to_uppercase()).collect(),
            key_shape: Regex::new(r"\b[A-Za-z][A-Za-z0-9_]+-[0-9]+\b").expect("valid key regex"),
        })
    }

    pub fn is_fix(&self, message: &str) -> bool {
        if self.pattern.is_match(message) {
            return true;
        }
        !self.bug_keys.is_empty()
            && self
                .key_shape
                .find_iter(message)
                .any(|m| self.bug_keys.contains(&m.as_str().to_uppercase()))
    }
}

impl Default for BugfixMatcher {
    fn default() -> Self {
        BugfixMatcher::new(DEFAULT_PATTERN, []).expect("valid default pattern")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_words_mark_a_commit_as_a_fix() {
        let m = BugfixMatcher::default();
        assert!(m.is_fix("Fix NPE in session manager"));
        assert!(m.is_fix("Revert \"Add cache\""));
        assert!(m.is_fix("hotfix: login loop"));
        assert!(m.is_fix("Regression from 1.2"));
        assert!(!m.is_fix("Add prefix handling to Bugzilla exporter"));
        assert!(!m.is_fix("Refactor the parser"));
    }

    #[test]
    fn keys_of_bug_tickets_mark_a_commit_as_a_fix() {
        let m = BugfixMatcher::new("", ["PAY-7".to_string()]).unwrap();
        assert!(m.is_fix("PAY-7 handle empty cart"));
        assert!(m.is_fix("pay-7: handle empty cart"));
        assert!(!m.is_fix("PAY-70 new checkout page"));
    }
}
