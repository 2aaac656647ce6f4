//! How the ticket keys mined from commit messages meet the stored tickets' keys, and the
//! sentence a person reads when they do not (precedents need both sides to name a ticket
//! the same way).

use serde::Serialize;

/// Keys named by commit messages against the tickets stored, as counted by the store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KeyMatch {
    /// Distinct keys the mined commit messages name.
    pub keys_mined: i64,
    /// Of those, the keys some stored ticket has.
    pub keys_matched: i64,
    /// Tickets stored (not deleted).
    pub tickets_stored: i64,
    /// A few mined keys no stored ticket has.
    pub unmatched_examples: Vec<String>,
    /// A few stored tickets' keys.
    pub ticket_examples: Vec<String>,
}

/// `3,280`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

fn quoted(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl KeyMatch {
    /// Why precedents cannot be found, when the counts show it: keys were mined but none is
    /// a stored ticket's (while tickets are stored), or no commit names a ticket at all.
    /// `None` when some keys meet, or when no ticket is stored yet to meet them.
    pub fn problem(&self) -> Option<String> {
        if self.tickets_stored == 0 || self.keys_matched > 0 {
            return None;
        }
        if self.keys_mined == 0 {
            return Some(
                "no mined commit message names a ticket key TicketLens reads, so no ticket \
                 has a linked fix; add the pattern your commits use to `[history] link_patterns`"
                    .to_string(),
            );
        }
        let keys = if self.keys_mined == 1 { "key" } else { "keys" };
        Some(format!(
            "{} {keys} mined from commit messages, none matches a stored ticket: commits name \
             {}, stored tickets are keyed {}; give the link pattern a key template \
             (`key = \"BZ-{{1}}\"`) so the two meet",
            thousands(self.keys_mined),
            quoted(&self.unmatched_examples),
            quoted(&self.ticket_examples),
        ))
    }

    /// "1,204 of 3,280 keys mined from commit messages match a stored ticket", or the problem.
    pub fn summary(&self) -> String {
        if let Some(p) = self.problem() {
            return p;
        }
        if self.tickets_stored == 0 {
            return format!(
                "{} keys mined from commit messages; no ticket is stored yet to match them",
                thousands(self.keys_mined)
            );
        }
        let keys = if self.keys_mined == 1 { "key" } else { "keys" };
        format!(
            "{} of {} {keys} mined from commit messages match a stored ticket",
            thousands(self.keys_matched),
            thousands(self.keys_mined)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_numbers_against_prefixed_keys_are_named_as_the_problem() {
        let m = KeyMatch {
            keys_mined: 3280,
            keys_matched: 0,
            tickets_stored: 15,
            unmatched_examples: vec!["55970".into(), "55971".into()],
            ticket_examples: vec!["BZ-55970".into()],
        };
        let p = m.problem().unwrap();
        assert!(
            p.starts_with("3,280 keys mined from commit messages, none matches"),
            "{p}"
        );
        assert!(
            p.contains("`55970`, `55971`") && p.contains("`BZ-55970`"),
            "{p}"
        );
        assert_eq!(m.summary(), p);
    }

    #[test]
    fn keys_that_meet_or_no_tickets_yet_are_no_problem() {
        let mut m = KeyMatch {
            keys_mined: 10,
            keys_matched: 4,
            tickets_stored: 7,
            ..KeyMatch::default()
        };
        assert_eq!(m.problem(), None);
        assert_eq!(
            m.summary(),
            "4 of 10 keys mined from commit messages match a stored ticket"
        );
        m.tickets_stored = 0;
        m.keys_matched = 0;
        assert_eq!(m.problem(), None);
        m.tickets_stored = 3;
        m.keys_mined = 0;
        assert!(m.problem().unwrap().contains("names a ticket key"));
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
