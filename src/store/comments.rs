//! The one comment per ticket: its tracker id, the rendered body and its content hash.

use super::Store;
use sqlx::Row;

/// A ticket's comment as last written (or planned, or rendered in dry-run).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CommentRecord {
    pub tracker: String,
    pub ticket_id: String,
    pub ticket_key: String,
    pub comment_id: Option<String>,
    /// `pending`, `sent`, `dry_run` or `skipped`.
    pub state: String,
    pub format: String,
    pub body: String,
    pub content_hash: String,
    /// The analysis (an `Enrichment` as JSON) the body was rendered from.
    pub analysis: String,
    pub updated_at: i64,
}

impl Store {
    /// Fetches a ticket's comment record.
    pub async fn comment(
        &self,
        tracker: &str,
        ticket_id: &str,
    ) -> Result<Option<CommentRecord>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT tracker, ticket_id, ticket_key, comment_id, state, format, body, \
                 content_hash, analysis, updated_at \
             FROM comments WHERE tracker = $1 AND ticket_id = $2",
        )
        .bind(tracker)
        .bind(ticket_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(CommentRecord {
                tracker: r.try_get("tracker")?,
                ticket_id: r.try_get("ticket_id")?,
                ticket_key: r.try_get("ticket_key")?,
                comment_id: r.try_get("comment_id")?,
                state: r.try_get("state")?,
                format: r.try_get("format")?,
                body: r.try_get("body")?,
                content_hash: r.try_get("content_hash")?,
                analysis: r.try_get("analysis")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .transpose()
    }

    /// Inserts or replaces a ticket's comment record. A `pending` record (the intent written
    /// before a tracker call) is flushed to disk before this returns.
    pub async fn save_comment(&self, c: &CommentRecord) -> Result<(), sqlx::Error> {
        let query = sqlx::query(
            "INSERT INTO comments (tracker, ticket_id, ticket_key, comment_id, state, format, \
                 body, content_hash, analysis, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (tracker, ticket_id) DO UPDATE SET \
                 ticket_key = excluded.ticket_key, comment_id = excluded.comment_id, \
                 state = excluded.state, format = excluded.format, body = excluded.body, \
                 content_hash = excluded.content_hash, analysis = excluded.analysis, \
                 updated_at = excluded.updated_at",
        )
        .bind(&c.tracker)
        .bind(&c.ticket_id)
        .bind(&c.ticket_key)
        .bind(&c.comment_id)
        .bind(&c.state)
        .bind(&c.format)
        .bind(&c.body)
        .bind(&c.content_hash)
        .bind(&c.analysis)
        .bind(c.updated_at);
        if c.state == "pending" {
            let mut conn = self.durable().await?;
            query.execute(&mut *conn).await?;
            conn.release().await?;
        } else {
            query.execute(&self.writer).await?;
        }
        Ok(())
    }
}
