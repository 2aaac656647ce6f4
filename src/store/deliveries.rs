//! Webhook deliveries: stored together with their job in one transaction, de-duplicated by
//! delivery id and by body hash, several per commit (group commit).

use super::jobs::enqueue_in;
use super::Store;

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
    /// The job to enqueue with it: kind and payload.
    pub job: Option<(String, String)>,
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
    pub async fn store_deliveries(
        &self,
        batch: &[NewDelivery],
        max_attempts: i64,
        now: i64,
    ) -> Result<Vec<DeliveryOutcome>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for d in batch {
            // ON CONFLICT without a target covers both unique keys; a redelivery racing in
            // another transaction waits for that commit and then finds the row.
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO deliveries \
                     (tracker, delivery_id, body_sha256, received_at, outcome, ticket_key, raw_body) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(d.tracker)
            .bind(&d.delivery_id)
            .bind(&d.body_sha256)
            .bind(now)
            .bind(&d.outcome)
            .bind(&d.ticket_key)
            .bind(&d.raw_body)
            .fetch_optional(&mut *tx)
            .await?;
            let outcome = match (id, &d.job) {
                (None, _) => DeliveryOutcome::Duplicate,
                (Some(_), None) => DeliveryOutcome::Stored { job_id: None },
                (Some(_), Some((kind, payload))) => {
                    let job_id = enqueue_in(&mut tx, kind, payload, max_attempts, now).await?;
                    DeliveryOutcome::Stored {
                        job_id: Some(job_id),
                    }
                }
            };
            outcomes.push(outcome);
        }
        tx.commit().await?;
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
