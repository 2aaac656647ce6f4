//! The two or three reasons behind a fragility score, in words a PM understands:
//! "changed 48 times in 6 months by 9 people; 1 in 3 changes was a fix; usually changes
//! together with billing".

use super::metrics::EntityMetrics;

/// How much each family of evidence added to the score (weight × percentile).
#[derive(Debug, Clone, Copy)]
pub struct Drivers {
    pub fixes: f64,
    pub activity: f64,
    pub size: f64,
}

/// Fewer lines than this are never called large.
const LARGE_LINES: i64 = 500;

/// Picks the strongest reasons, strongest first.
pub fn explain(e: &EntityMetrics, d: &Drivers, window_days: i64) -> Vec<String> {
    let span = period(window_days);
    let w = &e.window;
    let mut candidates: Vec<(f64, String)> = Vec::new();
    if w.commits > 0 {
        let people = match w.authors {
            1 => "one person".to_string(),
            n => format!("{n} people"),
        };
        let times = match w.commits {
            1 => "once".to_string(),
            n => format!("{n} times"),
        };
        candidates.push((d.activity, format!("changed {times} in {span} by {people}")));
    } else {
        let age = period(e.age_days);
        candidates.push((
            0.2,
            format!("quiet: no changes in {span}, last changed {age} ago"),
        ));
    }
    if w.fixes > 0 {
        let text = if w.commits < MIN_SHARE_SUPPORT {
            fix_count(w.fixes, &format!(" in {span}"))
        } else {
            fix_ratio(w.fixes, w.commits, "")
        };
        candidates.push((d.fixes, text));
    } else if e.all_time.fixes > 0 {
        let text = if e.all_time.commits < MIN_SHARE_SUPPORT {
            fix_count(e.all_time.fixes, " over its history")
        } else {
            fix_ratio(e.all_time.fixes, e.all_time.commits, " over its history")
        };
        candidates.push((d.fixes, text));
    }
    if let Some(c) = e.coupled.first() {
        // the claim names its support: shared deliberate changes (no sweeps), five at least
        let text = if c.share >= 0.5 {
            format!(
                "usually changes together with {} ({} shared changes)",
                c.name, c.shared
            )
        } else {
            let pct = (c.share * 100.0).round();
            format!(
                "often changes together with {} ({pct}% of its changes, {} shared)",
                c.name, c.shared
            )
        };
        if c.share >= 0.25 {
            candidates.push((0.3 * c.share, text));
        }
    }
    if w.commits >= 5 && w.ownership < 0.5 {
        let pct = (w.ownership * 100.0).round();
        candidates.push((
            0.1,
            format!("no clear owner: the most active author made {pct}% of recent changes"),
        ));
    }
    if let Some(line) = one_person(e) {
        // one pair of hands is a risk of its own, ranked like strong activity
        candidates.push((0.35, line));
    }
    if d.size > 0.0 {
        let text = match e.files {
            1 => format!("large: {} lines", e.size_lines),
            n => format!("large: {} lines in {n} files", e.size_lines),
        };
        // large by rank *and* in absolute terms: 11 lines are never "large"
        if d.size >= 0.1 && e.size_lines >= LARGE_LINES {
            candidates.push((d.size, text));
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    candidates.into_iter().take(3).map(|(_, t)| t).collect()
}

/// "only Mark Thomas has changed it this year" when one person made (nearly) all of the
/// last year's changes, three at least.
pub fn one_person(e: &EntityMetrics) -> Option<String> {
    let top = e.year_top_author.as_ref()?;
    let n = e.year_commits;
    if n < 3 || top.commits * 10 < n * 8 {
        return None;
    }
    Some(if top.commits == n {
        format!("only {} has changed it this year", top.name)
    } else {
        format!(
            "{} made {} of its {n} changes this year",
            top.name, top.commits
        )
    })
}

/// Changes a share of them needs before it is said as a share ("3 of 4 changes were fixes"
/// on four changes says more than it knows); below it the count is said instead.
const MIN_SHARE_SUPPORT: u32 = 5;

/// A fix count, for a module with too few changes for a share.
fn fix_count(fixes: u32, suffix: &str) -> String {
    match fixes {
        1 => format!("fixed once{suffix}"),
        n => format!("fixed {n} times{suffix}"),
    }
}

fn fix_ratio(fixes: u32, commits: u32, suffix: &str) -> String {
    if fixes * 2 <= commits {
        let k = (f64::from(commits) / f64::from(fixes)).round();
        format!("1 in {k} changes was a fix{suffix}")
    } else {
        format!("{fixes} of {commits} changes were fixes{suffix}")
    }
}

/// "6 months", "2 years", "12 days".
fn period(days: i64) -> String {
    match days {
        d if d >= 730 => format!("{} years", d / 365),
        d if d >= 365 => "a year".to_string(),
        d if d >= 60 => format!("{} months", (d as f64 / 30.4).round()),
        d if d >= 28 => "a month".to_string(),
        1 => "1 day".to_string(),
        d => format!("{d} days"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_like_speech() {
        assert_eq!(period(180), "6 months");
        assert_eq!(period(365), "a year");
        assert_eq!(period(800), "2 years");
        assert_eq!(period(3), "3 days");
    }

    #[test]
    fn one_person_making_the_years_changes_gets_its_own_plain_line() {
        let mut e = EntityMetrics {
            year_commits: 9,
            year_top_author: Some(crate::history::AuthorStat {
                name: "Mark Thomas".into(),
                commits: 9,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            one_person(&e).as_deref(),
            Some("only Mark Thomas has changed it this year")
        );
        e.year_top_author.as_mut().unwrap().commits = 8;
        assert_eq!(
            one_person(&e).as_deref(),
            Some("Mark Thomas made 8 of its 9 changes this year")
        );
        e.year_top_author.as_mut().unwrap().commits = 6;
        assert_eq!(one_person(&e), None);
    }

    #[test]
    fn fix_ratios_say_one_in_n_or_n_of_m() {
        assert_eq!(fix_ratio(16, 48, ""), "1 in 3 changes was a fix");
        assert_eq!(fix_ratio(3, 4, ""), "3 of 4 changes were fixes");
        assert_eq!(fix_count(1, " in 6 months"), "fixed once in 6 months");
        assert_eq!(
            fix_count(3, " over its history"),
            "fixed 3 times over its history"
        );
    }
}
