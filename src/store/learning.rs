//! What per-project learning reads: duplicate links and triagers' verdicts, in the order
//! they became known (store clock), page by page.

use super::tickets::{doc_of, FEED_COLUMNS};
use super::{FeedPosition, Store};
use crate::domain::TicketDoc;
use sqlx::Row;

/// A ticket known long enough without a known duplicate: learning's unlinked search.
#[derive(Debug, Clone)]
pub struct UnlinkedTicket {
    pub doc: TicketDoc,
    /// Where the feed stands after it (`stored_at` is the time it was first stored).
    pub position: FeedPosition,
}

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

    /// When the duplicate link (`ticket_id` → `linked_key`) became known; `None` when there is
    /// no such link.
    pub async fn duplicate_link_known_at(
        &self,
        tracker: &str,
        ticket_id: &str,
        linked_key: &str,
    ) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT linked_at FROM ticket_links WHERE tracker = $1 AND ticket_id = $2 \
             AND linked_key = $3 AND kind = 'duplicate'",
        )
        .bind(tracker)
        .bind(ticket_id)
        .bind(linked_key)
        .fetch_optional(&self.pool)
        .await
    }

    /// Live tickets of a project first stored after `after` and at or before `known_before`
    /// (store clock), oldest first, at most `limit`, that have no known duplicate: no
    /// duplicate link either way and no verdict "duplicate" on them or naming them. A ticket
    /// linked later is gone from the feed; the learner drops it when it learns the link.
    pub async fn unlinked_after(
        &self,
        after: &FeedPosition,
        known_before: i64,
        limit: i64,
    ) -> Result<Vec<UnlinkedTicket>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {FEED_COLUMNS}, first_stored_at FROM tickets t \
             WHERE t.deleted = 0 AND t.project IS NOT NULL AND t.first_stored_at <= $1 \
               AND (t.first_stored_at > $2 OR (t.first_stored_at = $2 AND (t.tracker > $3 \
                   OR (t.tracker = $3 AND t.ticket_id > $4)))) \
               AND NOT EXISTS (SELECT 1 FROM ticket_links l WHERE l.tracker = t.tracker \
                   AND l.kind = 'duplicate' \
                   AND (l.ticket_id = t.ticket_id OR l.linked_key = t.ticket_key)) \
               AND NOT EXISTS (SELECT 1 FROM duplicate_feedback f WHERE f.tracker = t.tracker \
                   AND f.duplicate = 1 \
                   AND (f.ticket_id = t.ticket_id OR f.candidate_key = t.ticket_key)) \
             ORDER BY t.first_stored_at, t.tracker, t.ticket_id LIMIT $5"
        ))
        .bind(known_before)
        .bind(after.stored_at)
        .bind(&after.tracker)
        .bind(&after.ticket_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let (doc, _, _) = doc_of(r)?;
                let position = FeedPosition {
                    stored_at: r.try_get("first_stored_at")?,
                    tracker: doc.tracker.as_str().to_string(),
                    ticket_id: doc.id.clone(),
                };
                Ok(UnlinkedTicket { doc, position })
            })
            .collect()
    }
}
