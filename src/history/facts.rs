//! The answers to a PM's questions about a module or file, from its metrics: how often it
//! changed and was fixed, who knows it (and whether that knowledge is still around), how
//! old it is, and what changes with it.

use super::metrics::{AuthorStat, EntityMetrics};
use super::Scored;
use crate::domain::{CoupledModule, Expert, FileHistory, ModuleHistory};

const DAY_MS: i64 = 86_400_000;
/// People listed as knowing a module.
const EXPERTS: usize = 3;

/// A top author holds at least this share of a module's commits.
const TOP_SHARE: f64 = 0.25;
/// Within this long after the history's first commit a module's first change is the
/// import, not its birth.
const IMPORT_DAYS: i64 = 7;

/// A module's history; `name_of` gives coupled modules their display names; a top author
/// with no commit anywhere for `away_days` is flagged at risk.
pub fn module_history(
    e: &EntityMetrics,
    window_days: i64,
    now_ms: i64,
    away_days: i64,
    name_of: &dyn Fn(&str) -> String,
) -> ModuleHistory {
    let top = e.year_top_author.as_ref();
    ModuleHistory {
        window_days,
        commits: e.window.commits,
        authors: e.window.authors,
        fixes: e.window.fixes,
        sweeps: e.window.sweeps,
        bot_commits: e.window.bot_commits,
        commits_all: e.all_time.commits,
        fixes_all: e.all_time.fixes,
        last_change_ms: e.last_change_ms,
        last_refactor_ms: e.last_refactor_ms,
        last_fix_ms: e.all_time.last_fix_ms,
        first_change_ms: e.first_change_ms,
        history_start_ms: e.history_start_ms,
        older_than_history: older_than_history(e),
        year_commits: e.year_commits,
        year_top_author: top.map(|a| a.name.clone()),
        year_top_commits: top.map_or(0, |a| a.commits),
        experts: experts(
            e,
            now_ms - window_days * DAY_MS,
            now_ms - away_days * DAY_MS,
        ),
        coupled: e
            .coupled
            .iter()
            .take(3)
            .map(|c| CoupledModule {
                name: name_of(&c.module),
                module: c.module.clone(),
                share: c.share as f32,
                shared: c.shared,
                commits: c.commits.clone(),
            })
            .collect(),
    }
}

/// True when the module's first change is the history's first days: it was imported.
pub fn older_than_history(e: &EntityMetrics) -> bool {
    e.first_change_ms <= e.history_start_ms + IMPORT_DAYS * DAY_MS
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
                x.last_anywhere_ms = x.last_anywhere_ms.max(a.last_anywhere_ms);
            }
            None => out.push(a.clone()),
        }
    }
    out.sort_by(|a, b| b.commits.cmp(&a.commits).then_with(|| a.name.cmp(&b.name)));
    out
}

/// The window's top people by share; then the module's all-time top authors (a quarter of
/// its changes or more) who are gone from the whole repository (no commit anywhere since
/// `away_start`), flagged at risk. Someone quiet in this module but active elsewhere is not
/// at risk: they are still around to ask. With no changes in the window, the all-time top
/// authors, flagged only when gone and a top author (a quarter of its changes).
fn experts(e: &EntityMetrics, window_start: i64, away_start: i64) -> Vec<Expert> {
    let expert = |a: &AuthorStat, total: u32| {
        let share = f64::from(a.commits) / f64::from(total.max(1));
        let gone = a.last_anywhere_ms <= away_start && share >= TOP_SHARE;
        Expert {
            name: a.name.clone(),
            share: (f64::from(a.commits) / f64::from(total.max(1))) as f32,
            commits: a.commits,
            last_commit_ms: a.last_ms,
            last_commit_anywhere_ms: a.last_anywhere_ms,
            at_risk: gone,
        }
    };
    let all = by_name(&e.all_time.top_authors);
    if e.window.commits == 0 {
        // minor contributors of long ago are not who knows it
        return all
            .iter()
            .filter(|a| f64::from(a.commits) >= 0.1 * f64::from(e.all_time.commits))
            .take(EXPERTS)
            .map(|a| expert(a, e.all_time.commits))
            .collect();
    }
    let mut out: Vec<Expert> = by_name(&e.window.top_authors)
        .iter()
        .filter(|a| a.last_ms > window_start)
        .take(EXPERTS)
        .map(|a| expert(a, e.window.commits))
        .collect();
    for top in all.iter().take(EXPERTS) {
        let share = f64::from(top.commits) / f64::from(e.all_time.commits.max(1));
        let gone = top.last_anywhere_ms <= away_start;
        if gone && share >= TOP_SHARE && !out.iter().any(|x| x.name == top.name) {
            out.push(expert(top, e.all_time.commits));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Stats;

    fn author(name: &str, commits: u32, last_ms: i64, anywhere: i64) -> AuthorStat {
        AuthorStat {
            name: name.into(),
            commits,
            last_ms,
            last_anywhere_ms: anywhere,
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
    fn only_a_top_author_gone_from_the_whole_repository_is_knowledge_at_risk() {
        let (window_start, away_start) = (1_000, 1_000);
        let e = entity(
            vec![
                author("Ann", 3, 5_000, 5_000),
                author("Bo", 1, 4_000, 4_000),
            ],
            vec![
                // quiet in this module, busy elsewhere: still around, not at risk
                author("Dee", 12, 600, 9_000),
                author("Cy", 10, 500, 700),
                author("Ann", 3, 5_000, 5_000),
                author("Ann", 2, 2_000, 5_000),
                author("Bo", 1, 4_000, 4_000),
            ],
        );
        let x = experts(&e, window_start, away_start);
        let names: Vec<(&str, bool)> = x.iter().map(|x| (x.name.as_str(), x.at_risk)).collect();
        assert_eq!(names, [("Ann", false), ("Bo", false), ("Cy", true)]);
        assert_eq!(x[0].share, 0.75);
        assert_eq!(x[2].last_commit_anywhere_ms, 700);
        // quiet in the window: the all-time authors, flagged only when gone
        let quiet = entity(
            vec![],
            vec![author("Ann", 3, 500, 9_000), author("Ann", 1, 600, 9_000)],
        );
        let x = experts(&quiet, window_start, away_start);
        assert_eq!(x.len(), 1);
        assert_eq!(
            (x[0].commits, x[0].last_commit_ms, x[0].at_risk),
            (4, 600, false)
        );
    }

    #[test]
    fn a_module_born_with_the_history_is_older_than_it() {
        let mut e = entity(vec![], vec![]);
        e.history_start_ms = 10 * DAY_MS;
        e.first_change_ms = 12 * DAY_MS;
        assert!(older_than_history(&e));
        e.first_change_ms = 40 * DAY_MS;
        assert!(!older_than_history(&e));
    }
}
