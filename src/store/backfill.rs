//! Back-fill cursors (resumable imports) and the duplicate links trackers already hold.

use super::Store;

/// Where a back-fill source stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackfillCursor {
    /// The tracker's paging token or offset of the next page; `None` = start.
    pub cursor: Option<String>,
    /// Tickets stored so far.
    pub fetched: i64,
    pub done: bool,
}

impl Store {
    /// Reads a source's cursor, if the source ran before.
    pub async fn backfill_cursor(
        &self,
        source: &str,
    ) -> Result<Option<BackfillCursor>, sqlx::Error> {
        let row: Option<(Option<String>, i64, i64)> =
            sqlx::query_as("SELECT cursor, fetched, done FROM backfill_cursors WHERE source = $1")
                .bind(source)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(cursor, fetched, done)| BackfillCursor {
            cursor,
            fetched,
            done: done != 0,
        }))
    }

    /// Records the cursor after a page's tickets are stored.
    pub async fn save_backfill_cursor(
        &self,
        source: &str,
        c: &BackfillCursor,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO backfill_cursors (source, cursor, fetched, done, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, \
                 fetched = excluded.fetched, done = excluded.done, updated_at = excluded.updated_at",
        )
        .bind(source)
        .bind(&c.cursor)
        .bind(c.fetched)
        .bind(i64::from(c.done))
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Records that a ticket is linked as a duplicate of (or by) another, by key, known from
    /// now (store clock). A link already recorded keeps the time it first became known, so
    /// it is learned once. Returns whether the link is new.
    pub async fn add_duplicate_link(
        &self,
        tracker: &str,
        ticket_id: &str,
        linked_key: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO ticket_links (tracker, ticket_id, linked_key, kind, linked_at) \
             VALUES ($1, $2, $3, 'duplicate', $4) ON CONFLICT DO NOTHING",
        )
        .bind(tracker)
        .bind(ticket_id)
        .bind(linked_key)
        .bind(self.now())
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Keys of the tickets linked to this one as duplicates.
    pub async fn duplicate_links(
        &self,
        tracker: &str,
        ticket_id: &str,
    ) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT linked_key FROM ticket_links WHERE tracker = $1 AND ticket_id = $2 \
             AND kind = 'duplicate' ORDER BY linked_key",
        )
        .bind(tracker)
        .bind(ticket_id)
        .fetch_all(&self.pool)
        .await
    }
}
