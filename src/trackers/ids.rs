//! Ids a tracker answers with, checked against that tracker's shape before they are used:
//! a comment id goes into the next request's URL (`…/comment/{id}`), so an answer such as
//! `../../TES-999/comment/7` would otherwise address another issue. A mismatch fails the
//! write as permanent: asking again cannot make the answer trustworthy.

use crate::trackers::sink::{Failure, SinkError};

/// Longest numeric id accepted (u64 has 20 digits).
const MAX_DIGITS: usize = 20;

/// The shape of a tracker's comment ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdShape {
    /// Jira comment ids, GitHub comment ids, GitLab note ids: a positive decimal number.
    Digits,
    /// Linear entity ids: a UUID (`8-4-4-4-12` hex digits).
    Uuid,
}

impl IdShape {
    /// Tells whether `id` has this shape.
    pub fn matches(self, id: &str) -> bool {
        match self {
            IdShape::Digits => {
                !id.is_empty()
                    && id.len() <= MAX_DIGITS
                    && id.bytes().all(|b| b.is_ascii_digit())
                    && id.bytes().any(|b| b != b'0')
            }
            IdShape::Uuid => {
                id.len() == 36
                    && id.char_indices().all(|(i, c)| match i {
                        8 | 13 | 18 | 23 => c == '-',
                        _ => c.is_ascii_hexdigit(),
                    })
            }
        }
    }

    /// `id` when it has this shape, else a permanent failure naming the tracker (the id
    /// itself is shown cut and escaped, never used).
    pub fn check(self, tracker: &str, id: String) -> Result<String, SinkError> {
        if self.matches(&id) {
            return Ok(id);
        }
        let shown: String = id.chars().take(40).collect();
        Err(SinkError::new(
            Failure::Permanent,
            format!("{tracker} answered with a comment id that is not one of its ids: {shown:?}"),
        ))
    }

    /// The same for an id that may be absent (a lookup that found nothing).
    pub fn check_found(
        self,
        tracker: &str,
        id: Option<String>,
    ) -> Result<Option<String>, SinkError> {
        id.map(|id| self.check(tracker, id)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ids_are_digits_only() {
        for good in ["1", "10001", "12345678901234567890"] {
            assert!(IdShape::Digits.matches(good), "{good}");
        }
        for bad in [
            "",
            "0",
            "../../TES-999/comment/7",
            "7/../../8",
            "12 ",
            "１２",
            "12?x=1",
            "123456789012345678901",
            "-1",
            "1e5",
        ] {
            assert!(!IdShape::Digits.matches(bad), "{bad}");
        }
    }

    #[test]
    fn linear_ids_are_uuids() {
        assert!(IdShape::Uuid.matches("2f0ad5b8-3a0c-4bb4-9cb8-4f1c2a3e9d10"));
        assert!(!IdShape::Uuid.matches("2f0ad5b8-3a0c-4bb4-9cb8-4f1c2a3e9d1"));
        assert!(!IdShape::Uuid.matches("2f0ad5b8/3a0c-4bb4-9cb8-4f1c2a3e9d10"));
        assert!(!IdShape::Uuid.matches("../../../../../../../../../../../../"));
    }

    #[test]
    fn a_bad_id_is_a_permanent_failure() {
        let e = IdShape::Digits
            .check("Jira", "../../TES-999/comment/7".into())
            .unwrap_err();
        assert_eq!(e.failure, Failure::Permanent);
        assert_eq!(IdShape::Digits.check("Jira", "42".into()).unwrap(), "42");
        assert_eq!(IdShape::Digits.check_found("Jira", None).unwrap(), None);
    }
}
