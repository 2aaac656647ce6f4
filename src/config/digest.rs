//! `[digest]`: the plan's findings sent on a schedule to a chat or JSON webhook. Off until
//! `target` and `url` are both set.

use super::{ConfigError, Secret};
use serde::Deserialize;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Monday 1970-01-05 00:00 UTC (epoch ms): periods are counted from here, so `every = "7d"`
/// starts each period on a Monday.
const MONDAY_MS: i64 = 4 * 86_400_000;

/// Where the digest goes, and so the shape of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestTarget {
    /// A Slack incoming webhook: `{"text": …}` in Slack's mrkdwn.
    Slack,
    /// A Microsoft Teams workflow webhook ("When a Teams webhook request is received"): a
    /// message with one Adaptive Card attachment.
    Teams,
    /// Any endpoint: the findings as JSON, with the text.
    Json,
}

/// A test hook: milliseconds added to the store's clock when the schedule reads it, so a
/// test can move to the next period without waiting. Not a setting (never read from a file).
#[derive(Debug, Clone, Default)]
pub struct ClockOffset(Arc<AtomicI64>);

impl ClockOffset {
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }

    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::Relaxed);
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DigestSettings {
    pub target: Option<DigestTarget>,
    /// The webhook address; a secret (Slack's and Teams' addresses carry their key).
    pub url: Option<Secret>,
    /// Length of a period: a number and a unit, `s`, `m`, `h` or `d` (`"7d"`, `"1d"`).
    pub every: String,
    /// When in the period, counted from Monday 00:00 UTC, the period starts (`"9h"`: with
    /// `every = "7d"`, Mondays 09:00 UTC; with `every = "1d"`, every day at 09:00 UTC).
    pub at: String,
    /// The sprint and release to report; each defaults to the one most open tickets carry.
    pub sprint: Option<String>,
    pub release: Option<String>,
    /// Timeout of one HTTP call.
    pub timeout_secs: u64,
    /// Calls per period at most; 5xx answers, 429 and timeouts are tried again.
    pub max_attempts: u32,
    /// Wait before the second call, doubled after each failure.
    pub retry_backoff_ms: u64,
    /// How often `serve` checks whether a new period has begun.
    pub check_interval_ms: u64,
    #[serde(skip)]
    pub clock_offset: ClockOffset,
}

impl Default for DigestSettings {
    fn default() -> Self {
        DigestSettings {
            target: None,
            url: None,
            every: "7d".into(),
            at: "9h".into(),
            sprint: None,
            release: None,
            timeout_secs: 10,
            max_attempts: 3,
            retry_backoff_ms: 1000,
            check_interval_ms: 60_000,
            clock_offset: ClockOffset::default(),
        }
    }
}

/// `7d`, `12h`, `30m`, `45s` in ms (hand-written: four units, no crate needed).
fn duration_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let unit = match s.chars().last()? {
        's' => 1_000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        _ => return None,
    };
    let n: i64 = s[..s.len() - 1].trim().parse().ok()?;
    (0..=3650 * 86_400_000 / unit)
        .contains(&n)
        .then_some(n * unit)
}

impl DigestSettings {
    /// The target and its address, when the digest is on.
    pub fn enabled(&self) -> Option<(DigestTarget, &Secret)> {
        Some((self.target?, self.url.as_ref()?))
    }

    /// Start (epoch ms) of the period `now` falls in.
    pub fn period_start(&self, now: i64) -> i64 {
        let every = duration_ms(&self.every).unwrap_or(7 * 86_400_000).max(1000);
        let origin = MONDAY_MS + duration_ms(&self.at).unwrap_or(0);
        origin + (now - origin).div_euclid(every) * every
    }

    /// Refuses a half-configured digest or a schedule that does not parse.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.target.is_some() != self.url.is_some() {
            return Err(ConfigError(
                "[digest] needs both target and url (or neither: the digest is off)".into(),
            ));
        }
        let every = duration_ms(&self.every).filter(|ms| *ms >= 1000);
        let at = duration_ms(&self.at);
        match (every, at) {
            (None, _) => Err(ConfigError(format!(
                "[digest] every must be a number and a unit (s, m, h, d) of 1s or more, such as \"7d\", not `{}`",
                self.every
            ))),
            (Some(e), Some(a)) if a < e => Ok(()),
            _ => Err(ConfigError(format!(
                "[digest] at must be a number and a unit (s, m, h, d) shorter than every, such as \"9h\", not `{}`",
                self.at
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekly_digest_starts_its_period_on_monday_at_the_given_hour() {
        let s = DigestSettings::default();
        // Wednesday 2026-12-09 12:00 UTC → Monday 2026-12-07 09:00 UTC
        let wed = 1_796_817_600_000;
        let start = s.period_start(wed);
        assert_eq!(start, 1_796_634_000_000);
        assert_eq!(s.period_start(start), start);
        assert_eq!(s.period_start(start - 1), start - 7 * 86_400_000);
    }

    #[test]
    fn a_schedule_that_does_not_parse_is_refused() {
        for (every, at) in [("7x", "9h"), ("0s", "0s"), ("1d", "25h"), ("d", "1h")] {
            let s = DigestSettings {
                every: every.into(),
                at: at.into(),
                ..Default::default()
            };
            assert!(s.validate().is_err(), "{every} {at}");
        }
        assert_eq!(duration_ms("7d"), Some(604_800_000));
        assert_eq!(duration_ms("90m"), Some(5_400_000));
    }
}
