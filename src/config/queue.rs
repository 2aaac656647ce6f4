//! The job queue's settings (`[queue]`) and what the store keeps for how long
//! (`[retention]`).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueSettings {
    /// Number of worker tasks claiming jobs in this process.
    pub workers: usize,
    /// Lease of a running job, renewed every third of it; a dead process's jobs are
    /// claimed again after at most this long.
    pub lease_secs: u64,
    /// Attempts before a job is parked as `dead`.
    pub max_attempts: i64,
    pub backoff_base_ms: i64,
    pub backoff_cap_ms: i64,
    /// How long an idle worker sleeps before looking for due jobs again.
    pub poll_interval_ms: u64,
    /// An edit's job waits this long before it runs, so a burst of edits (a person typing,
    /// an automation rule firing after the create) collapses into one analysis of the
    /// ticket's latest state. A create runs at once. 0 runs edits at once too.
    pub edit_settle_ms: i64,
    /// Longest run of one job attempt; a longer one is abandoned and counts as a failed
    /// attempt, so a ticket that always times out ends `dead` with the reason.
    pub job_timeout_secs: u64,
}

impl Default for QueueSettings {
    fn default() -> Self {
        QueueSettings {
            workers: 4,
            lease_secs: 30,
            max_attempts: 8,
            backoff_base_ms: 2_000,
            backoff_cap_ms: 15 * 60 * 1000,
            poll_interval_ms: 200,
            edit_settle_ms: 1_000,
            job_timeout_secs: 120,
        }
    }
}

/// How long the store keeps what only operators and redelivery detection need.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSettings {
    /// Raw delivery bodies and done jobs are removed after this many days; 0 keeps them.
    pub days: u64,
    /// Delivery rows (ids and body hashes: redelivery detection) after this many days,
    /// unless a job that is not done still points at them; 0 keeps them.
    pub delivery_days: u64,
    /// How often `serve` prunes.
    pub interval_secs: u64,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        RetentionSettings {
            days: 14,
            delivery_days: 90,
            interval_secs: 3600,
        }
    }
}

impl RetentionSettings {
    /// The cutoffs (epoch ms) at `now`: bodies and done jobs, delivery rows. A disabled
    /// cutoff is 0 (nothing is older).
    pub fn cutoffs(&self, now: i64) -> (i64, i64) {
        let before = |days: u64| {
            if days == 0 {
                0
            } else {
                now - (days.min(36_500) as i64) * 86_400_000
            }
        };
        let rows = if self.delivery_days == 0 {
            0
        } else {
            before(self.delivery_days.max(self.days))
        };
        (before(self.days), rows)
    }
}
