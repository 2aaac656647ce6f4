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

/// A commit's class as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitKindRow {
    pub sha: String,
    pub kind: String,
    pub sweep: bool,
    pub bot: bool,
    pub rule: String,
}

/// A mined commit with its stored class (`ticketlens history commits`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredCommit {
    pub repository: String,
    pub sha: String,
    pub author: String,
    pub time_ms: i64,
    pub subject: String,
    pub kind: String,
    pub sweep: bool,
    pub bot: bool,
    pub rule: String,
    pub files: i64,
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
            for table in [
                "history_links",
                "history_commit_kinds",
                "history_changes",
                "history_commits",
            ] {
                sqlx::query(&format!("DELETE FROM {table} WHERE repository = $1"))
                    .bind(b.repository)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for sha in b.dropped {
            for table in [
                "history_links",
                "history_commit_kinds",
                "history_changes",
                "history_commits",
            ] {
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

    /// Stored tickets (key, issue type) that this repository's commits name: the exact keys
    /// the links hold, and GitHub/GitLab tickets (`owner/repo#12`) for a bare `#12`.
    pub async fn ticket_types_for(
        &self,
        repository: &str,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT DISTINCT t.ticket_key, t.issue_type FROM tickets t \
             JOIN history_links l ON l.ticket_key = t.ticket_key \
             WHERE l.repository = $1 AND t.deleted = 0",
        )
        .bind(repository)
        .fetch_all(&self.pool)
        .await?;
        // a ticket without a type (imported from a file) says nothing to the classifier
        let typed = |r: &sqlx::any::AnyRow| -> Result<Option<(String, String)>, sqlx::Error> {
            let Some(t) = r.try_get::<Option<String>, _>("issue_type")? else {
                return Ok(None);
            };
            Ok(Some((r.try_get("ticket_key")?, t)))
        };
        let mut out: Vec<(String, String)> = Vec::new();
        for r in &rows {
            out.extend(typed(r)?);
        }
        let hashed = sqlx::query(
            "SELECT ticket_key, issue_type FROM tickets WHERE deleted = 0 \
             AND ticket_key LIKE '%#%' AND EXISTS (SELECT 1 FROM history_links l \
             WHERE l.repository = $1 AND l.ticket_key LIKE '#%')",
        )
        .bind(repository)
        .fetch_all(&self.pool)
        .await?;
        for r in &hashed {
            out.extend(typed(r)?);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The classifier fingerprint the stored commit kinds of `repository` were made with.
    pub async fn commit_kinds_fingerprint(
        &self,
        repository: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT rules_fingerprint FROM history_repos WHERE repository = $1")
            .bind(repository)
            .fetch_optional(&self.pool)
            .await
    }

    /// Shas of the repository's commits that have a stored kind.
    pub async fn classified_shas(
        &self,
        repository: &str,
    ) -> Result<std::collections::HashSet<String>, sqlx::Error> {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT sha FROM history_commit_kinds WHERE repository = $1")
                .bind(repository)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().collect())
    }

    /// Writes (or re-writes) commit kinds and the fingerprint they were made with, in one
    /// transaction.
    #[tracing::instrument(skip_all, fields(repository, rows = rows.len()))]
    pub async fn save_commit_kinds(
        &self,
        repository: &str,
        rows: &[CommitKindRow],
        fingerprint: &str,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        for chunk in rows.chunks(BATCH_ROWS) {
            let sql = format!(
                "INSERT INTO history_commit_kinds (repository, sha, kind, sweep, bot, rule) \
                 VALUES {} ON CONFLICT (repository, sha) DO UPDATE SET kind = excluded.kind, \
                 sweep = excluded.sweep, bot = excluded.bot, rule = excluded.rule",
                placeholders(chunk.len(), 6)
            );
            let mut q = sqlx::query_with::<Any, AnyArguments>(&sql, AnyArguments::default());
            for r in chunk {
                q = q
                    .bind(repository)
                    .bind(&r.sha)
                    .bind(&r.kind)
                    .bind(i64::from(r.sweep))
                    .bind(i64::from(r.bot))
                    .bind(&r.rule);
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE history_repos SET rules_fingerprint = $1 WHERE repository = $2")
            .bind(fingerprint)
            .bind(repository)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Mined commits with their stored kinds, newest first: of one repository or all, of one
    /// kind or all (`bot` and `sweep` select by flag), at most `limit`.
    pub async fn list_commits(
        &self,
        repository: Option<&str>,
        kind: Option<&str>,
        limit: i64,
    ) -> Result<Vec<StoredCommit>, sqlx::Error> {
        let mut sql = String::from(
            "SELECT c.repository, c.sha, c.author_name, c.time_ms, c.message, \
             k.kind, k.sweep, k.bot, k.rule, \
             (SELECT COUNT(*) FROM history_changes h WHERE h.repository = c.repository \
              AND h.sha = c.sha) AS files \
             FROM history_commits c JOIN history_commit_kinds k \
             ON k.repository = c.repository AND k.sha = c.sha WHERE c.is_merge = 0",
        );
        let mut n = 0;
        if repository.is_some() {
            n += 1;
            sql.push_str(&format!(" AND c.repository = ${n}"));
        }
        match kind {
            Some("bot") => sql.push_str(" AND k.bot = 1"),
            Some("sweep") => sql.push_str(" AND k.sweep = 1"),
            Some(_) => {
                n += 1;
                sql.push_str(&format!(" AND k.kind = ${n}"));
            }
            None => {}
        }
        sql.push_str(&format!(" ORDER BY c.time_ms DESC, c.sha LIMIT ${}", n + 1));
        let mut q = sqlx::query(&sql);
        if let Some(r) = repository {
            q = q.bind(r);
        }
        if let Some(k) = kind.filter(|k| !matches!(*k, "bot" | "sweep")) {
            q = q.bind(k);
        }
        let rows = q.bind(limit).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let message: String = r.try_get("message")?;
                Ok(StoredCommit {
                    repository: r.try_get("repository")?,
                    sha: r.try_get("sha")?,
                    author: r.try_get("author_name")?,
                    time_ms: r.try_get("time_ms")?,
                    subject: message.lines().next().unwrap_or("").to_string(),
                    kind: r.try_get("kind")?,
                    sweep: r.try_get::<i64, _>("sweep")? != 0,
                    bot: r.try_get::<i64, _>("bot")? != 0,
                    rule: r.try_get("rule")?,
                    files: r.try_get("files")?,
                })
            })
            .collect()
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
