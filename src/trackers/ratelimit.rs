//! Rate limits as the trackers say them: which answers mean "slow down" and how long to
//! wait. GitHub answers its primary limit with 403 or 429 and `x-ratelimit-remaining: 0`
//! (reset in `x-ratelimit-reset`), its secondary limits with 403 or 429 and `retry-after`;
//! GitLab with 429, `Retry-After` and `RateLimit-Reset`; Jira with 429 and `Retry-After`;
//! Linear with `RATELIMITED` and `X-RateLimit-Requests-Reset`. Every wait is clamped.

use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::time::Duration;

/// The longest wait a tracker's header can ask for, before the client's own cap.
const MAX_HEADER_WAIT_SECS: f64 = 86_400.0;

/// Seconds from a header as a wait, clamped to [0, one day]; `None` for NaN.
fn header_wait(secs: f64) -> Option<Duration> {
    if secs.is_nan() {
        return None;
    }
    Some(Duration::from_secs_f64(
        secs.clamp(0.0, MAX_HEADER_WAIT_SECS),
    ))
}

/// Tells whether a 403 is GitHub's rate limit rather than a refusal of our credentials:
/// it then says `x-ratelimit-remaining: 0` (primary), carries `retry-after` (secondary), or
/// says so in its message ("You have exceeded a secondary rate limit"). (A 429 is a rate
/// limit whatever it carries.)
pub fn is_rate_limited(status: u16, headers: &HeaderMap, body: &str) -> bool {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let says_so = || {
        let head: String = body.chars().take(500).collect();
        head.to_ascii_lowercase().contains("rate limit")
    };
    status == 429
        || (status == 403
            && (header("x-ratelimit-remaining") == Some("0")
                || header("retry-after").is_some()
                || says_so()))
}

/// The wait for a rate limit whose headers name none: GitHub asks for at least a minute
/// after a secondary limit without `retry-after`; others get the client's backoff.
pub fn unsaid_wait(status: u16) -> Option<Duration> {
    (status == 403).then(|| Duration::from_secs(60))
}

/// How long a rate-limited answer asks us to wait: `Retry-After` (seconds or an HTTP date;
/// GitHub's secondary limits, GitLab), else `X-RateLimit-Reset` (GitHub, Linear) or
/// `RateLimit-Reset` (GitLab): epoch seconds or milliseconds, or seconds to wait.
pub fn rate_limit_wait(headers: &HeaderMap, now: time::OffsetDateTime) -> Option<Duration> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(v) = header(RETRY_AFTER.as_str()) {
        if let Ok(secs) = v.parse::<f64>() {
            return header_wait(secs);
        }
        let fmt = time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        if let Ok(at) = time::PrimitiveDateTime::parse(v, &fmt) {
            let secs = (at.assume_utc() - now).as_seconds_f64();
            return header_wait(secs);
        }
    }
    for name in [
        "x-ratelimit-reset",
        "x-ratelimit-requests-reset",
        "ratelimit-reset",
    ] {
        if let Some(n) = header(name).and_then(|v| v.parse::<f64>().ok()) {
            let now_s = now.unix_timestamp() as f64;
            let secs = if n > 1e12 {
                n / 1000.0 - now_s
            } else if n > 1e9 {
                n - now_s
            } else {
                n
            };
            return header_wait(secs);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(name: &'static str, v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn retry_after_reads_seconds_dates_and_reset_stamps() {
        let now = time::macros::datetime!(2024-01-01 00:00:00 UTC);
        let secs = |h| rate_limit_wait(&h, now).map(|d| d.as_secs());
        assert_eq!(secs(headers("retry-after", "7")), Some(7));
        assert_eq!(
            secs(headers("retry-after", "Mon, 01 Jan 2024 00:00:30 GMT")),
            Some(30)
        );
        assert_eq!(secs(headers("x-ratelimit-reset", "1704067220")), Some(20));
        assert_eq!(
            secs(headers("x-ratelimit-requests-reset", "1704067205000")),
            Some(5)
        );
        assert_eq!(secs(HeaderMap::new()), None);
    }

    /// A header can ask for any number: `inf`, `1e20` and NaN must not panic the client.
    #[test]
    fn absurd_waits_are_clamped_not_panics() {
        let now = time::macros::datetime!(2024-01-01 00:00:00 UTC);
        for v in ["inf", "1e20", "-inf", "1e308"] {
            let w = rate_limit_wait(&headers("retry-after", v), now).unwrap();
            assert!(w <= Duration::from_secs(86_400), "{v}: {w:?}");
        }
        assert_eq!(rate_limit_wait(&headers("retry-after", "NaN"), now), None);
        assert!(rate_limit_wait(&headers("x-ratelimit-reset", "1e300"), now).is_some());
    }

    #[test]
    fn gitlab_reset_stamps_are_read() {
        let now = time::macros::datetime!(2024-01-01 00:00:00 UTC);
        let w = rate_limit_wait(&headers("ratelimit-reset", "1704067212"), now);
        assert_eq!(w.map(|d| d.as_secs()), Some(12));
    }

    #[test]
    fn a_github_403_is_a_rate_limit_only_when_it_says_so() {
        let none = HeaderMap::new();
        let remaining = |v| headers("x-ratelimit-remaining", v);
        assert!(is_rate_limited(403, &remaining("0"), ""));
        assert!(is_rate_limited(403, &headers("retry-after", "60"), ""));
        assert!(!is_rate_limited(403, &remaining("4999"), ""));
        let refused = r#"{"message":"Resource not accessible by integration"}"#;
        assert!(!is_rate_limited(403, &none, refused));
        let secondary = r#"{"message":"You have exceeded a secondary rate limit."}"#;
        assert!(is_rate_limited(403, &none, secondary));
        assert!(is_rate_limited(429, &none, ""));
        assert!(!is_rate_limited(200, &remaining("0"), ""));
        assert_eq!(unsaid_wait(403), Some(Duration::from_secs(60)));
        assert_eq!(unsaid_wait(429), None);
    }
}
