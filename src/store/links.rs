//! Ticket ↔ commit links (`history_links`): written with the mined commits, dropped with
//! them, and read back with each linked commit's time and changed files for precedents.

use super::placeholders;
use super::Store;
use crate::domain::{CommitLink, KeyMatch, PastTicket, Tracker, Visibility};
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

/// A link's key names a stored ticket: the same key, or a forge ticket `owner/repo#12` for
/// a bare `#12`. The trackers are listed so the exact match uses `tickets_key` (tracker,
/// ticket_key); the suffix match runs only for the few `#` keys.
const KEY_IS_STORED: &str = "(EXISTS (SELECT 1 FROM tickets t WHERE \
     t.tracker IN ('jira', 'linear', 'github', 'gitlab') AND t.ticket_key = l.ticket_key \
     AND t.deleted = 0) OR (l.ticket_key LIKE '#%' AND EXISTS (SELECT 1 FROM tickets t \
     WHERE t.deleted = 0 AND t.ticket_key LIKE '%' || l.ticket_key)))";
/// A past ticket's text is cut here: past it a body is a pasted log (as the code index cuts
/// the texts it indexes).
const PAST_TEXT_BYTES: usize = 4096;
/// The stored tickets the links of a repository name, with their last linked commit's time:
/// by the same key, or a forge ticket `owner/repo#12` for a bare `#12` (which project's `#12`
/// it is, the caller tells). Restricted and deleted tickets are left out.
const PAST_TICKETS: &str = "WITH f AS (SELECT l.ticket_key AS link_key, MAX(c.time_ms) AS fixed_ms \
     FROM history_links l JOIN history_commits c ON c.repository = l.repository AND c.sha = l.sha \
     WHERE l.repository = $1 GROUP BY l.ticket_key) \
     SELECT t.tracker, t.ticket_key, t.project, t.visibility, t.title, t.body, f.link_key, f.fixed_ms \
     FROM f JOIN tickets t ON t.tracker IN ('jira', 'linear', 'github', 'gitlab') \
     AND t.ticket_key = f.link_key WHERE t.deleted = 0 AND t.visibility <> 'restricted' \
     UNION ALL \
     SELECT t.tracker, t.ticket_key, t.project, t.visibility, t.title, t.body, f.link_key, f.fixed_ms \
     FROM f JOIN tickets t ON f.link_key LIKE '#%' AND t.ticket_key LIKE '%' || f.link_key \
     WHERE t.deleted = 0 AND t.visibility <> 'restricted' \
     ORDER BY fixed_ms DESC, tracker, ticket_key LIMIT $2";
/// Examples shown of unmatched keys and of stored keys.
const EXAMPLES: i64 = 3;

impl Store {
    /// What the past tickets of `repository` (`past_tickets`) are read from, in one value:
    /// the mined tip, the link patterns' fingerprint, and the latest ticket write (an edit or
    /// a deletion moves `stored_at` too) with the number of tickets. Equal values mean the
    /// same past tickets.
    pub async fn past_tickets_marker(&self, repository: &str) -> Result<String, sqlx::Error> {
        let r = sqlx::query(
            "SELECT (SELECT tip FROM history_repos WHERE repository = $1) AS tip, \
                 (SELECT links_fingerprint FROM history_repos WHERE repository = $1) AS links, \
                 (SELECT MAX(stored_at) FROM tickets) AS stored, \
                 (SELECT COUNT(*) FROM tickets) AS n",
        )
        .bind(repository)
        .fetch_one(&self.pool)
        .await?;
        Ok(format!(
            "{}:{}:{}:{}",
            r.try_get::<Option<String>, _>("tip")?.unwrap_or_default(),
            r.try_get::<Option<String>, _>("links")?.unwrap_or_default(),
            r.try_get::<Option<i64>, _>("stored")?.unwrap_or_default(),
            r.try_get::<i64, _>("n")?
        ))
    }

    /// The fingerprint of the link patterns the stored links of `repository` were read with.
    pub async fn links_fingerprint(&self, repository: &str) -> Result<Option<String>, sqlx::Error> {
        let v: Option<Option<String>> =
            sqlx::query_scalar("SELECT links_fingerprint FROM history_repos WHERE repository = $1")
                .bind(repository)
                .fetch_optional(&self.pool)
                .await?;
        Ok(v.flatten())
    }

