//! The answers to a PM's questions about a module or file, from its metrics: how often it
//! changed and was fixed, who knows it (and whether that knowledge is still around), how
//! old it is, and what changes with it.

use super::metrics::{AuthorStat, EntityMetrics};
use super::Scored;
use crate::domain::{CoupledModule, Expert, FileHistory, ModuleHistory};

const DAY_MS: i64 = 86_400_000;
/// People listed as knowing a module.
const EXPERTS: usize = 3;
/// An all-time top author with at least this share who is gone from the window is flagged.
const AT_RISK_SHARE: f64 = 0.25;

/// A module's history; `name_of` gives coupled modules their display names.
pub fn module_history(
    e: &EntityMetrics,
    window_days: i64,
    now_ms: i64,
    name_of: &dyn Fn(&str) -> String,
) -> ModuleHistory {
    ModuleHistory {
        window_days,
        commits: e.window.commits,
        authors: e.window.authors,
        fixes: e.window.fixes,
        commits_all: e.all_time.commits,
        fixes_all: e.all_time.fixes,
        last_change_ms: e.last_change_ms,
        last_fix_ms: e.all_time.last_fix_ms,
        first_change_ms: e.first_change_ms,
        experts: experts(e, now_ms - window_days * DAY_MS),
        coupled: e
            .coupled
            .iter()
            .take(3)
            .map(|c| CoupledModule {
                name: name_of(&c.module),
                module: c.module.clone(),
                share: c.share as f32,
            })
            .collect(),
    }
}

/// A file's history in the window.
pub fn file_history(s: &Scored, window_days: i64) -> FileHistory {
    FileHistory {
        window_days,
        commits: s.metrics.window.commits,
        fixes: s.metrics.window.fixes,
        last_change_ms: s.metrics.last_change_ms,
        fragility: s.fragility.clone(),
    }
}

/// Authors merged by the name they sign with (one person, two addresses), most commits
/// first.
fn by_name(authors: &[AuthorStat]) -> Vec<AuthorStat> {
    let mut out: Vec<AuthorStat> = Vec::new();
    for a in authors {
        match out.iter_mut().find(|x| x.name == a.name) {
            Some(x) => {
                x.commits += a.commits;
                x.last_ms = x.last_ms.max(a.last_ms);
            }
            None => out.push(a.clone()),
        }
    }
    out.sort_by(|a, b| b.commits.cmp(&a.commits).then_with(|| a.name.cmp(&b.name)));
    out
}

/// The window's top authors by share; the all-time top author too, flagged, when they have
/// not committed in the window. With no commits in the window, the all-time top authors,
/// each flagged when gone.
fn experts(e: &EntityMetrics, window_start: i64) -> Vec<Expert> {
    let expert = |a: &AuthorStat, total: u32, at_risk: bool| Expert {
        name: a.name.clone(),
        share: (f64::from(a.commits) / f64::from(total.max(1))) as f32,
        commits: a.commits,
        last_commit_ms: a.last_ms,
        at_risk,
    };
    if e.window.commits == 0 {
        // minor contributors of long ago are not who knows it
        return by_name(&e.all_time.top_authors)
            .iter()
            .filter(|a| f64::from(a.commits) >= 0.1 * f64::from(e.all_time.commits))
            .take(EXPERTS)
            .map(|a| expert(a, e.all_time.commits, a.last_ms <= window_start))
            .collect();
    }
    let mut out: Vec<Expert> = by_name(&e.window.top_authors)
        .iter()
        .take(EXPERTS)
        .map(|a| expert(a, e.window.commits, false))
        .collect();
    if let Some(top) = by_name(&e.all_time.top_authors).first() {
        let share = f64::from(top.commits) / f64::from(e.all_time.commits.max(1));
        let gone = top.last_ms <= window_start;
        if gone && share >= AT_RISK_SHARE && !out.iter().any(|x| x.name == top.name) {
            out.push(expert(top, e.all_time.commits, true));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Stats;

    fn author(name: &str, commits: u32, last_ms: i64) -> AuthorStat {
        AuthorStat {
            name: name.into(),
            commits,
            last_ms,
        }
    }

    fn entity(window: Vec<AuthorStat>, all_time: Vec<AuthorStat>) -> EntityMetrics {
        let stats = |authors: Vec<AuthorStat>| Stats {
            commits: authors.iter().map(|a| a.commits).sum(),
            authors: authors.len() as u32,
            top_authors: authors,
            ..Stats::default()
        };
        EntityMetrics {
            name: "m".into(),
            module: "m".into(),
            window: stats(window),
            all_time: stats(all_time),
            files: 1,
            ..EntityMetrics::default()
        }
    }

    #[test]
    fn a_gone_top_author_is_knowledge_at_risk_and_one_person_is_one_expert() {
        let start = 1_000;
        let e = entity(
            vec![author("Ann", 3, 5_000), author("Bo", 1, 4_000)],
            vec![
                author("Cy", 10, 500),
                author("Ann", 3, 5_000),
                author("Ann", 2, 2_000),
                author("Bo", 1, 4_000),
            ],
        );
        let x = experts(&e, start);
        let names: Vec<(&str, bool)> = x.iter().map(|x| (x.name.as_str(), x.at_risk)).collect();
        assert_eq!(names, [("Ann", false), ("Bo", false), ("Cy", true)]);
        assert_eq!(x[0].share, 0.75);
        assert!((x[2].share - 10.0 / 16.0).abs() < 1e-6);
        // quiet in the window: the all-time authors, flagged when gone, one entry per name
        let quiet = entity(vec![], vec![author("Ann", 3, 500), author("Ann", 1, 2_000)]);
        let x = experts(&quiet, start);
        assert_eq!(x.len(), 1);
        assert_eq!(
            (x[0].commits, x[0].last_commit_ms, x[0].at_risk),
            (4, 2_000, false)
        );
    }
}
