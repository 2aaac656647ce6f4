//! Retention: what the store keeps only for a while. Raw delivery bodies and done jobs go
//! after `retention.days`; the delivery rows themselves (their ids and body hashes, all that
//! redelivery detection needs) after `retention.delivery_days`, unless a job that is not done
//! still points at them. Dead jobs stay for operators. Work is done in bounded batches.

use super::Store;

/// Rows touched per statement, so a prune never holds the writer for long.
const BATCH: i64 = 1_000;

/// What one prune did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Pruned {
    pub bodies: u64,
    pub deliveries: u64,
    pub jobs: u64,
}

impl Store {
    /// Prunes what is older than the cutoffs (epoch ms). Returns what it removed.
    pub async fn prune(&self, bodies_before: i64, rows_before: i64) -> Result<Pruned, sqlx::Error> {
        let jobs = self
            .in_batches(
                "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs \
                 WHERE state = 'done' AND finished_at < $1 LIMIT $2)",
                bodies_before,
            )
            .await?;
        let bodies = self
            .in_batches(
                "UPDATE deliveries SET raw_body = '' WHERE id IN (SELECT id FROM deliveries \
                 WHERE received_at < $1 AND raw_body <> '' LIMIT $2)",
                bodies_before,
            )
            .await?;
        let deliveries = self
            .in_batches(
                "DELETE FROM deliveries WHERE id IN (SELECT d.id FROM deliveries d \
                 WHERE d.received_at < $1 AND NOT EXISTS (SELECT 1 FROM jobs j \
                     WHERE j.delivery_row = d.id AND j.state <> 'done') LIMIT $2)",
                rows_before,
            )
            .await?;
        Ok(Pruned {
            bodies,
            deliveries,
            jobs,
        })
    }

    async fn in_batches(&self, sql: &str, before: i64) -> Result<u64, sqlx::Error> {
        let mut total = 0;
        loop {
            let n = sqlx::query(sql)
                .bind(before)
                .bind(BATCH)
                .execute(&self.writer)
                .await?
                .rows_affected();
            total += n;
            if n < BATCH as u64 {
                return Ok(total);
            }
            tokio::task::yield_now().await;
        }
    }
}
