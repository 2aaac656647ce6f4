//! Ticket ↔ commit links (`history_links`): written with the mined commits, dropped with
//! them, and read back with each linked commit's time and changed files for precedents.

use super::placeholders;
use super::Store;
use crate::domain::CommitLink;
use sqlx::any::AnyArguments;
use sqlx::{Any, Row, Transaction};
use std::collections::BTreeMap;

/// Rows per multi-row INSERT (3 columns).
const BATCH_ROWS: usize = 500;
/// Keys read back per call: precedents ask for a handful of tickets.
pub const MAX_KEYS_PER_READ: usize = 100;

/// A commit linked to a ticket, with the files it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedCommit {
    pub ticket_key: String,
    pub repository: String,
    pub sha: String,
    pub time_ms: i64,
    /// `(path, lines added, lines deleted)`, by path.
    pub files: Vec<(String, u32, u32)>,
}

pub(super) async fn insert_links(
    tx: &mut Transaction<'_, Any>,
    repository: &str,
    links: &[CommitLink],
) -> Result<(), sqlx::Error> {
    for chunk in links.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO history_links (repository, sha, ticket_key) VALUES {} \
             ON CONFLICT DO NOTHING",
            placeholders(chunk.len(), 3)
        );
        let mut q = sqlx::query_with::<Any, AnyArguments>(&sql, AnyArguments::default());
        for l in chunk {
            q = q.bind(repository).bind(&l.sha).bind(&l.key);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

impl Store {
    /// The commits linked to any of `keys` (at most `MAX_KEYS_PER_READ` are read), each with
    /// its changed files; ordered by key, then commit time.
    #[tracing::instrument(skip_all, fields(keys = keys.len()))]
    pub async fn linked_commits(&self, keys: &[String]) -> Result<Vec<LinkedCommit>, sqlx::Error> {
        let keys = &keys[..keys.len().min(MAX_KEYS_PER_READ)];
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT l.ticket_key, l.repository, l.sha, c.time_ms, h.path, h.added, h.deleted \
             FROM history_links l \
             JOIN history_commits c ON c.repository = l.repository AND c.sha = l.sha \
             LEFT JOIN history_changes h ON h.repository = l.repository AND h.sha = l.sha \
             WHERE l.ticket_key IN ({})",
            list.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for k in keys {
            q = q.bind(k);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut by: BTreeMap<(String, String, String), LinkedCommit> = BTreeMap::new();
        for r in rows {
            let key: String = r.try_get("ticket_key")?;
            let repository: String = r.try_get("repository")?;
            let sha: String = r.try_get("sha")?;
            let time_ms: i64 = r.try_get("time_ms")?;
            let c = by
                .entry((key.clone(), repository.clone(), sha.clone()))
                .or_insert_with(|| LinkedCommit {
                    ticket_key: key,
                    repository,
                    sha,
                    time_ms,
                    files: Vec::new(),
                });
            if let Some(path) = r.try_get::<Option<String>, _>("path")? {
                let added = r.try_get::<Option<i64>, _>("added")?.unwrap_or(0);
                let deleted = r.try_get::<Option<i64>, _>("deleted")?.unwrap_or(0);
                c.files.push((path, added as u32, deleted as u32));
            }
        }
        let mut out: Vec<LinkedCommit> = by.into_values().collect();
        for c in &mut out {
            c.files.sort();
        }
        out.sort_by(|a, b| {
            a.ticket_key
                .cmp(&b.ticket_key)
                .then(a.time_ms.cmp(&b.time_ms))
                .then_with(|| a.sha.cmp(&b.sha))
        });
        Ok(out)
    }
}
