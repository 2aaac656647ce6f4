//! The durable job queue: enqueue inside the caller's transaction, claim with a lease,
//! complete, retry with capped exponential backoff, park as `dead` after N attempts.
//!
//! Every state change after a claim is guarded by `lease_owner`, so a worker whose lease
//! expired (and whose job another worker re-claimed) cannot complete or fail it.

use super::{Backend, Store};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A claimed or listed job.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub state: JobState,
    /// Attempts started so far, this one included when the job is running.
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    /// The ticket the job is for (`tracker:ticket id`): jobs of one ticket run one at a time.
    pub ticket_ref: Option<String>,
}

/// Capped exponential backoff: attempt n waits `base * 2^(n-1)`, never more than `cap`.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub base_ms: i64,
    pub cap_ms: i64,
}

impl RetryPolicy {
    /// Returns the delay before the next attempt after `attempts` failed ones.
    pub fn delay_ms(&self, attempts: i64) -> i64 {
        let exp = (attempts - 1).clamp(0, 40) as u32;
        self.base_ms.saturating_mul(1i64 << exp).min(self.cap_ms)
    }
}

/// What `fail` did with a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// Queued again, due at this time.
    Retry { run_at: i64 },
    /// Out of attempts: parked as dead.
    Dead,
    /// The caller no longer holds the lease; nothing changed.
    LeaseLost,
}

pub(super) const JOB_COLUMNS: &str =
    "id, kind, payload, state, attempts, max_attempts, run_at, last_error, created_at, ticket_ref";

pub(super) fn job_from_row(row: &AnyRow) -> Result<Job, sqlx::Error> {
    let state: String = row.try_get("state")?;
    Ok(Job {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        payload: row.try_get("payload")?,
        state: JobState::parse(&state).unwrap_or(JobState::Queued),
        attempts: row.try_get("attempts")?,
        max_attempts: row.try_get("max_attempts")?,
        run_at: row.try_get("run_at")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get("created_at")?,
        ticket_ref: row.try_get("ticket_ref")?,
    })
}

/// Adds a job on the caller's connection or transaction, so it commits with the caller's
/// writes or not at all. Returns its id.
pub async fn enqueue_in(
    conn: &mut AnyConnection,
    kind: &str,
    payload: &str,
    max_attempts: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    enqueue_for_in(conn, kind, payload, None, max_attempts, now).await
}

/// [`enqueue_in`] for a job that belongs to a ticket (`ticket_ref`): it never runs beside
/// another job of the same ticket.
pub async fn enqueue_for_in(
    conn: &mut AnyConnection,
    kind: &str,
    payload: &str,
    ticket_ref: Option<&str>,
    max_attempts: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, \
             updated_at, ticket_ref) \
         VALUES ($1, $2, 'queued', 0, $3, $4, $4, $4, $5) RETURNING id",
    )
    .bind(kind)
    .bind(payload)
    .bind(max_attempts)
    .bind(now)
    .bind(ticket_ref)
    .fetch_one(conn)
    .await
}

/// True for a unique-key violation (PostgreSQL 23505, SQLite 2067/1555): here, a second job
/// of one ticket about to run.
fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => matches!(
            d.code().as_deref(),
            Some("23505") | Some("2067") | Some("1555")
        ),
        _ => false,
    }
}

impl Store {
    /// Adds a job in its own transaction.
    pub async fn enqueue(
        &self,
        kind: &str,
        payload: &str,
        max_attempts: i64,
        now: i64,
    ) -> Result<i64, sqlx::Error> {
        let mut conn = self.writer.acquire().await?;
        enqueue_in(&mut conn, kind, payload, max_attempts, now).await
    }

    /// Adds a job of one ticket (`ticket_ref`) in its own transaction.
    pub async fn enqueue_for(
        &self,
        kind: &str,
        payload: &str,
        ticket_ref: &str,
        max_attempts: i64,
        now: i64,
    ) -> Result<i64, sqlx::Error> {
        let mut conn = self.writer.acquire().await?;
        enqueue_for_in(
            &mut conn,
            kind,
            payload,
            Some(ticket_ref),
            max_attempts,
            now,
        )
        .await
    }

