//! Webhook deliveries: stored together with their job in one transaction, de-duplicated by
//! delivery id and by body hash, several per commit (group commit).

use super::{placeholders, Store};
use sqlx::{AnyConnection, Row};

/// Rows per statement: 7 parameters each stays far below both backends' limits.
const CHUNK: usize = 256;

/// A verified, parsed webhook ready to be stored.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub tracker: &'static str,
    /// The tracker's delivery id, or `sha256:<body hash>` when it sent none.
    pub delivery_id: String,
    pub body_sha256: String,
    pub raw_body: String,
    /// `queued` or `ignored:<reason>`.
    pub outcome: String,
    pub ticket_key: Option<String>,
    /// The job to enqueue with it.
    pub job: Option<NewJob>,
}

/// A job stored with its delivery.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: String,
    /// The ticket it is for (`tracker:ticket id`), see [`crate::store::Job::ticket_ref`].
    pub ticket_ref: Option<String>,
    /// How long after the delivery the job becomes due (an edit's settle time).
    pub delay_ms: i64,
}

/// What storing one delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Stored now; the id of the job enqueued with it, if any.
    Stored { job_id: Option<i64> },
    /// Seen before (same delivery id or same body): nothing written.
    Duplicate,
}

impl Store {
    /// Stores a batch of deliveries and their jobs in ONE transaction and returns, in order,
    /// what happened to each. Nothing is visible (or may be acknowledged) before the commit.
    ///
    /// Two multi-row statements do the work, whatever the batch size: one for the
    /// deliveries (conflicts skipped) and one for the jobs of those that were new.
    pub async fn store_deliveries(
        &self,
        batch: &[NewDelivery],
        max_attempts: i64,
        now: i64,
    ) -> Result<Vec<DeliveryOutcome>, sqlx::Error> {
        let result = self.store_deliveries_once(batch, max_attempts, now).await;
        self.note_write(result.is_ok());
        result
    }

    async fn store_deliveries_once(
        &self,
        batch: &[NewDelivery],
        max_attempts: i64,
        now: i64,
    ) -> Result<Vec<DeliveryOutcome>, sqlx::Error> {
        let mut conn = self.durable().await?;
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let mut outcomes = vec![DeliveryOutcome::Duplicate; batch.len()];
        for chunk_start in (0..batch.len()).step_by(CHUNK) {
            let chunk = &batch[chunk_start..(chunk_start + CHUNK).min(batch.len())];
            let inserted = insert_deliveries(&mut tx, chunk, now).await?;
            // ON CONFLICT without a target covers both unique keys, for rows of other
            // transactions and for repeats inside this statement alike (the first wins).
            let mut with_jobs = Vec::new();
            let mut claimed = vec![false; inserted.len()];
            for (i, d) in chunk.iter().enumerate() {
                // Each inserted row belongs to the first input that carries it; later
                // repeats inside the batch are duplicates.
                let row = inserted.iter().enumerate().position(|(k, (_, id, hash))| {
                    !claimed[k] && *id == d.delivery_id && *hash == d.body_sha256
                });
                let Some(pos) = row else { continue };
                claimed[pos] = true;
                let (row_id, _, _) = inserted[pos].clone();
                outcomes[chunk_start + i] = DeliveryOutcome::Stored { job_id: None };
                if let Some(job) = &d.job {
                    with_jobs.push((chunk_start + i, row_id, job));
                }
            }
            if with_jobs.is_empty() {
                continue;
            }
            let jobs = insert_jobs(&mut tx, &with_jobs, max_attempts, now).await?;
            for (index, row_id, _) in &with_jobs {
                let job_id = jobs.iter().find(|(_, d)| d == row_id).map(|(j, _)| *j);
                outcomes[*index] = DeliveryOutcome::Stored { job_id };
            }
        }
        tx.commit().await?;
        conn.release().await?;
        Ok(outcomes)
    }

    /// Counts stored deliveries of a tracker (operators and tests).
    pub async fn delivery_count(&self, tracker: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE tracker = $1")
            .bind(tracker)
            .fetch_one(&self.pool)
            .await
    }
}

