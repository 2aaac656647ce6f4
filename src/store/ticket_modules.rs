//! Which modules each analysed ticket lands in: written with every analysis, read by a
//! module's view ("open tickets that land here").

use super::Store;
use crate::domain::{ModuleHit, Priority, StatusCategory};
use sqlx::Row;

/// A ticket whose latest analysis names a module.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ModuleTicket {
    pub tracker: String,
    pub key: String,
    pub title: String,
    pub status: Option<String>,
    pub url: Option<String>,
    /// The module's place in the ticket's analysis (0: its top module).
    pub rank: i64,
    pub analysed_at: i64,
    pub priority: Option<Priority>,
    /// The tracker's own word for the priority.
    pub priority_word: Option<String>,
    pub release: Option<String>,
}

/// Statuses (case-insensitive) that mean a ticket needs no more work.
const CLOSED: &[&str] = &[
    "closed",
    "resolved",
    "done",
    "canceled",
    "cancelled",
    "duplicate",
    "fixed",
    "won't fix",
    "wontfix",
    "rejected",
    "invalid",
];

/// Whether a tracker status names finished work; an unknown or missing status is open.
pub fn is_closed_status(status: Option<&str>) -> bool {
    status.is_some_and(|s| CLOSED.iter().any(|c| c.eq_ignore_ascii_case(s.trim())))
}

impl Store {
    /// Replaces the modules a ticket lands in with those of its latest analysis.
    pub async fn set_ticket_modules(
        &self,
        tracker: &str,
        ticket_id: &str,
        modules: &[ModuleHit],
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM ticket_modules WHERE tracker = $1 AND ticket_id = $2")
            .bind(tracker)
            .bind(ticket_id)
            .execute(&mut *tx)
            .await?;
        let mut seen = std::collections::HashSet::new();
        for (rank, m) in modules.iter().enumerate() {
            if !seen.insert((&m.repository, &m.module)) {
                continue;
            }
            sqlx::query(
                "INSERT INTO ticket_modules \
                 (tracker, ticket_id, repository, module, rank, analysed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(tracker)
            .bind(ticket_id)
            .bind(&m.repository)
            .bind(&m.module)
            .bind(rank as i64)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// The open (not closed, not deleted) tickets whose latest analysis names the module,
    /// most recently analysed first; at most `limit`, from the newest `4 × limit` analyses.
    pub async fn open_tickets_in_module(
        &self,
        repository: &str,
        module: &str,
        limit: usize,
    ) -> Result<Vec<ModuleTicket>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT t.tracker, t.ticket_key, t.title, t.status, t.url, m.rank, m.analysed_at, \
                 t.priority, t.priority_rank, t.sprint, t.release_name, t.parent, t.estimate, \
                 t.assignee, t.status_category \
             FROM ticket_modules m \
             JOIN tickets t ON t.tracker = m.tracker AND t.ticket_id = m.ticket_id \
             WHERE m.repository = $1 AND m.module = $2 AND t.deleted = 0 \
             ORDER BY m.analysed_at DESC, t.ticket_key LIMIT $3",
        )
        .bind(repository)
        .bind(module)
        .bind((limit * 4) as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(limit);
        for r in rows {
            let status: Option<String> = r.try_get("status")?;
            let plan = super::tickets::planning(&r)?;
            let done = plan.status_category == Some(StatusCategory::Done);
            if done || is_closed_status(status.as_deref()) {
                continue;
            }
            out.push(ModuleTicket {
                priority: plan.priority,
                priority_word: r.try_get("priority")?,
                release: plan.release,
                tracker: r.try_get("tracker")?,
                key: r.try_get("ticket_key")?,
                title: r.try_get("title")?,
                status,
                url: r.try_get("url")?,
                rank: r.try_get("rank")?,
                analysed_at: r.try_get("analysed_at")?,
            });
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_statuses_are_recognised_in_any_case_and_unknown_ones_are_open() {
        assert!(is_closed_status(Some("Resolved")));
        assert!(is_closed_status(Some("DONE ")));
        assert!(is_closed_status(Some("Won't Fix")));
        assert!(!is_closed_status(Some("In Progress")));
        assert!(!is_closed_status(Some("Todo")));
        assert!(!is_closed_status(None));
    }
}
