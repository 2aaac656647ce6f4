//! Tickets as last seen from their tracker: the source of truth for the ticket index.

use super::Store;
use crate::domain::{
    EventKind, Planning, Priority, StatusCategory, TicketDoc, TicketEvent, Tracker, Visibility,
};
use sqlx::Row;

/// A ticket row as the API shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredTicket {
    pub tracker: String,
    pub id: String,
    pub key: String,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub components: Vec<String>,
    pub project: Option<String>,
    pub visibility: Visibility,
    pub status: Option<String>,
    pub url: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub deleted: bool,
}

/// The planning columns of a `tickets` row (`priority_rank`, `sprint`, `release_name`,
/// `parent`, `estimate`, `assignee`, `status_category`).
pub(super) fn planning(row: &sqlx::any::AnyRow) -> Result<Planning, sqlx::Error> {
    Ok(Planning {
        priority: row
            .try_get::<Option<i64>, _>("priority_rank")?
            .and_then(Priority::from_rank),
        sprint: row.try_get("sprint")?,
        release: row.try_get("release_name")?,
        parent: row.try_get("parent")?,
        estimate: row.try_get("estimate")?,
        assignee: row.try_get("assignee")?,
        status_category: row
            .try_get::<Option<String>, _>("status_category")?
            .as_deref()
            .and_then(StatusCategory::parse),
        unknown: Default::default(),
    })
}