    /// Replaces every stored link of `repository` (its commits linked again with other
    /// patterns), and the fingerprint of those patterns, in one transaction. With `links`
    /// `None` only the fingerprint is written (the links are already the patterns').
    #[tracing::instrument(skip_all, fields(repository))]
    pub async fn replace_links(
        &self,
        repository: &str,
        links: Option<&[CommitLink]>,
        fingerprint: &str,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        if let Some(links) = links {
            sqlx::query("DELETE FROM history_links WHERE repository = $1")
                .bind(repository)
                .execute(&mut *tx)
                .await?;
            insert_links(&mut tx, repository, links).await?;
        }
        sqlx::query("UPDATE history_repos SET links_fingerprint = $1 WHERE repository = $2")
            .bind(fingerprint)
            .bind(repository)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// How the keys the mined commits of `repository` (of every repository when `None`)
    /// name meet the stored tickets' keys.
    #[tracing::instrument(skip_all)]
    pub async fn key_match(&self, repository: Option<&str>) -> Result<KeyMatch, sqlx::Error> {
        let scope = if repository.is_some() {
            "l.repository = $1"
        } else {
            "1 = 1"
        };
        let keys_mined = self
            .count_in(
                &format!("SELECT COUNT(DISTINCT l.ticket_key) FROM history_links l WHERE {scope}"),
                repository,
            )
            .await?;
        let keys_matched = self
            .count_in(
                &format!(
                    "SELECT COUNT(DISTINCT l.ticket_key) FROM history_links l WHERE {scope} AND {KEY_IS_STORED}"
                ),
                repository,
            )
            .await?;
        let sql = format!(
            "SELECT DISTINCT l.ticket_key FROM history_links l WHERE {scope} AND NOT {KEY_IS_STORED} \
             ORDER BY l.ticket_key LIMIT {EXAMPLES}"
        );
        let q = sqlx::query_scalar::<_, String>(&sql);
        let q = match repository {
            Some(r) => q.bind(r),
            None => q,
        };
        let unmatched_examples = q.fetch_all(&self.pool).await?;
        let tickets_stored: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE deleted = 0")
                .fetch_one(&self.pool)
                .await?;
        let ticket_examples: Vec<String> = sqlx::query_scalar(
            &format!("SELECT ticket_key FROM tickets WHERE deleted = 0 ORDER BY stored_at DESC, ticket_key LIMIT {EXAMPLES}"),
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(KeyMatch {
            keys_mined,
            keys_matched,
            tickets_stored,
            unmatched_examples,
            ticket_examples,
        })
    }

    /// A count, with `repository` bound as `$1` when given.
    async fn count_in(&self, sql: &str, repository: Option<&str>) -> Result<i64, sqlx::Error> {
        let q = sqlx::query_scalar::<_, i64>(sql);
        let q = match repository {
            Some(r) => q.bind(r),
            None => q,
        };
        q.fetch_one(&self.pool).await
    }

    /// The stored tickets that mined commits of `repository` name, most recently fixed
    /// first, at most `limit` rows, each with the key the commits wrote (a bare `#12` for a
    /// forge ticket `owner/repo#12`) and the files those commits changed, by path. Deleted
    /// and restricted tickets are left out; texts are cut at `PAST_TEXT_BYTES`.
    #[tracing::instrument(skip_all, fields(repository))]
    pub async fn past_tickets(
        &self,
        repository: &str,
        limit: usize,
    ) -> Result<Vec<(String, PastTicket)>, sqlx::Error> {
        let rows = sqlx::query(PAST_TICKETS)
            .bind(repository)
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let sql = format!(
            "SELECT DISTINCT l.ticket_key, h.path FROM history_links l \
             JOIN history_changes h ON h.repository = l.repository AND h.sha = l.sha \
             WHERE l.repository = $1 AND {KEY_IS_STORED} ORDER BY l.ticket_key, h.path"
        );
        for r in sqlx::query(&sql)
            .bind(repository)
            .fetch_all(&self.pool)
            .await?
        {
            let key: String = r.try_get("ticket_key")?;
            files.entry(key).or_default().push(r.try_get("path")?);
        }
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let Some(tracker) = Tracker::parse(&r.try_get::<String, _>("tracker")?) else {
                continue;
            };
            let link_key: String = r.try_get("link_key")?;
            let (title, body): (String, String) = (r.try_get("title")?, r.try_get("body")?);
            let text = format!("{title}\n{body}");
            out.push((
                link_key.clone(),
                PastTicket {
                    tracker,
                    key: r.try_get("ticket_key")?,
                    project: r.try_get("project")?,
                    visibility: Visibility::parse(&r.try_get::<String, _>("visibility")?),
                    text: crate::domain::text::cut(&text, PAST_TEXT_BYTES).to_string(),
                    fixed_ms: r.try_get("fixed_ms")?,
                    files: files.get(&link_key).cloned().unwrap_or_default(),
                },
            ));
        }
        Ok(out)
    }

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
