//! The service's past tickets as words for files: the stored tickets that mined commits
//! name, each a text that describes the files its fixes changed (`vocab`'s ticket words).
//! Built from the store's rows on every refresh pass (derived data: every replica reading
//! the same store builds the same), and read per analysis only as far as its reader may
//! see: never the ticket's own text, never a ticket its audience may not be quoted.

use super::history::History;
use super::vocab::Vocabulary;
use crate::domain::{Audience, PastTicket, Tracker, Visibility};
use std::collections::HashSet;
use std::hash::{Hash, Hasher};

/// Past tickets kept per repository: the most recently fixed (the store orders them). With
/// each text cut at 4 KiB (`History::extend_texts`) and at most `MAX_FILES` files each, a
/// repository's ticket words stay within a few tens of megabytes.
pub const MAX_TICKETS: usize = 5_000;
/// Files of one ticket's fixes kept (the pm-tickets datasets drop tickets past 50).
pub const MAX_FILES: usize = 50;

/// Who reads an analysis, for the past tickets' words it may use: its audience (`None`
/// reads as precedents do for a draft: every ticket but a restricted one, which the store
/// never hands over) and the ticket itself, by `(tracker, key or id)`, whose own words are
/// never its evidence.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    pub audience: Option<Audience>,
    pub own: HashSet<(Tracker, String)>,
}

/// One repository's past tickets as indexed texts, and who may read each.
pub struct TicketWords {
    pub(super) history: History,
    pub(super) words: Vocabulary,
    readers: Vec<(Tracker, String, Option<String>, Visibility)>,
    fingerprint: u64,
}

/// The fingerprint of a list of past tickets: equal lists give equal fingerprints, so a
/// refresh that finds nothing new builds nothing.
pub fn fingerprint(tickets: &[PastTicket]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    tickets.hash(&mut h);
    h.finish()
}

impl TicketWords {
    /// Indexes `tickets` (at most `MAX_TICKETS`, each key once, the first kept), with ages
    /// measured from `now` (seconds).
    pub fn build(tickets: &[PastTicket], now: i64) -> TicketWords {
        let mut seen = HashSet::new();
        let kept: Vec<&PastTicket> = tickets
            .iter()
            .filter(|t| seen.insert(t.key.clone()))
            .take(MAX_TICKETS)
            .collect();
        let mut history = History::default();
        history.extend_texts(kept.iter().map(|t| {
            let files = t.files.iter().take(MAX_FILES).cloned().collect();
            (
                t.key.clone(),
                t.fixed_ms.div_euclid(1000),
                t.text.clone(),
                files,
            )
        }));
        let words = Vocabulary::of(&history, None, now);
        let readers = kept
            .iter()
            .map(|t| (t.tracker, t.key.clone(), t.project.clone(), t.visibility))
            .collect();
        TicketWords {
            history,
            words,
            readers,
            fingerprint: fingerprint(tickets),
        }
    }

    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Past tickets indexed.
    pub fn len(&self) -> usize {
        self.readers.len()
    }

    /// Which entries `reader` may use: not its own ticket, and admitted by its audience.
    pub fn mask(&self, reader: &Reader) -> Vec<bool> {
        self.readers
            .iter()
            .map(|(tracker, key, project, visibility)| {
                !reader.own.contains(&(*tracker, key.clone()))
                    && reader.audience.as_ref().map_or(true, |a| {
                        a.admits(*tracker, project.as_deref(), *visibility)
                    })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AudienceScope;

    fn past(key: &str, project: &str, visibility: Visibility, text: &str) -> PastTicket {
        PastTicket {
            tracker: Tracker::Jira,
            key: key.into(),
            project: Some(project.into()),
            visibility,
            text: text.into(),
            fixed_ms: 1_000_000,
            files: vec!["src/kiosk.rs".into()],
        }
    }

    #[test]
    fn a_reader_sees_neither_its_own_ticket_nor_one_its_audience_may_not_be_quoted() {
        let tickets = [
            past("TES-1", "TES", Visibility::Internal, "kiosk mode"),
            past("OPS-2", "OPS", Visibility::Private, "kiosk rotation"),
            past(
                "TES-1",
                "TES",
                Visibility::Internal,
                "a second copy of the key",
            ),
        ];
        let w = TicketWords::build(&tickets, 2_000);
        assert_eq!(w.len(), 2, "each key once");
        assert_eq!(w.mask(&Reader::default()), [true, true]);
        let reader = Reader {
            audience: Some(Audience {
                tracker: Tracker::Jira,
                project: Some("TES".into()),
                visibility: Visibility::Internal,
                scope: AudienceScope::Tracker,
            }),
            own: HashSet::new(),
        };
        // another project's private ticket is not quoted to this one
        assert_eq!(w.mask(&reader), [true, false]);
        let itself = Reader {
            own: [(Tracker::Jira, "TES-1".to_string())].into_iter().collect(),
            ..reader
        };
        assert_eq!(w.mask(&itself), [false, false]);
        assert_eq!(fingerprint(&tickets), w.fingerprint());
        assert_ne!(fingerprint(&tickets[..2]), w.fingerprint());
    }
}
