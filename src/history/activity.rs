//! Activity over time: commits and fixes per calendar month (UTC) over the last
//! `MONTHS` months, and the counts of the last `RECENT_DAYS` days; what the web page charts.

use serde::Serialize;

/// Months in a series, the current one included.
pub const MONTHS: i64 = 24;
/// Days counted as "recent".
pub const RECENT_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;

/// One calendar month's counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    pub commits: u32,
    pub fixes: u32,
}

/// Counts over the last `days` days.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Recent {
    pub days: i64,
    pub commits: u32,
    pub fixes: u32,
    /// Lines added plus lines deleted.
    pub churn: u64,
}

/// Months since year 0 of the UTC calendar month holding `ms`.
fn month_number(ms: i64) -> i64 {
    let dt = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    i64::from(dt.year()) * 12 + i64::from(u8::from(dt.month())) - 1
}

/// The last `MONTHS` months up to the month of `now_ms`, oldest first, with the commits
/// (`(time_ms, is_fix)`) falling in each; commits before the first month or after now are
/// not counted.
pub fn monthly(commits: impl IntoIterator<Item = (i64, bool)>, now_ms: i64) -> Vec<Month> {
    let last = month_number(now_ms);
    let first = last - (MONTHS - 1);
    let mut out: Vec<Month> = (first..=last)
        .map(|n| Month {
            month: format!("{:04}-{:02}", n.div_euclid(12), n.rem_euclid(12) + 1),
            ..Month::default()
        })
        .collect();
    for (t, fix) in commits {
        if t > now_ms {
            continue;
        }
        let n = month_number(t);
        if n < first {
            continue;
        }
        let m = &mut out[(n - first) as usize];
        m.commits += 1;
        m.fixes += u32::from(fix);
    }
    out
}

/// Commits, fixes and churn of the last `RECENT_DAYS` days before `now_ms`
/// (`(time_ms, is_fix, churn)` per commit).
pub fn recent(commits: impl IntoIterator<Item = (i64, bool, u64)>, now_ms: i64) -> Recent {
    let from = now_ms - RECENT_DAYS * DAY_MS;
    let mut r = Recent {
        days: RECENT_DAYS,
        ..Recent::default()
    };
    for (t, fix, churn) in commits {
        if t > from && t <= now_ms {
            r.commits += 1;
            r.fixes += u32::from(fix);
            r.churn += churn;
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_15_2026: i64 = 1_794_700_800_000; // 2026-11-15T00:00:00Z

    #[test]
    fn a_series_has_twenty_four_months_ending_with_the_current_one() {
        let m = monthly([], NOV_15_2026);
        assert_eq!(m.len(), 24);
        assert_eq!(m.first().unwrap().month, "2024-12");
        assert_eq!(m.last().unwrap().month, "2026-11");
    }

    #[test]
    fn commits_fall_in_their_calendar_month_and_older_or_future_ones_are_left_out() {
        let day = DAY_MS;
        let m = monthly(
            [
                (NOV_15_2026, true),
                (NOV_15_2026 - 14 * day, false), // 2026-11-01
                (NOV_15_2026 - 15 * day, true),  // 2026-10-31
                (NOV_15_2026 - 800 * day, true), // before the first month
                (NOV_15_2026 + day, false),      // after now
            ],
            NOV_15_2026,
        );
        let last = &m[23];
        assert_eq!((last.commits, last.fixes), (2, 1));
        assert_eq!(
            (m[22].month.as_str(), m[22].commits, m[22].fixes),
            ("2026-10", 1, 1)
        );
        assert_eq!(m.iter().map(|x| x.commits).sum::<u32>(), 3);
    }

    #[test]
    fn recent_counts_only_the_last_thirty_days() {
        let r = recent(
            [
                (NOV_15_2026 - DAY_MS, true, 10),
                (NOV_15_2026 - 29 * DAY_MS, false, 5),
                (NOV_15_2026 - 31 * DAY_MS, true, 100),
            ],
            NOV_15_2026,
        );
        assert_eq!((r.commits, r.fixes, r.churn, r.days), (2, 1, 15, 30));
    }
}
