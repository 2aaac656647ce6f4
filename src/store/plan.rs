//! The plan's reads: the sprints and releases the store knows, and the open tickets of one
//! of them (or all open ones), each with its planning data, its latest analysis and the
//! modules that analysis lands in.

use super::tickets::planning;
use super::{is_closed_status, Store};
use crate::domain::Planning;
use sqlx::Row;

/// A ticket lands in the first module of its latest analysis: the one its comment names as
/// where it lands. The others are alternatives; counted as landings, one hub module would
/// gather nearly every ticket of a sprint and read as a collision it is not.
pub const LANDS_IN: usize = 1;
/// Tickets a plan reads at most (most urgent first), so one page stays bounded.
pub const PLAN_TICKETS: i64 = 500;

/// Which tickets a plan is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanFilter {
    Sprint(String),
    Release(String),
    /// Every open ticket.
    Open,
}

/// One open ticket of a plan.
#[derive(Debug, Clone)]
pub struct PlanTicket {
    pub tracker: String,
    pub id: String,
    pub key: String,
    pub title: String,
    pub url: Option<String>,
    pub status: Option<String>,
    /// The tracker's own priority word.
    pub priority_word: Option<String>,
    pub plan: Planning,
    /// The latest analysis (an `Enrichment` as JSON), when the ticket was analysed.
    pub analysis: Option<String>,
    /// `(repository, module)` its latest analysis lands in, best first.
    pub modules: Vec<(String, String)>,
}

/// A sprint or release name and how many open tickets carry it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanChoice {
    pub name: String,
    pub open_tickets: i64,
}

const OPEN: &str = "t.deleted = 0 AND (t.status_category IS NULL OR t.status_category <> 'done')";

impl Store {
    /// The sprints and the releases open tickets carry, each with its count, by name.
    pub async fn plan_choices(&self) -> Result<(Vec<PlanChoice>, Vec<PlanChoice>), sqlx::Error> {
        let mut out = Vec::new();
        for column in ["sprint", "release_name"] {
            let rows = sqlx::query(&format!(
                "SELECT t.{column} AS name, COUNT(*) AS n FROM tickets t \
                 WHERE {OPEN} AND t.{column} IS NOT NULL GROUP BY t.{column} ORDER BY t.{column} \
                 LIMIT 200"
            ))
            .fetch_all(&self.pool)
            .await?;
            let choices = rows
                .iter()
                .map(|r| {
                    Ok(PlanChoice {
                        name: r.try_get("name")?,
                        open_tickets: r.try_get("n")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
            out.push(choices);
        }
        let releases = out.pop().unwrap_or_default();
        let sprints = out.pop().unwrap_or_default();
        Ok((sprints, releases))
    }

    /// The open tickets the filter picks, most urgent first (no priority last), at most
    /// [`PLAN_TICKETS`], with their latest analysis and modules.
    pub async fn plan_tickets(&self, filter: &PlanFilter) -> Result<Vec<PlanTicket>, sqlx::Error> {
        let (clause, value) = match filter {
            PlanFilter::Sprint(s) => ("AND t.sprint = $1", Some(s.as_str())),
            PlanFilter::Release(r) => ("AND t.release_name = $1", Some(r.as_str())),
            PlanFilter::Open => ("", None),
        };
        let sql = format!(
            "SELECT t.tracker, t.ticket_id, t.ticket_key, t.title, t.url, t.status, t.priority, \
                 t.priority_rank, t.sprint, t.release_name, t.parent, t.estimate, t.assignee, \
                 t.status_category, c.analysis \
             FROM tickets t LEFT JOIN comments c \
                 ON c.tracker = t.tracker AND c.ticket_id = t.ticket_id \
             WHERE {OPEN} {clause} \
             ORDER BY COALESCE(t.priority_rank, 9), t.ticket_key LIMIT {PLAN_TICKETS}"
        );
        let mut q = sqlx::query(&sql);
        if let Some(v) = value {
            q = q.bind(v);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let status: Option<String> = r.try_get("status")?;
            if is_closed_status(status.as_deref()) {
                continue;
            }
            out.push(PlanTicket {
                tracker: r.try_get("tracker")?,
                id: r.try_get("ticket_id")?,
                key: r.try_get("ticket_key")?,
                title: r.try_get("title")?,
                url: r.try_get("url")?,
                status,
                priority_word: r.try_get("priority")?,
                plan: planning(r)?,
                analysis: r.try_get("analysis")?,
                modules: Vec::new(),
            });
        }
        self.attach_modules(&mut out).await?;
        Ok(out)
    }

    /// Fills each ticket's modules from `ticket_modules`: those it lands in (`LANDS_IN`).
    async fn attach_modules(&self, tickets: &mut [PlanTicket]) -> Result<(), sqlx::Error> {
        for chunk in tickets.chunks_mut(100) {
            // numbered placeholders: sqlx's `QueryBuilder<Any>` writes `?`, which
            // PostgreSQL refuses
            let pairs: Vec<String> = (0..chunk.len())
                .map(|i| format!("(tracker = ${} AND ticket_id = ${})", 2 * i + 1, 2 * i + 2))
                .collect();
            let sql = format!(
                "SELECT tracker, ticket_id, repository, module FROM ticket_modules \
                 WHERE rank < {LANDS_IN} AND ({}) ORDER BY rank",
                pairs.join(" OR ")
            );
            let mut q = sqlx::query(&sql);
            for t in chunk.iter() {
                q = q.bind(t.tracker.clone()).bind(t.id.clone());
            }
            let rows = q.fetch_all(&self.pool).await?;
            for r in &rows {
                let (tracker, id): (String, String) =
                    (r.try_get("tracker")?, r.try_get("ticket_id")?);
                if let Some(t) = chunk
                    .iter_mut()
                    .find(|t| t.tracker == tracker && t.id == id)
                {
                    t.modules
                        .push((r.try_get("repository")?, r.try_get("module")?));
                }
            }
        }
        Ok(())
    }

    /// Keys of the other open tickets of the filter's sprint or release whose latest
    /// analysis lands in the module, most urgent first; at most `limit`.
    pub async fn plan_peers(
        &self,
        filter: &PlanFilter,
        tracker: &str,
        ticket_id: &str,
        (repository, module): (&str, &str),
        limit: i64,
    ) -> Result<Vec<String>, sqlx::Error> {
        let (column, value) = match filter {
            PlanFilter::Sprint(s) => ("sprint", s),
            PlanFilter::Release(r) => ("release_name", r),
            PlanFilter::Open => return Ok(Vec::new()),
        };
        let rows = sqlx::query(&format!(
            "SELECT t.ticket_key, t.status FROM tickets t \
             JOIN ticket_modules m ON m.tracker = t.tracker AND m.ticket_id = t.ticket_id \
             WHERE {OPEN} AND t.{column} = $1 AND m.repository = $2 AND m.module = $3 \
                 AND m.rank < {LANDS_IN} \
                 AND NOT (t.tracker = $4 AND t.ticket_id = $5) \
             ORDER BY COALESCE(t.priority_rank, 9), t.ticket_key LIMIT $6"
        ))
        .bind(value)
        .bind(repository)
        .bind(module)
        .bind(tracker)
        .bind(ticket_id)
        .bind(limit * 2)
        .fetch_all(&self.pool)
        .await?;
        let mut keys = Vec::new();
        for r in &rows {
            let status: Option<String> = r.try_get("status")?;
            if !is_closed_status(status.as_deref()) && keys.len() < limit as usize {
                keys.push(r.try_get("ticket_key")?);
            }
        }
        Ok(keys)
    }
}
