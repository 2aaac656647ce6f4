//! Per-file and per-module metrics over a window and all time: commits, churn, authors,
//! ownership, the time-weighted bug-fix score, age, size, and module change coupling.
//!
//! Every count goes through the commit classifier (`classify`): fixes are bug fixes and
//! reverts that are neither sweeps nor a bot's; changes (commits, authors, ownership,
//! coupling) leave out bots and sweeps, which are counted apart; churn ignores sweeps; "last
//! changed" is the last significant change (a fix, a feature or a refactoring). Authors are
//! people (`people`): `.mailmap`, then one person per email and per normalised name.

use super::activity::{self, Month, Recent};
use super::classify::{Class, Classifier, Kind};
use super::people::People;
use crate::domain::{ChangeKind, MinedCommit};
use crate::modules::ModuleMap;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

const DAY_MS: i64 = 86_400_000;
/// Authors below this share of an entity's commits are minor contributors (Bird et al. 2011).
const MINOR_SHARE: f64 = 0.05;

/// What a computation needs besides the commits.
#[derive(Debug, Clone)]
pub struct Params {
    /// "Now": commits after it are ignored (the evaluation computes at a past date).
    pub now_ms: i64,
    pub window_days: i64,
    /// Commits touching more files than this are left out of change coupling.
    pub mass_change_files: usize,
}

/// Commits two modules must share before "changes together" is claimed: code-maat's
/// default minimum of shared revisions.
pub const MIN_SHARED: u32 = 5;
/// Days of "this year" for the one-person line.
pub const YEAR_DAYS: i64 = 365;
/// Change coupling looks back at least this far (or the window, if longer): once sweeps
/// are left out, modules share few commits, and six months of a mature repository
/// rarely give any pair the five shared commits a claim needs (apache/tomcat: at most 4
/// in the 180 days before its tip, 10 in the year).
pub const COUPLING_DAYS: i64 = 365;

/// Counts over one period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Changes: commits that are neither sweeps nor a bot's.
    pub commits: u32,
    /// Real fixes: bug fixes and reverts, never housekeeping, tests-only or sweeps.
    pub fixes: u32,
    /// Sweeps (mechanical edits across many files) and bots' commits, counted apart.
    pub sweeps: u32,
    pub bot_commits: u32,
    /// Lines added plus lines deleted, sweeps and bots left out.
    pub churn: u64,
    pub authors: u32,
    /// The top author's share of the commits, 0–1.
    pub ownership: f64,
    pub minor_contributors: u32,
    /// Σ 1/(1+e^(−12t+12)) over fixes, t ∈ [0,1] from the period's start to now (Lewis 2013).
    pub bugfix_score: f64,
    /// Authors by commits, most first (five at most).
    pub top_authors: Vec<AuthorStat>,
    /// When the period's last fix landed.
    pub last_fix_ms: Option<i64>,
    /// When the period's last refactoring landed.
    pub last_refactor_ms: Option<i64>,
}

/// One author's part in a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuthorStat {
    /// As the author last signed (the email groups them).
    pub name: String,
    pub commits: u32,
    pub last_ms: i64,
    /// Their last commit anywhere in the repository.
    pub last_anywhere_ms: i64,
}

/// Another module this one changes together with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coupled {
    pub module: String,
    /// Its display name.
    pub name: String,
    /// Commits touching both in the coupling period (`COUPLING_DAYS` or the window, the
    /// longer; sweeps, bots and mass changes excluded).
    pub shared: u32,
    /// Share of this module's commits in that period that also touch the other one, 0–1.
    pub share: f64,
    /// code-maat's degree: shared / mean of both modules' commits, 0–1.
    pub degree: f64,
    /// The shared commits behind the claim, newest first (ten at most).
    pub commits: Vec<String>,
}

/// Metrics of one file or module.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EntityMetrics {
    /// The path (files) or the module id (modules).
    pub name: String,
    pub module: String,
    pub window: Stats,
    pub all_time: Stats,
    /// The last significant change (a fix, a feature or a refactoring; sweeps and bots
    /// left out); the last change of any kind when there is none.
    pub last_change_ms: i64,
    /// The last refactoring.
    pub last_refactor_ms: Option<i64>,
    /// The first commit of the whole mined history: a first change at (or within a week
    /// of) it means "older than the history", not "new then".
    pub history_start_ms: i64,
    /// Changes in the last `YEAR_DAYS` days and the person who made most of them.
    pub year_commits: u32,
    pub year_top_author: Option<AuthorStat>,
    /// Days since the last change.
    pub age_days: i64,
    /// The first change in the mined history.
    pub first_change_ms: i64,
    /// Changes weighted by how recent they are (half-life: half the window; a fix counts
    /// twice): Graves et al. 2000's weighted time damp model.
    pub decayed_changes: f64,
    /// Lines now, from the mined line counts (Σ added − Σ deleted).
    pub size_lines: i64,
    /// Live files (1 for a file).
    pub files: u32,
    /// Modules changed together with this one in the coupling period, strongest first
    /// (modules only).
    pub coupled: Vec<Coupled>,
    /// Commits and fixes per month, oldest first (modules only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub monthly: Vec<Month>,
    /// The last days' counts (modules only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent: Option<Recent>,
}

