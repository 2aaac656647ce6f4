//! Tickets as last seen from their tracker: the source of truth for the ticket index.

use super::Store;
use crate::domain::{EventKind, TicketEvent};
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
    pub status: Option<String>,
    pub url: Option<String>,
    pub updated_at: Option<String>,
    pub deleted: bool,
}

impl Store {
    /// Applies a ticket event: upserts the ticket, or marks it deleted. An event older than
    /// what is stored (by the tracker's `updated` time) does not overwrite newer text.
    pub async fn apply_ticket_event(&self, e: &TicketEvent, now: i64) -> Result<(), sqlx::Error> {
        if e.kind == EventKind::Deleted {
            sqlx::query(
                "UPDATE tickets SET deleted = 1, stored_at = $1 WHERE tracker = $2 AND ticket_id = $3",
            )
            .bind(now)
            .bind(e.tracker.as_str())
            .bind(&e.id)
            .execute(&self.pool)
            .await?;
            return Ok(());
        }
        let labels = serde_json::to_string(&e.labels).unwrap_or_else(|_| "[]".into());
        let components = serde_json::to_string(&e.components).unwrap_or_else(|_| "[]".into());
        sqlx::query(
            "INSERT INTO tickets (tracker, ticket_id, ticket_key, title, body, labels, components, \
                 project, status, issue_type, priority, reporter, url, created_at, updated_at, \
                 deleted, stored_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, $16) \
             ON CONFLICT (tracker, ticket_id) DO UPDATE SET \
                 ticket_key = excluded.ticket_key, title = excluded.title, body = excluded.body, \
                 labels = excluded.labels, components = excluded.components, \
                 project = excluded.project, status = excluded.status, \
                 issue_type = excluded.issue_type, priority = excluded.priority, \
                 reporter = excluded.reporter, url = excluded.url, \
                 created_at = COALESCE(tickets.created_at, excluded.created_at), \
                 updated_at = excluded.updated_at, stored_at = excluded.stored_at \
             WHERE tickets.deleted = 0 AND (tickets.updated_at IS NULL \
                 OR excluded.updated_at IS NULL OR excluded.updated_at >= tickets.updated_at)",
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Fetches a ticket by tracker and human key.
    pub async fn ticket_by_key(
        &self,
        tracker: &str,
        key: &str,
    ) -> Result<Option<StoredTicket>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT tracker, ticket_id, ticket_key, title, body, labels, components, project, \
                 status, url, updated_at, deleted \
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
            status: row.try_get("status")?,
            url: row.try_get("url")?,
            updated_at: row.try_get("updated_at")?,
            deleted: row.try_get::<i64, _>("deleted")? != 0,
        }))
    }
}