/// Inserts the deliveries that are new; returns (row id, delivery id, body hash) of each.
async fn insert_deliveries(
    conn: &mut AnyConnection,
    chunk: &[NewDelivery],
    now: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    let values = placeholders(chunk.len(), 7);
    let sql = format!(
        "INSERT INTO deliveries \
             (tracker, delivery_id, body_sha256, received_at, outcome, ticket_key, raw_body) \
         VALUES {values} ON CONFLICT DO NOTHING RETURNING id, delivery_id, body_sha256"
    );
    let mut q = sqlx::query(&sql);
    for d in chunk {
        q = q
            .bind(d.tracker)
            .bind(&d.delivery_id)
            .bind(&d.body_sha256)
            .bind(now)
            .bind(&d.outcome)
            .bind(&d.ticket_key)
            .bind(&d.raw_body);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("delivery_id")?,
                r.try_get("body_sha256")?,
            ))
        })
        .collect()
}

/// Enqueues one job per (delivery row, job); returns (job id, delivery row) pairs.
async fn insert_jobs(
    conn: &mut AnyConnection,
    jobs: &[(usize, i64, &NewJob)],
    max_attempts: i64,
    now: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let values = (0..jobs.len())
        .map(|r| {
            let p = |c: usize| format!("${}", r * 7 + c);
            let (kind, payload, max, row, now, ticket, due) =
                (p(1), p(2), p(3), p(4), p(5), p(6), p(7));
            format!("({kind}, {payload}, 'queued', 0, {max}, {row}, {due}, {now}, {now}, {ticket})")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, delivery_row, run_at, \
             created_at, updated_at, ticket_ref) \
         VALUES {values} RETURNING id, delivery_row"
    );
    let mut q = sqlx::query(&sql);
    for (_, row_id, job) in jobs {
        q = q
            .bind(&job.kind)
            .bind(&job.payload)
            .bind(max_attempts)
            .bind(*row_id)
            .bind(now)
            .bind(&job.ticket_ref)
            .bind(now + job.delay_ms.max(0));
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("delivery_row")?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(i: usize, body: &str) -> NewDelivery {
        NewDelivery {
            tracker: "jira",
            delivery_id: format!("d{i}"),
            body_sha256: format!("h{i}"),
            raw_body: body.to_string(),
            outcome: "queued".into(),
            ticket_key: Some(format!("A-{i}")),
            job: Some(NewJob {
                kind: "ticket_event".into(),
                payload: "{}".into(),
                ticket_ref: Some(format!("jira:{i}")),
                delay_ms: 0,
            }),
        }
    }

    /// A commit that failed on a full disk leaves SQLite inside its transaction; the next
    /// write must still go through on the same store, without a restart.
    #[tokio::test]
    async fn a_connection_left_inside_a_transaction_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::connect(&url, 2).await.unwrap();
        store.migrate().await.unwrap();
        // what a failed COMMIT leaves behind, on the one writer connection
        sqlx::query("BEGIN").execute(&store.writer).await.unwrap();
        store
            .store_deliveries(&[delivery(0, "x")], 5, 1)
            .await
            .expect("a fresh connection takes the write");
        assert_eq!(store.delivery_count("jira").await.unwrap(), 1);
    }

    /// A full disk (SQLite's page limit reached: the same SQLITE_FULL error) fails the
    /// write; once space is back the next write succeeds on the same store, no restart.
    #[tokio::test]
    async fn a_full_disk_fails_the_write_and_the_store_recovers_when_space_is_back() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::connect(&url, 2).await.unwrap();
        store.migrate().await.unwrap();
        store
            .store_deliveries(&[delivery(0, "x")], 5, 1)
            .await
            .unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&store.writer)
            .await
            .unwrap();
        sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
            .execute(&store.writer)
            .await
            .unwrap();
        let big = "y".repeat(200_000);
        let err = store
            .store_deliveries(&[delivery(1, &big)], 5, 2)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("full"), "{err}");
        assert!(store.write_failing(), "readiness must hear of it");
        sqlx::query("PRAGMA max_page_count = 1073741823")
            .execute(&store.writer)
            .await
            .unwrap();
        store
            .store_deliveries(&[delivery(2, &big)], 5, 3)
            .await
            .expect("space is back: the write goes through");
        assert!(!store.write_failing());
        assert_eq!(store.delivery_count("jira").await.unwrap(), 2);
    }
}
