//! The one comment per ticket: its tracker id, the rendered body and its content hash, and
//! the compare-and-set that lets exactly one writer own a create.

use super::typed;
use super::Store;
use crate::domain::{CommentState, Format, Tracker};
use sqlx::Row;

/// A ticket's comment as last written (or planned, or rendered in dry-run).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommentRecord {
    pub tracker: Tracker,
    pub ticket_id: String,
    pub ticket_key: String,
    pub comment_id: Option<String>,
    pub state: CommentState,
    pub format: Format,
    pub body: String,
    pub content_hash: String,
    /// The analysis (an `Enrichment` as JSON) the body was rendered from.
    pub analysis: String,
    pub updated_at: i64,
    /// While `pending`: the token of the writer that owns the create.
    #[serde(skip)]
    pub intent: Option<String>,
    /// How many times the comment was made anew after a person deleted it.
    pub recreated: i64,
}

const COLUMNS: &str = "tracker, ticket_id, ticket_key, comment_id, state, format, body, \
     content_hash, analysis, updated_at, intent, recreated";

fn record_of(r: &sqlx::any::AnyRow) -> Result<CommentRecord, sqlx::Error> {
    Ok(CommentRecord {
        tracker: typed(r, "tracker", Tracker::parse)?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_key: r.try_get("ticket_key")?,
        comment_id: r.try_get("comment_id")?,
        state: typed(r, "state", CommentState::parse)?,
        format: typed(r, "format", Format::parse)?,
        body: r.try_get("body")?,
        content_hash: r.try_get("content_hash")?,
        analysis: r.try_get("analysis")?,
        updated_at: r.try_get("updated_at")?,
        intent: r.try_get("intent")?,
        recreated: r.try_get("recreated")?,
    })
}

impl Store {
    /// Comment records whose analysis ran before some repository was indexed and mined
    /// (`Enrichment::pending_history` is written only when not empty), at most `limit`.
    pub async fn comments_awaiting_history(
        &self,
        limit: i64,
    ) -> Result<Vec<CommentRecord>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM comments WHERE analysis LIKE '%\"pending_history\":%' \
             ORDER BY updated_at LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record_of).collect()
    }

    /// Fetches a ticket's comment record.
    pub async fn comment(
        &self,
        tracker: &str,
        ticket_id: &str,
    ) -> Result<Option<CommentRecord>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM comments WHERE tracker = $1 AND ticket_id = $2"
        ))
        .bind(tracker)
        .bind(ticket_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(record_of).transpose()
    }

    /// Inserts or replaces a ticket's comment record (`sent` after an update, `dry_run`,
    /// `skipped`). Never used for `pending`: see [`Store::claim_create`].
    pub async fn save_comment(&self, c: &CommentRecord) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO comments (tracker, ticket_id, ticket_key, comment_id, state, format, \
                 body, content_hash, analysis, updated_at, intent, recreated) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (tracker, ticket_id) DO UPDATE SET \
                 ticket_key = excluded.ticket_key, comment_id = excluded.comment_id, \
                 state = excluded.state, format = excluded.format, body = excluded.body, \
                 content_hash = excluded.content_hash, analysis = excluded.analysis, \
                 updated_at = excluded.updated_at, intent = excluded.intent, \
                 recreated = excluded.recreated",
        )
        .bind(c.tracker.as_str())
        .bind(&c.ticket_id)
        .bind(&c.ticket_key)
        .bind(&c.comment_id)
        .bind(c.state.as_str())
        .bind(c.format.as_str())
        .bind(&c.body)
        .bind(&c.content_hash)
        .bind(&c.analysis)
        .bind(c.updated_at)
        .bind(&c.intent)
        .bind(c.recreated)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Records the intent to create the comment (`pending`, with the planned id and the
    /// writer's token in `intent`) — only if the row is still what the writer read
    /// (`expected`, or no row at all). Flushed to disk before it returns. False when another
    /// writer changed the row first: it owns the create, and this writer must not send one.
    pub async fn claim_create(
        &self,
        pending: &CommentRecord,
        expected: Option<&CommentRecord>,
    ) -> Result<bool, sqlx::Error> {
        let mut conn = self.durable().await?;
        let done = match expected {
            None => {
                sqlx::query(
                    "INSERT INTO comments (tracker, ticket_id, ticket_key, comment_id, state, \
                         format, body, content_hash, analysis, updated_at, intent, recreated) \
                     VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10, $11) \
                     ON CONFLICT (tracker, ticket_id) DO NOTHING",
                )
                .bind(pending.tracker.as_str())
                .bind(&pending.ticket_id)
                .bind(&pending.ticket_key)
                .bind(&pending.comment_id)
                .bind(pending.format.as_str())
                .bind(&pending.body)
                .bind(&pending.content_hash)
                .bind(&pending.analysis)
                .bind(pending.updated_at)
                .bind(&pending.intent)
                .bind(pending.recreated)
                .execute(&mut *conn)
                .await?
            }
            Some(old) => {
                sqlx::query(
                    "UPDATE comments SET ticket_key = $1, comment_id = $2, state = 'pending', \
                         format = $3, body = $4, content_hash = $5, analysis = $6, \
                         updated_at = $7, intent = $8, recreated = $9 \
                     WHERE tracker = $10 AND ticket_id = $11 AND state = $12 \
                       AND COALESCE(comment_id, '') = $13 AND COALESCE(intent, '') = $14",
                )
                .bind(&pending.ticket_key)
                .bind(&pending.comment_id)
                .bind(pending.format.as_str())
                .bind(&pending.body)
                .bind(&pending.content_hash)
                .bind(&pending.analysis)
                .bind(pending.updated_at)
                .bind(&pending.intent)
                .bind(pending.recreated)
                .bind(pending.tracker.as_str())
                .bind(&pending.ticket_id)
                .bind(old.state.as_str())
                .bind(old.comment_id.clone().unwrap_or_default())
                .bind(old.intent.clone().unwrap_or_default())
                .execute(&mut *conn)
                .await?
            }
        };
        conn.release().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the comment as sent after a create this writer owned (`intent` still its
    /// token). False when another writer took the create over meanwhile.
    pub async fn finish_create(
        &self,
        sent: &CommentRecord,
        intent: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE comments SET comment_id = $1, state = 'sent', body = $2, content_hash = $3, \
                 analysis = $4, updated_at = $5, intent = NULL \
             WHERE tracker = $6 AND ticket_id = $7 AND state = 'pending' AND intent = $8",
        )
        .bind(&sent.comment_id)
        .bind(&sent.body)
        .bind(&sent.content_hash)
        .bind(&sent.analysis)
        .bind(sent.updated_at)
        .bind(sent.tracker.as_str())
        .bind(&sent.ticket_id)
        .bind(intent)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
