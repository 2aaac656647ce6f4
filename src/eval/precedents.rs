//! The localization evaluation's precedents, simulated honestly: records are taken in report
//! order, and a record's precedents come only from earlier records whose fix commit (its
//! time read from git) is older than the record's report. Those enter the same ticket-index
//! search the service uses (`TicketIndex::alike`), with their fixes' files as the linked commits' files.

use crate::domain::{Precedent, SimilarQuery, TicketDoc, Tracker};
use crate::enrich::precedents::{modules_of, KEPT, SEARCHED};
use crate::ticketindex::TicketIndex;

/// A record that may become a precedent once its fix is older than a report.
#[derive(Debug, Clone)]
pub struct PastFix {
    pub id: String,
    pub repository: String,
    pub title: String,
    pub body: String,
    pub reported_ms: i64,
    pub fix_ms: i64,
    pub fix_commit: String,
    pub files: Vec<String>,
}

/// Records waiting for their fix to be old enough, and the searchable ones.
pub struct PrecedentPool {
    index: TicketIndex,
    /// Sorted by fix time, latest first (the next to admit is at the end).
    waiting: Vec<PastFix>,
    admitted: std::collections::HashMap<String, PastFix>,
}

impl PrecedentPool {
    pub fn new(mut fixes: Vec<PastFix>) -> anyhow::Result<PrecedentPool> {
        fixes.sort_by(|a, b| b.fix_ms.cmp(&a.fix_ms).then_with(|| b.id.cmp(&a.id)));
        Ok(PrecedentPool {
            index: TicketIndex::open(None)?.0,
            waiting: fixes,
            admitted: Default::default(),
        })
    }

    /// Records admitted so far.
    pub fn len(&self) -> usize {
        self.admitted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.admitted.is_empty()
    }

    /// The precedents of a report made at `reported_ms`: first admits every waiting record
    /// whose fix is strictly older than the report (and that was itself reported earlier),
    /// then searches those. Calls must come in report order.
    pub fn precedents_for(
        &mut self,
        id: &str,
        title: &str,
        body: &str,
        reported_ms: i64,
        module_of: &dyn Fn(&str, &str) -> Option<String>,
    ) -> anyhow::Result<Vec<Precedent>> {
        let mut docs = Vec::new();
        let mut later = Vec::new();
        while self.waiting.last().is_some_and(|f| f.fix_ms < reported_ms) {
            let f = self.waiting.pop().expect("checked");
            if f.reported_ms >= reported_ms || f.id == id {
                // not earlier than the report: it may still serve a later one
                later.push(f);
                continue;
            }
            docs.push(TicketDoc {
                tracker: Tracker::Jira,
                id: f.id.clone(),
                key: f.id.clone(),
                title: f.title.clone(),
                body: f.body.clone(),
                labels: vec![],
                components: vec![],
                project: None,
                visibility: Default::default(),
                status: None,
                url: None,
                created_at: None,
            });
            self.admitted.insert(f.id.clone(), f);
        }
        self.waiting.extend(later.into_iter().rev());
        if !docs.is_empty() {
            self.index.upsert(&docs)?;
        }
        if self.admitted.is_empty() {
            return Ok(Vec::new());
        }
        let q = SimilarQuery {
            title: title.to_string(),
            body: body.to_string(),
            exclude_ids: vec![id.to_string()],
            ..SimilarQuery::default()
        };
        let found = self.index.alike(&q, SEARCHED)?;
        let mut out = Vec::new();
        for c in found {
            let Some(f) = self.admitted.get(&c.id) else {
                continue;
            };
            // the time rule, checked where it matters: a later fix is never used
            assert!(f.fix_ms < reported_ms && f.reported_ms < reported_ms);
            out.push(Precedent {
                tracker: None,
                key: f.id.clone(),
                title: f.title.clone(),
                url: None,
                similarity: c.similarity,
                days: Some((f.fix_ms - f.reported_ms).max(0) as f32 / 86_400_000.0),
                fixed_ms: f.fix_ms,
                commits: vec![f.fix_commit.clone()],
                repository: f.repository.clone(),
                modules: modules_of(&f.repository, &f.files, module_of),
                files: f.files.clone(),
                lines_added: 0,
                lines_deleted: 0,
            });
            if out.len() >= KEPT {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(id: &str, reported_ms: i64, fix_ms: i64, files: &[&str]) -> PastFix {
        PastFix {
            id: id.into(),
            repository: "r".into(),
            title: "NullPointerException in weaver when advising generic method".into(),
            body: "BcelShadow crashes while weaving a generic method with around advice".into(),
            reported_ms,
            fix_ms,
            fix_commit: format!("c-{id}"),
            files: files.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_fix_later_than_the_report_is_never_a_precedent() {
        let mut pool = PrecedentPool::new(vec![
            fix("old", 10, 20, &["weaver/BcelShadow.java"]),
            // reported earlier, but fixed after the report below: must not be used for it
            fix("slow", 15, 200, &["weaver/Slow.java"]),
            // fixed before the report but reported after it (bad data): not earlier
            fix("odd", 120, 90, &["weaver/Odd.java"]),
        ])
        .unwrap();
        let none = |_: &str, _: &str| None;
        let title = "NullPointerException in weaver for generic method";
        let body = "BcelShadow around advice generic";
        let early = pool.precedents_for("q0", title, body, 20, &none).unwrap();
        assert!(
            early.is_empty(),
            "a fix at the report time is not older than it"
        );
        let p = pool.precedents_for("q1", title, body, 100, &none).unwrap();
        let keys: Vec<&str> = p.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["old"]);
        assert_eq!(p[0].files, ["weaver/BcelShadow.java"]);
        assert!(p.iter().all(|p| p.fixed_ms < 100));
        let later = pool.precedents_for("q2", title, body, 300, &none).unwrap();
        let mut keys: Vec<&str> = later.iter().map(|p| p.key.as_str()).collect();
        keys.sort();
        assert_eq!(keys, ["odd", "old", "slow"]);
    }
}
