//! Backtests (`accuracy_backtests`): the stored tickets whose keys a repository's mined
//! commits name, with those commits and their files (what `ticketlens eval self` replays),
//! and each repository's latest result.

use super::Store;
use crate::domain::{Accuracy, Backtest, ChangeKind};
use sqlx::Row;
use std::collections::HashMap;

/// A stored ticket that commits of the repository name.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedPastTicket {
    pub tracker: String,
    pub ticket_id: String,
    pub ticket_key: String,
    pub title: String,
    pub body: String,
    /// As the tracker or the imported file gave it.
    pub created_at: Option<String>,
    /// The commits naming it, oldest first.
    pub commits: Vec<NamingCommit>,
}

/// A mined commit that names a ticket, with the files it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct NamingCommit {
    pub sha: String,
    pub time_ms: i64,
    /// `(path, created by this commit)`.
    pub files: Vec<(String, bool)>,
}

/// Linked tickets read per backtest: the replay samples the most recent of them, the rest
/// only serve as earlier fixes (precedents and past tickets' words).
pub const MAX_LINKED_TICKETS: i64 = 50_000;

impl Store {
    /// The stored tickets (not deleted) whose keys commits of `repository` name, at most
    /// `MAX_LINKED_TICKETS`, each with those commits oldest first.
    #[tracing::instrument(skip_all, fields(repository))]
    pub async fn linked_past_tickets(
        &self,
        repository: &str,
    ) -> Result<Vec<LinkedPastTicket>, sqlx::Error> {
        let commits = self.naming_commits(repository).await?;
        let rows = sqlx::query(
            "SELECT t.tracker, t.ticket_id, t.ticket_key, t.title, t.body, t.created_at \
             FROM tickets t WHERE t.deleted = 0 AND EXISTS (SELECT 1 FROM history_links l \
                 WHERE l.repository = $1 AND l.ticket_key = t.ticket_key) \
             ORDER BY t.tracker, t.ticket_id LIMIT $2",
        )
        .bind(repository)
        .bind(MAX_LINKED_TICKETS)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let ticket_key: String = r.try_get("ticket_key")?;
            out.push(LinkedPastTicket {
                tracker: r.try_get("tracker")?,
                ticket_id: r.try_get("ticket_id")?,
                commits: commits.get(&ticket_key).cloned().unwrap_or_default(),
                ticket_key,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
            });
        }
        Ok(out)
    }

    /// Every link of `repository`: per key, the commits naming it, oldest first.
    async fn naming_commits(
        &self,
        repository: &str,
    ) -> Result<HashMap<String, Vec<NamingCommit>>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT l.ticket_key, c.sha, c.time_ms, h.path, h.kind FROM history_links l \
             JOIN history_commits c ON c.repository = l.repository AND c.sha = l.sha \
             LEFT JOIN history_changes h ON h.repository = c.repository AND h.sha = c.sha \
             WHERE l.repository = $1 ORDER BY l.ticket_key, c.time_ms, c.sha",
        )
        .bind(repository)
        .fetch_all(&self.pool)
        .await?;
        let mut by: HashMap<String, Vec<NamingCommit>> = HashMap::new();
        for r in rows {
            let commits = by.entry(r.try_get("ticket_key")?).or_default();
            let sha: String = r.try_get("sha")?;
            if !matches!(commits.last(), Some(c) if c.sha == sha) {
                commits.push(NamingCommit {
                    sha,
                    time_ms: r.try_get("time_ms")?,
                    files: Vec::new(),
                });
            }
            let c = commits.last_mut().expect("pushed above");
            if let Some(path) = r.try_get::<Option<String>, _>("path")? {
                let kind: Option<String> = r.try_get("kind")?;
                let created = kind.as_deref().map(ChangeKind::parse) == Some(ChangeKind::Added);
                c.files.push((path, created));
            }
        }
        Ok(by)
    }

    /// Replaces the latest backtest of `repository`.
    pub async fn save_backtest(&self, repository: &str, b: &Backtest) -> Result<(), sqlx::Error> {
        let count = |s: Option<f64>| (s.unwrap_or(0.0) * b.accuracy.tickets as f64).round() as i64;
        sqlx::query(
            "INSERT INTO accuracy_backtests (repository, ran_at, took_ms, sample, tickets, \
                 first_module_right, any_module_right, any_file_right) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (repository) DO UPDATE SET ran_at = excluded.ran_at, \
                 took_ms = excluded.took_ms, sample = excluded.sample, tickets = excluded.tickets, \
                 first_module_right = excluded.first_module_right, \
                 any_module_right = excluded.any_module_right, \
                 any_file_right = excluded.any_file_right",
        )
        .bind(repository)
        .bind(b.ran_at)
        .bind(b.took_ms)
        .bind(b.sample)
        .bind(b.accuracy.tickets)
        .bind(count(b.accuracy.first_module_right))
        .bind(count(b.accuracy.any_module_right))
        .bind(count(b.accuracy.any_file_right))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The latest backtest of `repository`, if one ran.
    pub async fn backtest(&self, repository: &str) -> Result<Option<Backtest>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT ran_at, took_ms, sample, tickets, first_module_right, any_module_right, \
                 any_file_right FROM accuracy_backtests WHERE repository = $1",
        )
        .bind(repository)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Backtest {
                accuracy: Accuracy::of(
                    r.try_get("tickets")?,
                    r.try_get("first_module_right")?,
                    r.try_get("any_module_right")?,
                    r.try_get("any_file_right")?,
                ),
                sample: r.try_get("sample")?,
                ran_at: r.try_get("ran_at")?,
                took_ms: r.try_get("took_ms")?,
            })
        })
        .transpose()
    }
}
