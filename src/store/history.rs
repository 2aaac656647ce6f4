//! Mined history: per-repository mining state, commits, their file changes and the ticket
//! keys they name. Writes are
//! batched multi-row inserts inside one transaction, so a first full mine of ~30k commits
//! stays a few seconds.

use super::{placeholders, Store};
use crate::domain::{ChangeKind, CommitLink, FileChange, MinedCommit};
use sqlx::any::AnyArguments;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

/// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's parameter limits.
const BATCH_ROWS: usize = 500;

/// Where mining of a repository stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryState {
    pub branch: String,
    pub tip: String,
    pub next_seq: i64,
    pub missing_objects: i64,
}

/// One mining run's result, as the store applies it.
#[derive(Debug, Clone, Copy)]
pub struct HistoryBatch<'a> {
    pub repository: &'a str,
    pub branch: &'a str,
    pub tip: &'a str,
    /// Forget everything mined before (unrelated history after a force-push).
    pub reset: bool,
    /// Commits a force-push removed from the branch.
    pub dropped: &'a [String],
    pub commits: &'a [MinedCommit],
    /// The ticket keys the new commits' messages name (`history::Linker`).
    pub links: &'a [CommitLink],
    pub missing_objects: u64,
    pub now_ms: i64,
}

impl Store {
    /// Reads where mining of `repository` stopped.
    pub async fn history_state(
        &self,
        repository: &str,
    ) -> Result<Option<HistoryState>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT branch, tip, next_seq, missing_objects FROM history_repos WHERE repository = $1",
        )
        .bind(repository)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(HistoryState {
                branch: r.try_get("branch")?,
                tip: r.try_get("tip")?,
                next_seq: r.try_get("next_seq")?,
                missing_objects: r.try_get("missing_objects")?,
            })
        })
        .transpose()
    }

    /// Applies a mining run in one transaction: drops rewritten commits, inserts new ones.
    #[tracing::instrument(skip_all, fields(repository = b.repository, commits = b.commits.len()))]
    pub async fn save_history(&self, b: &HistoryBatch<'_>) -> Result<(), sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        if b.reset {
            for table in ["history_links", "history_changes", "history_commits"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE repository = $1"))
                    .bind(b.repository)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for sha in b.dropped {
            for table in ["history_links", "history_changes", "history_commits"] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE repository = $1 AND sha = $2"
                ))
                .bind(b.repository)
                .bind(sha)
                .execute(&mut *tx)
                .await?;
            }
        }
        insert_commits(&mut tx, b.repository, b.commits).await?;
        insert_changes(&mut tx, b.repository, b.commits).await?;
        super::links::insert_links(&mut tx, b.repository, b.links).await?;
        let next_seq = b.commits.iter().map(|c| c.seq + 1).max();
        sqlx::query(
            "INSERT INTO history_repos (repository, branch, tip, next_seq, missing_objects, mined_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (repository) DO UPDATE SET branch = excluded.branch, tip = excluded.tip, \
                 next_seq = CASE WHEN excluded.next_seq > history_repos.next_seq \
                     THEN excluded.next_seq ELSE history_repos.next_seq END, \
                 missing_objects = history_repos.missing_objects + excluded.missing_objects, \
                 mined_at = excluded.mined_at",
        )
        .bind(b.repository)
        .bind(b.branch)
        .bind(b.tip)
        .bind(next_seq.unwrap_or(0))
        .bind(b.missing_objects as i64)
        .bind(b.now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Loads every mined commit of a repository with its changes, in mining order.
    pub async fn load_history(&self, repository: &str) -> Result<Vec<MinedCommit>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT sha, seq, author_name, author_email, time_ms, message, is_merge, missing_objects \
             FROM history_commits WHERE repository = $1 ORDER BY seq",
        )
        .bind(repository)
        .fetch_all(&self.pool)
        .await?;
        let mut commits = Vec::with_capacity(rows.len());
        let mut index = HashMap::with_capacity(rows.len());
        for r in rows {
            let sha: String = r.try_get("sha")?;
            index.insert(sha.clone(), commits.len());
            commits.push(MinedCommit {
                sha,
                seq: r.try_get("seq")?,
                author_name: r.try_get("author_name")?,
                author_email: r.try_get("author_email")?,
                time_ms: r.try_get("time_ms")?,
                message: r.try_get("message")?,
                is_merge: r.try_get::<i64, _>("is_merge")? != 0,
                files: Vec::new(),
                missing_objects: r.try_get::<i64, _>("missing_objects")? as u32,
            });
        }
        let rows = sqlx::query(
            "SELECT sha, path, old_path, kind, added, deleted FROM history_changes \
             WHERE repository = $1",
        )
        .bind(repository)
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            let sha: String = r.try_get("sha")?;
            let Some(&i) = index.get(&sha) else { continue };
            let kind: String = r.try_get("kind")?;
            commits[i].files.push(FileChange {
                path: r.try_get("path")?,
                old_path: r.try_get("old_path")?,
                kind: ChangeKind::parse(&kind),
                added: r.try_get::<i64, _>("added")? as u32,
                deleted: r.try_get::<i64, _>("deleted")? as u32,
            });
        }
        Ok(commits)
    }

    /// Keys of bug-type tickets the service has seen (`issue_type` bug or defect).
    pub async fn bug_ticket_keys(&self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT DISTINCT ticket_key FROM tickets WHERE deleted = 0 \
             AND LOWER(issue_type) IN ('bug', 'defect', 'bug report', 'incident')",
        )
        .fetch_all(&self.pool)
        .await
    }
}

async fn insert_commits(
    tx: &mut Transaction<'_, Any>,
    repository: &str,
    commits: &[MinedCommit],
) -> Result<(), sqlx::Error> {
    for chunk in commits.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO history_commits (repository, sha, seq, author_name, author_email, \
                 time_ms, message, is_merge, missing_objects) VALUES {}",
            placeholders(chunk.len(), 9)
        );
        let mut q = sqlx::query_with::<Any, AnyArguments>(&sql, AnyArguments::default());
        for c in chunk {
            q = q
                .bind(repository)
                .bind(&c.sha)
                .bind(c.seq)
                .bind(&c.author_name)
                .bind(&c.author_email)
                .bind(c.time_ms)
                .bind(&c.message)
                .bind(i64::from(c.is_merge))
                .bind(i64::from(c.missing_objects));
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_changes(
    tx: &mut Transaction<'_, Any>,
    repository: &str,
    commits: &[MinedCommit],
) -> Result<(), sqlx::Error> {
    let rows: Vec<(&str, &FileChange)> = commits
        .iter()
        .flat_map(|c| c.files.iter().map(move |f| (c.sha.as_str(), f)))
        .collect();
    for chunk in rows.chunks(BATCH_ROWS) {
        let sql = format!(
            "INSERT INTO history_changes (repository, sha, path, old_path, kind, added, deleted) \
             VALUES {}",
            placeholders(chunk.len(), 7)
        );
        let mut q = sqlx::query_with::<Any, AnyArguments>(&sql, AnyArguments::default());
        for (sha, f) in chunk {
            q = q
                .bind(repository)
                .bind(*sha)
                .bind(&f.path)
                .bind(&f.old_path)
                .bind(f.kind.as_str())
                .bind(i64::from(f.added))
                .bind(i64::from(f.deleted));
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