    /// Claims the next due job (queued and due, or running with an expired lease) for
    /// `owner` until `now + lease_ms`, counting the attempt.
    ///
    /// A job whose ticket already has a running job is passed over: jobs of one ticket run
    /// one at a time, in every process. The claim query skips them, and the unique index on
    /// running jobs per ticket settles the race of two claimers that picked two jobs of one
    /// ticket at the same moment (the loser tries again and finds the ticket busy).
    pub async fn claim(
        &self,
        owner: &str,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<Job>, sqlx::Error> {
        let mut tries = 0;
        loop {
            match self.claim_once(owner, now, lease_ms).await {
                Err(e) if is_unique_violation(&e) && tries < 5 => tries += 1,
                other => return other,
            }
        }
    }

    async fn claim_once(
        &self,
        owner: &str,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<Job>, sqlx::Error> {
        // A running job whose lease expired first (its worker died; it keeps its ticket),
        // then the oldest due queued job whose ticket has none running. Two statements, so
        // each walks its own index in order and stops at the first row that qualifies: one
        // query with an OR would collect and sort the whole backlog on every claim.
        let expired = "j.state = 'running' AND j.lease_until < $3 AND j.attempts < j.max_attempts \
             ORDER BY j.lease_until, j.id";
        let due = "j.state = 'queued' AND j.run_at <= $3 \
             AND (j.ticket_ref IS NULL OR NOT EXISTS (SELECT 1 FROM jobs r \
                  WHERE r.ticket_ref = j.ticket_ref AND r.state = 'running')) \
             ORDER BY j.run_at, j.id";
        // Expired leases are rare: a read (off the SQLite writer) tells whether to look, so
        // the usual claim is one write statement.
        let any_expired: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM jobs WHERE state = 'running' AND lease_until < $1 \
                 AND attempts < max_attempts LIMIT 1",
        )
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        if any_expired.is_some() {
            if let Some(job) = self.claim_where(expired, owner, now, lease_ms).await? {
                return Ok(Some(job));
            }
        }
        self.claim_where(due, owner, now, lease_ms).await
    }

    async fn claim_where(
        &self,
        pick: &str,
        owner: &str,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<Job>, sqlx::Error> {
        // SQLite has one writer at a time, so the single UPDATE … RETURNING is atomic;
        // PostgreSQL needs SKIP LOCKED so concurrent claimers pass over each other's rows.
        let lock = match self.backend {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, \
                 lease_until = $2, updated_at = $3 \
             WHERE id = (SELECT j.id FROM jobs j WHERE {pick} LIMIT 1 {lock}) \
             RETURNING {JOB_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(owner)
            .bind(now + lease_ms)
            .bind(now)
            .fetch_optional(&self.writer)
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// The other queued jobs of the ticket `job` (running, held by `owner`) is for, oldest
    /// first: the running job takes their events in, so a burst of edits is analysed once.
    pub async fn queued_for_ticket(&self, job: &Job) -> Result<Vec<Job>, sqlx::Error> {
        let Some(ticket) = &job.ticket_ref else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE ticket_ref = $1 AND state = 'queued' AND id <> $2 \
             ORDER BY id LIMIT 1000"
        );
        let rows = sqlx::query(&sql)
            .bind(ticket)
            .bind(job.id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(job_from_row).collect()
    }

    /// Marks queued jobs done as merged into `into` (whose run applied their events); a job
    /// that is no longer queued is left alone. Returns how many were merged.
    pub async fn merge_into(&self, ids: &[i64], into: i64, now: i64) -> Result<u64, sqlx::Error> {
        let mut merged = 0;
        let note = format!("merged into job {into}");
        for chunk in ids.chunks(256) {
            let list = (0..chunk.len())
                .map(|i| format!("${}", i + 3))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE jobs SET state = 'done', last_error = $1, updated_at = $2, finished_at = $2 \
                 WHERE state = 'queued' AND id IN ({list})"
            );
            let mut q = sqlx::query(&sql).bind(&note).bind(now);
            for id in chunk {
                q = q.bind(*id);
            }
            merged += q.execute(&self.writer).await?.rows_affected();
        }
        Ok(merged)
    }

    /// Parks running jobs whose lease expired after their last allowed attempt: their worker
    /// died every time, so running them again would only kill another one.
    pub async fn reap_expired(&self, now: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'dead', lease_owner = NULL, lease_until = NULL, \
                 last_error = COALESCE(last_error, 'lease expired on the last attempt'), \
                 updated_at = $1, finished_at = $1 \
             WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts",
        )
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }

    /// Extends the lease of a job the owner still holds; false when the lease was lost.
    pub async fn extend_lease(
        &self,
        id: i64,
        owner: &str,
        until: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE jobs SET lease_until = $1 \
             WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
        )
        .bind(until)
        .bind(id)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a job done; false when the owner no longer held its lease.
    pub async fn complete(&self, id: i64, owner: &str, now: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, \
                 updated_at = $1, finished_at = $1 \
             WHERE id = $2 AND lease_owner = $3 AND state = 'running'",
        )
        .bind(now)
        .bind(id)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed attempt: queues the job again after the backoff, or parks it as dead
    /// once it has used all its attempts. The error is kept either way.
    pub async fn fail(
        &self,
        job: &Job,
        owner: &str,
        error: &str,
        policy: RetryPolicy,
        now: i64,
    ) -> Result<FailOutcome, sqlx::Error> {
        let error: String = error.chars().take(4000).collect();
        let dead = job.attempts >= job.max_attempts;
        let run_at = now + policy.delay_ms(job.attempts);
        let (state, finished) = if dead {
            ("dead", Some(now))
        } else {
            ("queued", None)
        };
        let done = sqlx::query(
            "UPDATE jobs SET state = $1, run_at = $2, last_error = $3, lease_owner = NULL, \
                 lease_until = NULL, updated_at = $4, finished_at = $5 \
             WHERE id = $6 AND lease_owner = $7 AND state = 'running'",
        )
        .bind(state)
        .bind(run_at)
        .bind(error)
        .bind(now)
        .bind(finished)
        .bind(job.id)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(match (done.rows_affected(), dead) {
            (0, _) => FailOutcome::LeaseLost,
            (_, true) => FailOutcome::Dead,
            (_, false) => FailOutcome::Retry { run_at },
        })
    }

    /// Queues a job again at `run_at` without counting the attempt it just made (the
    /// failure was not the job's: the code index is still being built).
    pub async fn defer(
        &self,
        job: &Job,
        owner: &str,
        error: &str,
        run_at: i64,
        now: i64,
    ) -> Result<FailOutcome, sqlx::Error> {
        let error: String = error.chars().take(4000).collect();
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = attempts - 1, run_at = $1, \
                 last_error = $2, lease_owner = NULL, lease_until = NULL, updated_at = $3 \
             WHERE id = $4 AND lease_owner = $5 AND state = 'running'",
        )
        .bind(run_at)
        .bind(error)
        .bind(now)
        .bind(job.id)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(match done.rows_affected() {
            0 => FailOutcome::LeaseLost,
            _ => FailOutcome::Retry { run_at },
        })
    }

    /// Gives back every lease `owner` holds, due at once, so another process picks the jobs
    /// up immediately. The interrupted attempt counts (it ran for the whole grace period):
    /// a job on its last attempt is parked as dead instead, so a ticket that outlasts every
    /// shutdown ends dead rather than running again after each restart.
    pub async fn release_leases(&self, owner: &str, now: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE jobs SET \
                 state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
                 last_error = CASE WHEN attempts >= max_attempts \
                     THEN 'interrupted by shutdown on its last attempt' ELSE last_error END, \
                 finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END, \
                 lease_owner = NULL, lease_until = NULL, run_at = $1, updated_at = $1 \
             WHERE lease_owner = $2 AND state = 'running'",
        )
        .bind(now)
        .bind(owner)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy {
            base_ms: 1000,
            cap_ms: 10_000,
        };
        assert_eq!(p.delay_ms(1), 1000);
        assert_eq!(p.delay_ms(2), 2000);
        assert_eq!(p.delay_ms(3), 4000);
        assert_eq!(p.delay_ms(4), 8000);
        assert_eq!(p.delay_ms(5), 10_000);
        assert_eq!(p.delay_ms(500), 10_000);
    }
}
