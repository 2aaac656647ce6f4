//! Operators' view of the job queue: counts, pages of jobs, and retries (one dead job, or
//! every job a filter matches).

use super::jobs::{job_from_row, Job, JobState, JOB_COLUMNS};
use super::Store;
use sqlx::Row;

/// The filter of a bulk retry: jobs in `state` whose last error contains `error_contains`
/// (case-insensitive; every job in the state when empty).
#[derive(Debug, Clone)]
pub struct RetryFilter {
    pub state: JobState,
    pub error_contains: String,
}

impl Store {
    /// Counts jobs per state (states with no job are reported as 0).
    pub async fn job_counts(&self) -> Result<Vec<(JobState, i64)>, sqlx::Error> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
            .fetch_all(&self.pool)
            .await?;
        let mut counts: Vec<(JobState, i64)> = JobState::ALL.iter().map(|s| (*s, 0)).collect();
        for row in rows {
            let state: String = row.try_get("state")?;
            let n: i64 = row.try_get("n")?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| s.as_str() == state) {
                slot.1 = n;
            }
        }
        Ok(counts)
    }

    /// Jobs in the states that stay small (queued, running, dead), counted through the
    /// state index: what metrics scrape, without counting the done jobs (those are counted
    /// as they finish, by the job-duration histogram).
    pub async fn active_job_counts(&self) -> Result<Vec<(JobState, i64)>, sqlx::Error> {
        let mut counts = Vec::new();
        for state in [JobState::Queued, JobState::Running, JobState::Dead] {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = $1")
                .bind(state.as_str())
                .fetch_one(&self.pool)
                .await?;
            counts.push((state, n));
        }
        Ok(counts)
    }

    /// Lists jobs in a state, newest first.
    pub async fn list_jobs(&self, state: JobState, limit: i64) -> Result<Vec<Job>, sqlx::Error> {
        self.list_jobs_page(state, limit, None).await
    }

    /// A page of jobs in a state, newest first, with ids below `before` when given.
    pub async fn list_jobs_page(
        &self,
        state: JobState,
        limit: i64,
        before: Option<i64>,
    ) -> Result<Vec<Job>, sqlx::Error> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE state = $1 AND id < $2 \
             ORDER BY id DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(state.as_str())
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(job_from_row).collect()
    }

    /// Fetches one job.
    pub async fn job(&self, id: i64) -> Result<Option<Job>, sqlx::Error> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// Puts a dead job back in the queue with a fresh set of attempts; false when the job
    /// is not dead.
    pub async fn retry_dead(&self, id: i64, now: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, updated_at = $1, \
                 finished_at = NULL \
             WHERE id = $2 AND state = 'dead'",
        )
        .bind(now)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts every job the filter matches back in the queue, due now: dead jobs with a fresh
    /// set of attempts, queued ones without their wait. Returns how many were queued.
    pub async fn retry_matching(&self, filter: &RetryFilter, now: i64) -> Result<u64, sqlx::Error> {
        let state = match filter.state {
            JobState::Dead | JobState::Queued => filter.state.as_str(),
            // running jobs belong to a worker, done ones are done
            JobState::Running | JobState::Done => return Ok(0),
        };
        let pattern = format!("%{}%", like_escape(&filter.error_contains.to_lowercase()));
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', \
                 attempts = CASE WHEN state = 'dead' THEN 0 ELSE attempts END, \
                 run_at = $1, updated_at = $1, finished_at = NULL \
             WHERE state = $2 AND LOWER(COALESCE(last_error, '')) LIKE $3 ESCAPE '\\'",
        )
        .bind(now)
        .bind(state)
        .bind(pattern)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }
}

/// `s` with LIKE's wildcards escaped (escape character `\`).
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
