//! What per-project learning reads: duplicate links and triagers' verdicts, in the order
//! they became known (store clock), page by page.

use super::Store;
use sqlx::Row;

/// A label as learning reads it: the ticket, the other ticket's key, whether they are
/// duplicates, and when TicketLens learned it.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnedLabel {
    pub tracker: String,
    pub ticket_id: String,
    pub other_key: String,
    pub duplicate: bool,
    pub known_at: i64,
}

/// A position in a label feed: after this (time, tracker, ticket, key).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelPosition {
    pub known_at: i64,
    pub tracker: String,
    pub ticket_id: String,
    pub key: String,
}

impl LearnedLabel {
    /// The feed position just past this label.
    pub fn position(&self) -> LabelPosition {
        LabelPosition {
            known_at: self.known_at,
            tracker: self.tracker.clone(),
            ticket_id: self.ticket_id.clone(),
            key: self.other_key.clone(),
        }
    }
}

fn label(r: &sqlx::any::AnyRow, duplicate: Option<bool>) -> Result<LearnedLabel, sqlx::Error> {
    Ok(LearnedLabel {
        tracker: r.try_get(0)?,
        ticket_id: r.try_get(1)?,
        other_key: r.try_get(2)?,
        known_at: r.try_get(3)?,
        duplicate: match duplicate {
            Some(d) => d,
            None => r.try_get::<i64, _>(4)? != 0,
        },
    })
}

impl Store {
    /// Duplicate links known after `after`, oldest first, at most `limit`.
    pub async fn links_after(
        &self,
        after: &LabelPosition,
        limit: i64,
    ) -> Result<Vec<LearnedLabel>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT tracker, ticket_id, linked_key, linked_at FROM ticket_links \
             WHERE kind = 'duplicate' AND (linked_at > $1 OR (linked_at = $1 AND \
                 (tracker > $2 OR (tracker = $2 AND (ticket_id > $3 \
                 OR (ticket_id = $3 AND linked_key > $4)))))) \
             ORDER BY linked_at, tracker, ticket_id, linked_key LIMIT $5",
        )
        .bind(after.known_at)
        .bind(&after.tracker)
        .bind(&after.ticket_id)
        .bind(&after.key)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| label(r, Some(true))).collect()
    }

    /// Records a triager's verdict on a suggestion (the latest verdict on a pair wins).
    pub async fn record_duplicate_feedback(
        &self,
        tracker: &str,
        ticket_id: &str,
        candidate_key: &str,
        duplicate: bool,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO duplicate_feedback (tracker, ticket_id, candidate_key, duplicate, \
                 decided_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tracker, ticket_id, candidate_key) DO UPDATE SET \
                 duplicate = excluded.duplicate, decided_at = excluded.decided_at",
        )
        .bind(tracker)
        .bind(ticket_id)
        .bind(candidate_key)
        .bind(i64::from(duplicate))
        .bind(self.now())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Triagers' verdicts decided after `after`, oldest first, at most `limit`.
    pub async fn feedback_after(
        &self,
        after: &LabelPosition,
        limit: i64,
    ) -> Result<Vec<LearnedLabel>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT tracker, ticket_id, candidate_key, decided_at, duplicate \
             FROM duplicate_feedback \
             WHERE decided_at > $1 OR (decided_at = $1 AND \
                 (tracker > $2 OR (tracker = $2 AND (ticket_id > $3 \
                 OR (ticket_id = $3 AND candidate_key > $4))))) \
             ORDER BY decided_at, tracker, ticket_id, candidate_key LIMIT $5",
        )
        .bind(after.known_at)
        .bind(&after.tracker)
        .bind(&after.ticket_id)
        .bind(&after.key)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| label(r, None)).collect()
    }
}