impl Store {
    /// Applies a ticket event: upserts the ticket, or marks it deleted. An event older than
    /// what is stored (by the tracker's `updated` time, compared as an instant) changes
    /// nothing. Returns whether the row changed.
    pub async fn apply_ticket_event(&self, e: &TicketEvent, now: i64) -> Result<bool, sqlx::Error> {
        if e.kind == EventKind::Deleted {
            let done = sqlx::query(
                "UPDATE tickets SET deleted = 1, stored_at = $1 \
                 WHERE tracker = $2 AND ticket_id = $3 AND deleted = 0",
            )
            .bind(now)
            .bind(e.tracker.as_str())
            .bind(&e.id)
            .execute(&self.writer)
            .await?;
            return Ok(done.rows_affected() > 0);
        }
        let labels = serde_json::to_string(&e.labels).unwrap_or_else(|_| "[]".into());
        let components = serde_json::to_string(&e.components).unwrap_or_else(|_| "[]".into());
        let done = sqlx::query(
            "INSERT INTO tickets (tracker, ticket_id, ticket_key, title, body, labels, components, \
                 project, status, issue_type, priority, reporter, url, created_at, updated_at, \
                 deleted, stored_at, updated_ms, first_stored_at, visibility, priority_rank, sprint, \
                 release_name, parent, estimate, assignee, status_category) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16, $17, \
                 $16, $18, $19, $20, $21, $22, $23, $24, $25) \
             ON CONFLICT (tracker, ticket_id) DO UPDATE SET \
                 ticket_key = excluded.ticket_key, title = excluded.title, body = excluded.body, \
                 labels = excluded.labels, components = excluded.components, \
                 project = excluded.project, visibility = excluded.visibility, \
                 status = excluded.status, \
                 issue_type = excluded.issue_type, priority = excluded.priority, \
                 reporter = excluded.reporter, url = excluded.url, \
                 created_at = COALESCE(tickets.created_at, excluded.created_at), \
                 updated_at = excluded.updated_at, stored_at = excluded.stored_at, \
                 updated_ms = excluded.updated_ms, \
                 first_stored_at = COALESCE(tickets.first_stored_at, excluded.first_stored_at), \
                 priority_rank = excluded.priority_rank, parent = excluded.parent, \
                 assignee = excluded.assignee, status_category = excluded.status_category, \
                 sprint = CASE WHEN $26 = 1 THEN tickets.sprint ELSE excluded.sprint END, \
                 release_name = CASE WHEN $27 = 1 THEN tickets.release_name \
                     ELSE excluded.release_name END, \
                 estimate = CASE WHEN $28 = 1 THEN tickets.estimate ELSE excluded.estimate END \
             WHERE tickets.deleted = 0 AND (tickets.updated_ms IS NULL \
                 OR excluded.updated_ms IS NULL OR excluded.updated_ms >= tickets.updated_ms)",
        )
        .bind(e.tracker.as_str())
        .bind(&e.id)
        .bind(e.key.as_str())
        .bind(&e.title)
        .bind(&e.body)
        .bind(labels)
        .bind(components)
        .bind(&e.project)
        .bind(&e.status)
        .bind(&e.issue_type)
        .bind(&e.priority)
        .bind(&e.reporter)
        .bind(&e.url)
        .bind(&e.created_at)
        .bind(&e.updated_at)
        .bind(now)
        .bind(e.updated_ms())
        .bind(e.visibility.as_str())
        .bind(e.plan.priority.map(Priority::rank))
        .bind(&e.plan.sprint)
        .bind(&e.plan.release)
        .bind(&e.plan.parent)
        .bind(e.plan.estimate)
        .bind(&e.plan.assignee)
        .bind(e.plan.status_category.map(StatusCategory::as_str))
        .bind(i64::from(e.plan.unknown.sprint))
        .bind(i64::from(e.plan.unknown.release))
        .bind(i64::from(e.plan.unknown.estimate))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The ticket as stored, as an event the analysis can take (kind `updated`), and whether
    /// it is deleted; `None` when it was never stored. The worker analyses this, never the
    /// payload of the event that woke it, so a retried older event cannot bring back old text.
    pub async fn stored_event(
        &self,
        tracker: Tracker,
        id: &str,
    ) -> Result<Option<(TicketEvent, bool)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT ticket_key, title, body, labels, components, project, visibility, status, \
                 issue_type, priority, reporter, url, created_at, updated_at, deleted, \
                 priority_rank, sprint, release_name, parent, estimate, assignee, status_category \
             FROM tickets WHERE tracker = $1 AND ticket_id = $2",
        )
        .bind(tracker.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let list = |col: &str| -> Result<Vec<String>, sqlx::Error> {
            let s: String = row.try_get(col)?;
            Ok(serde_json::from_str(&s).unwrap_or_default())
        };
        let key: String = row.try_get("ticket_key")?;
        let key =
            crate::domain::TicketKey::parse(&key).map_err(|e| sqlx::Error::Decode(e.into()))?;
        let event = TicketEvent {
            tracker,
            kind: EventKind::Updated,
            id: id.to_string(),
            key,
            title: row.try_get("title")?,
            body: row.try_get("body")?,
            labels: list("labels")?,
            components: list("components")?,
            project: row.try_get("project")?,
            visibility: Visibility::parse(&row.try_get::<String, _>("visibility")?),
            status: row.try_get("status")?,
            issue_type: row.try_get("issue_type")?,
            priority: row.try_get("priority")?,
            reporter: row.try_get("reporter")?,
            url: row.try_get("url")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            actor: None,
            changed_fields: Vec::new(),
            plan: planning(&row)?,
        };
        Ok(Some((event, row.try_get::<i64, _>("deleted")? != 0)))
    }

    /// Fetches a ticket by tracker and human key.
    pub async fn ticket_by_key(
        &self,
        tracker: &str,
        key: &str,
    ) -> Result<Option<StoredTicket>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT tracker, ticket_id, ticket_key, title, body, labels, components, project, \
                 visibility, status, url, created_at, updated_at, deleted \
             FROM tickets WHERE tracker = $1 AND ticket_key = $2 \
             ORDER BY stored_at DESC LIMIT 1",
        )
        .bind(tracker)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let list = |col: &str| -> Result<Vec<String>, sqlx::Error> {
            let s: String = row.try_get(col)?;
            Ok(serde_json::from_str(&s).unwrap_or_default())
        };
        Ok(Some(StoredTicket {
            tracker: row.try_get("tracker")?,
            id: row.try_get("ticket_id")?,
            key: row.try_get("ticket_key")?,
            title: row.try_get("title")?,
            body: row.try_get("body")?,
            labels: list("labels")?,
            components: list("components")?,
            project: row.try_get("project")?,
            visibility: Visibility::parse(&row.try_get::<String, _>("visibility")?),
            status: row.try_get("status")?,
            url: row.try_get("url")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
            deleted: row.try_get::<i64, _>("deleted")? != 0,
        }))
    }
}