/// Everything computed for one repository.
#[derive(Debug, Clone, Default)]
pub struct HistoryMetrics {
    pub window_days: i64,
    pub files: Vec<EntityMetrics>,
    pub modules: Vec<EntityMetrics>,
    /// The whole repository's commits (those touching module files) and fixes per month.
    pub monthly: Vec<Month>,
    /// The whole repository's last days.
    pub recent: Recent,
}

#[derive(Default)]
struct Acc {
    module: String,
    touches: Vec<(usize, u64)>,
    size: i64,
    last_kind: Option<ChangeKind>,
    last_change_ms: i64,
    files: HashSet<String>,
}

/// A commit as the computation sees it.
struct Seen<'a> {
    sha: &'a str,
    time_ms: i64,
    /// The person's id, name, whether a person at all, and their last commit anywhere.
    author: &'a str,
    name: &'a str,
    person: bool,
    last_anywhere_ms: i64,
    class: Class,
}

impl Seen<'_> {
    fn fix(&self) -> bool {
        self.class.counts_as_fix()
    }

    fn change(&self) -> bool {
        self.class.counts_as_change()
    }
}

/// Computes file and module metrics from mined commits (any order): who made each commit
/// and what kind it is, then what each commit touched, then the metrics of every file and
/// module.
pub fn compute(
    commits: &[MinedCommit],
    map: &dyn ModuleMap,
    classifier: &Classifier,
    p: &Params,
) -> HistoryMetrics {
    let mut order: Vec<&MinedCommit> = commits
        .iter()
        .filter(|c| !c.is_merge && c.time_ms <= p.now_ms)
        .collect();
    order.sort_by_key(|c| std::cmp::Reverse(c.seq));
    let people = People::resolve(&order, p.now_ms, &|n, e| classifier.is_bot(n, e));
    let seen = seen_commits(&order, &people, classifier);
    let walk = walk(&order, &seen, map, p);
    assemble(walk, &order, &seen, map, p)
}

/// Each commit as the counts see it: its person (after `.mailmap` and merging) and its kind.
fn seen_commits<'a>(
    order: &[&'a MinedCommit],
    people: &'a People,
    classifier: &Classifier,
) -> Vec<Seen<'a>> {
    order
        .iter()
        .map(|c| {
            let person = people.of(c);
            Seen {
                sha: &c.sha,
                time_ms: c.time_ms,
                author: person.map_or(author_key(c), |x| x.id.as_str()),
                name: person.map_or(&c.author_name, |x| &x.name),
                person: person.is_some_and(|x| x.is_person),
                last_anywhere_ms: person.map_or(c.time_ms, |x| x.last_ms),
                class: classifier.classify_mined(c),
            }
        })
        .collect()
}

/// What the commits touched, newest first, renames followed to each file's current name.
#[derive(Default)]
struct Walk {
    files: HashMap<String, Acc>,
    /// (commit index, churn) per module.
    module_touch: HashMap<String, Vec<(usize, u64)>>,
    /// The modules of each deliberate change, for coupling.
    coupling_sets: Vec<(usize, Vec<String>)>,
    /// (time, fix, churn) of each change that touched a module file.
    repo_commits: Vec<(i64, bool, u64)>,
}

fn walk(order: &[&MinedCommit], seen: &[Seen], map: &dyn ModuleMap, p: &Params) -> Walk {
    let coupling_start = p.now_ms - p.window_days.max(COUPLING_DAYS) * DAY_MS;
    // Newest first, so a rename maps the older name onto the file's current name.
    let mut alias: HashMap<String, String> = HashMap::new();
    let mut w = Walk::default();
    for (i, c) in order.iter().enumerate() {
        let mut mods: HashMap<String, u64> = HashMap::new();
        for f in &c.files {
            let key = alias
                .get(&f.path)
                .cloned()
                .unwrap_or_else(|| f.path.clone());
            if let (ChangeKind::Renamed, Some(old)) = (f.kind, &f.old_path) {
                alias.insert(old.clone(), key.clone());
            }
            if !map.is_member(&key) {
                continue;
            }
            let acc = w.files.entry(key.clone()).or_insert_with(|| Acc {
                module: map.module_of(&key),
                ..Acc::default()
            });
            let churn = u64::from(f.added) + u64::from(f.deleted);
            acc.size += i64::from(f.added) - i64::from(f.deleted);
            if acc.last_kind.is_none() {
                acc.last_kind = Some(f.kind);
                acc.last_change_ms = c.time_ms;
            }
            match acc.touches.last_mut() {
                Some((j, ch)) if *j == i => *ch += churn,
                _ => acc.touches.push((i, churn)),
            }
            *mods.entry(acc.module.clone()).or_default() += churn;
        }
        let change = seen[i].change();
        if !mods.is_empty() && change {
            w.repo_commits
                .push((c.time_ms, seen[i].fix(), mods.values().sum()));
        }
        // coupling counts deliberate changes only: a sweep touches everything at once
        if change
            && c.time_ms > coupling_start
            && c.files.len() <= p.mass_change_files
            && !mods.is_empty()
        {
            w.coupling_sets.push((i, mods.keys().cloned().collect()));
        }
        for (m, churn) in mods {
            w.module_touch.entry(m).or_default().push((i, churn));
        }
    }
    w
}

