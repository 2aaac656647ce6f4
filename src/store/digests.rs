//! The plan digest's deliveries: a period claimed by one statement, then its outcome.

use super::Store;
use sqlx::Row;

/// The name the plan digest's rows carry (the `digest` column).
pub const PLAN_DIGEST: &str = "plan";

/// Where one period's digest stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestState {
    /// Claimed; the call is being made (or the process stopped while making it).
    Sending,
    Sent,
    /// Every attempt failed.
    Failed,
}

impl DigestState {
    pub fn as_str(self) -> &'static str {
        match self {
            DigestState::Sending => "sending",
            DigestState::Sent => "sent",
            DigestState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<DigestState> {
        [Self::Sending, Self::Sent, Self::Failed]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// One period's delivery row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestDelivery {
    pub period_start: i64,
    pub state: DigestState,
    pub attempts: i64,
    pub error: Option<String>,
}

impl Store {
    /// Claims `(digest, period_start)` for this process: true for the one caller whose
    /// insert made the row, false for every other (another replica, or this one before a
    /// restart). One statement, so two replicas racing cannot both win.
    pub async fn claim_digest(&self, digest: &str, period_start: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO digest_deliveries (digest, period_start, state, attempts, updated_at) \
             VALUES ($1, $2, 'sending', 0, $3) ON CONFLICT (digest, period_start) DO NOTHING",
        )
        .bind(digest)
        .bind(period_start)
        .bind(self.now())
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records how a claimed period's delivery ended.
    pub async fn record_digest(
        &self,
        digest: &str,
        period_start: i64,
        state: DigestState,
        attempts: i64,
        error: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE digest_deliveries SET state = $1, attempts = $2, error = $3, updated_at = $4 \
             WHERE digest = $5 AND period_start = $6",
        )
        .bind(state.as_str())
        .bind(attempts)
        .bind(error)
        .bind(self.now())
        .bind(digest)
        .bind(period_start)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The digest's deliveries, latest period first, at most `limit`.
    pub async fn digest_deliveries(
        &self,
        digest: &str,
        limit: i64,
    ) -> Result<Vec<DigestDelivery>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT period_start, state, attempts, error FROM digest_deliveries \
             WHERE digest = $1 ORDER BY period_start DESC LIMIT $2",
        )
        .bind(digest)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("state")?;
                Ok(DigestDelivery {
                    period_start: r.try_get("period_start")?,
                    state: DigestState::parse(&state).ok_or_else(|| {
                        sqlx::Error::Decode(format!("unknown digest state {state}").into())
                    })?,
                    attempts: r.try_get("attempts")?,
                    error: r.try_get("error")?,
                })
            })
            .collect()
    }
}