/// A page of the tickets table in stored order, for the ticket index to follow.
#[derive(Debug, Clone, Default)]
pub struct IndexFeed {
    /// Live tickets to (re-)index.
    pub upserts: Vec<TicketDoc>,
    /// Deleted tickets to remove.
    pub deletes: Vec<(Tracker, String)>,
    /// The last row of the page: where the next page starts.
    pub watermark: FeedPosition,
}

/// A position in the tickets table's stored order: (stored_at, tracker, ticket id).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeedPosition {
    pub stored_at: i64,
    pub tracker: String,
    pub ticket_id: String,
}

pub(super) const FEED_COLUMNS: &str =
    "tracker, ticket_id, ticket_key, title, body, labels, components, \
     project, visibility, status, url, created_at, deleted, stored_at";

pub(super) fn doc_of(row: &sqlx::any::AnyRow) -> Result<(TicketDoc, bool, i64), sqlx::Error> {
    let list = |col: &str| -> Result<Vec<String>, sqlx::Error> {
        let s: String = row.try_get(col)?;
        Ok(serde_json::from_str(&s).unwrap_or_default())
    };
    let doc = TicketDoc {
        tracker: super::typed(row, "tracker", Tracker::parse)?,
        id: row.try_get("ticket_id")?,
        key: row.try_get("ticket_key")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        labels: list("labels")?,
        components: list("components")?,
        project: row.try_get("project")?,
        visibility: Visibility::parse(&row.try_get::<String, _>("visibility")?),
        status: row.try_get("status")?,
        url: row.try_get("url")?,
        created_at: row.try_get("created_at")?,
    };
    Ok((
        doc,
        row.try_get::<i64, _>("deleted")? != 0,
        row.try_get("stored_at")?,
    ))
}

impl Store {
    /// The live ticket as the index should hold it; `None` when missing or deleted.
    pub async fn ticket_doc(
        &self,
        tracker: Tracker,
        id: &str,
    ) -> Result<Option<TicketDoc>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {FEED_COLUMNS} FROM tickets WHERE tracker = $1 AND ticket_id = $2"
        ))
        .bind(tracker.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => {
                let (doc, deleted, _) = doc_of(&row)?;
                Ok((!deleted).then_some(doc))
            }
            None => Ok(None),
        }
    }

    /// Tickets stored after `after` (exclusive), in stored order, at most `limit`.
    pub async fn index_feed(
        &self,
        after: &FeedPosition,
        limit: i64,
    ) -> Result<IndexFeed, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {FEED_COLUMNS} FROM tickets WHERE stored_at > $1 \
                 OR (stored_at = $1 AND (tracker > $2 OR (tracker = $2 AND ticket_id > $3))) \
             ORDER BY stored_at, tracker, ticket_id LIMIT $4"
        ))
        .bind(after.stored_at)
        .bind(&after.tracker)
        .bind(&after.ticket_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut feed = IndexFeed {
            watermark: after.clone(),
            ..IndexFeed::default()
        };
        for row in &rows {
            let (doc, deleted, stored_at) = doc_of(row)?;
            feed.watermark = FeedPosition {
                stored_at,
                tracker: doc.tracker.as_str().to_string(),
                ticket_id: doc.id.clone(),
            };
            if deleted {
                feed.deletes.push((doc.tracker, doc.id));
            } else {
                feed.upserts.push(doc);
            }
        }
        Ok(feed)
    }
}