/// The metrics of every live file and every module, from what the commits touched.
fn assemble(
    mut w: Walk,
    order: &[&MinedCommit],
    seen: &[Seen],
    map: &dyn ModuleMap,
    p: &Params,
) -> HistoryMetrics {
    let start_ms = order.iter().map(|c| c.time_ms).min().unwrap_or(p.now_ms);
    let window_start = p.now_ms - p.window_days * DAY_MS;
    let mut out = HistoryMetrics {
        window_days: p.window_days,
        monthly: activity::monthly(w.repo_commits.iter().map(|c| (c.0, c.1)), p.now_ms),
        recent: activity::recent(w.repo_commits.iter().copied(), p.now_ms),
        ..HistoryMetrics::default()
    };
    let mut modules: HashMap<String, Acc> = HashMap::new();
    for (path, acc) in w.files {
        if acc.last_kind == Some(ChangeKind::Deleted) {
            continue;
        }
        let m = modules.entry(acc.module.clone()).or_default();
        m.size += acc.size.max(0);
        m.files.insert(path.clone());
        m.last_change_ms = m.last_change_ms.max(acc.last_change_ms);
        out.files
            .push(entity(path, &acc, 1, seen, start_ms, window_start, p));
    }
    let mut coupling = couple(&w.coupling_sets, seen);
    for c in coupling.values_mut().flatten() {
        c.name = map.display_name(&c.module);
    }
    for (name, mut acc) in modules {
        acc.touches = w.module_touch.remove(&name).unwrap_or_default();
        let n = acc.files.len() as u32;
        acc.module = name.clone();
        let mut e = entity(name.clone(), &acc, n, seen, start_ms, window_start, p);
        e.coupled = coupling.get(&name).cloned().unwrap_or_default();
        let commits = acc
            .touches
            .iter()
            .filter(|&&(i, _)| seen[i].change())
            .map(|&(i, churn)| {
                let c = &seen[i];
                (c.time_ms, c.fix(), churn)
            });
        e.monthly = activity::monthly(commits.clone().map(|c| (c.0, c.1)), p.now_ms);
        e.recent = Some(activity::recent(commits, p.now_ms));
        out.modules.push(e);
    }
    out.files.sort_by(|a, b| a.name.cmp(&b.name));
    out.modules.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn author_key(c: &MinedCommit) -> &str {
    if c.author_email.is_empty() {
        &c.author_name
    } else {
        &c.author_email
    }
}

fn entity(
    name: String,
    acc: &Acc,
    files: u32,
    seen: &[Seen],
    start_ms: i64,
    window_start: i64,
    p: &Params,
) -> EntityMetrics {
    let all: Vec<(usize, u64)> = acc.touches.clone();
    let recent: Vec<(usize, u64)> = all
        .iter()
        .copied()
        .filter(|(i, _)| seen[*i].time_ms > window_start)
        .collect();
    let year_start = p.now_ms - YEAR_DAYS * DAY_MS;
    let year: Vec<(usize, u64)> = all
        .iter()
        .copied()
        .filter(|(i, _)| seen[*i].time_ms > year_start)
        .collect();
    let year = stats(&year, seen, year_start, p.now_ms);
    // touches run newest first
    let counted = |i: &usize| seen[*i].change();
    let last_significant = all
        .iter()
        .map(|(i, _)| i)
        .find(|i| counted(i) && seen[**i].class.kind.is_significant())
        .or_else(|| all.iter().map(|(i, _)| i).find(|i| counted(i)))
        .map_or(acc.last_change_ms, |i| seen[*i].time_ms);
    let all_time = stats(&all, seen, start_ms, p.now_ms);
    EntityMetrics {
        module: acc.module.clone(),
        window: stats(&recent, seen, window_start, p.now_ms),
        last_refactor_ms: all_time.last_refactor_ms,
        all_time,
        last_change_ms: last_significant,
        history_start_ms: start_ms,
        year_commits: year.commits,
        year_top_author: year.top_authors.first().cloned(),
        first_change_ms: all
            .last()
            .map_or(acc.last_change_ms, |(i, _)| seen[*i].time_ms),
        decayed_changes: all
            .iter()
            .filter(|(i, _)| counted(i))
            .map(|(i, _)| {
                let c = &seen[*i];
                let age = (p.now_ms - c.time_ms).max(0) as f64 / DAY_MS as f64;
                let half_life = (p.window_days as f64 / 2.0).max(1.0);
                (1.0 + f64::from(u8::from(c.fix()))) * 0.5f64.powf(age / half_life)
            })
            .sum(),
        age_days: (p.now_ms - last_significant).max(0) / DAY_MS,
        size_lines: acc.size.max(0),
        files,
        coupled: Vec::new(),
        monthly: Vec::new(),
        recent: None,
        name,
    }
}

fn stats(touches: &[(usize, u64)], seen: &[Seen], from_ms: i64, now_ms: i64) -> Stats {
    let mut by_author: HashMap<&str, AuthorStat> = HashMap::new();
    let mut s = Stats::default();
    let span = (now_ms - from_ms).max(1) as f64;
    // touches run newest first: the first commit seen of an author is their last
    for &(i, churn) in touches {
        let c = &seen[i];
        if c.class.bot {
            s.bot_commits += 1;
            continue;
        }
        if c.class.sweep {
            s.sweeps += 1;
            continue;
        }
        s.commits += 1;
        s.churn += churn;
        if c.person {
            let a = by_author.entry(c.author).or_insert_with(|| AuthorStat {
                name: c.name.to_string(),
                commits: 0,
                last_ms: c.time_ms,
                last_anywhere_ms: c.last_anywhere_ms,
            });
            a.commits += 1;
        }
        if c.class.kind == Kind::Refactor && s.last_refactor_ms.is_none() {
            s.last_refactor_ms = Some(c.time_ms);
        }
        if c.fix() {
            s.last_fix_ms = Some(s.last_fix_ms.map_or(c.time_ms, |t| t.max(c.time_ms)));
            s.fixes += 1;
            let t = ((c.time_ms - from_ms) as f64 / span).clamp(0.0, 1.0);
            s.bugfix_score += 1.0 / (1.0 + (-12.0 * t + 12.0).exp());
        }
    }
    let mut authors: Vec<AuthorStat> = by_author.into_values().collect();
    authors.sort_by(|a, b| b.commits.cmp(&a.commits).then_with(|| a.name.cmp(&b.name)));
    s.authors = authors.len() as u32;
    if s.commits > 0 && !authors.is_empty() {
        let total = f64::from(s.commits);
        s.ownership = f64::from(authors[0].commits) / total;
        s.minor_contributors = authors
            .iter()
            .filter(|a| f64::from(a.commits) / total < MINOR_SHARE)
            .count() as u32;
    }
    authors.truncate(5);
    s.top_authors = authors;
    s
}

/// code-maat style coupling between modules over the given co-change sets (a commit's
/// index in `seen` and the modules it touched); a pair needs `MIN_SHARED` shared commits.
fn couple(sets: &[(usize, Vec<String>)], seen: &[Seen]) -> HashMap<String, Vec<Coupled>> {
    let mut revs: HashMap<&str, u32> = HashMap::new();
    let mut pairs: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, set) in sets {
        for a in set {
            *revs.entry(a).or_default() += 1;
            for b in set {
                if a != b {
                    pairs.entry((a, b)).or_default().push(*i);
                }
            }
        }
    }
    let mut out: HashMap<String, Vec<Coupled>> = HashMap::new();
    for ((a, b), commits) in pairs {
        let shared = commits.len() as u32;
        if shared < MIN_SHARED {
            continue;
        }
        let (ra, rb) = (f64::from(revs[a]), f64::from(revs[b]));
        out.entry(a.to_string()).or_default().push(Coupled {
            module: b.to_string(),
            name: b.to_string(),
            shared,
            share: f64::from(shared) / ra,
            degree: f64::from(shared) / ((ra + rb) / 2.0),
            // sets run newest first
            commits: commits
                .iter()
                .take(10)
                .map(|&i| seen[i].sha.to_string())
                .collect(),
        });
    }
    for list in out.values_mut() {
        list.sort_by(|x, y| {
            y.share
                .total_cmp(&x.share)
                .then_with(|| y.shared.cmp(&x.shared))
                .then_with(|| x.module.cmp(&y.module))
        });
        list.truncate(5);
    }
    out
}
