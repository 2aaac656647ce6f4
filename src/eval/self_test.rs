//! `ticketlens eval self`: a backtest on the team's own history. The stored tickets whose
//! keys the repository's mined commits name (live or back-filled) are replayed in report
//! order the way `eval localization` replays a dataset (`eval::replay`): the code as at the
//! parent of the ticket's first fix commit, no commit or past ticket later than its report,
//! precedents only from fixes older than it. Each analysis is judged against its fix as live
//! accuracy judges (`render::shown`, `domain::judge`), and the shares are stored so the
//! overview, the API and `/metrics` show them until live numbers exist.
//!
//! A ticket's fix is every commit naming it that was made after its report (a commit
//! before the report is an older fix, or a mention, not its fix); a file is counted as
//! created by the fix when a fix commit added it or it is missing from the tree the ticket
//! is replayed at. Bounded: the most recent `[accuracy] backtest_sample` tickets.

use crate::codeindex::{Corpus, Params};
use crate::config::Settings;
use crate::domain::{judge, Accuracy, Backtest, FixFile, Judged};
use crate::enrich::{analyze, TicketText};
use crate::eval::precedents::PastFix;
use crate::eval::replay::{Replay, TicketAt};
use crate::history_refresh::{refresh, Target};
use crate::modules::ModuleMap;
use crate::store::{LinkedPastTicket, Store};
use crate::ticketindex::TicketIndex;
use anyhow::Context;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct SelfArgs {
    /// The configured repository (`[[repositories]] name`).
    #[arg(long)]
    pub repository: String,
    /// Replays at most this many linked past tickets, the most recent (default
    /// `[accuracy] backtest_sample`).
    #[arg(long)]
    pub sample: Option<usize>,
    /// Prints JSON, with each replayed ticket's result.
    #[arg(long)]
    pub json: bool,
}

/// One replayed ticket.
#[derive(Debug, Clone, Serialize)]
pub struct Replayed {
    pub key: String,
    pub reported_ms: i64,
    /// The commit its code was read at: the parent of its first fix commit.
    pub commit: String,
    /// The commits naming it after its report, oldest first.
    pub fix: Vec<String>,
    pub precedents: usize,
    /// `None` when the fix only created files (replayed, counted in no share).
    pub judged: Option<Judged>,
    /// The first file ranked is one the fix changed (file Acc@1, as `eval localization`
    /// counts it; not stored).
    pub first_file_right: bool,
}

/// What a backtest did: the stored result, each ticket replayed, and the linked tickets
/// left out, counted by reason.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub repository: String,
    pub backtest: Backtest,
    /// Stored tickets that commits of the repository name.
    pub linked: usize,
    pub skipped: BTreeMap<&'static str, usize>,
    pub replayed: Vec<Replayed>,
}

/// Runs the backtest of `--repository` and prints it.
pub async fn run(settings: &Settings, args: &SelfArgs) -> anyhow::Result<()> {
    let store = Store::connect(settings.database.url.expose(), 2).await?;
    store.migrate().await?;
    let bound = args.sample.unwrap_or(settings.accuracy.backtest_sample);
    let report = backtest(&store, settings, &args.repository, bound).await;
    store.close().await;
    let report = report?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let b = &report.backtest;
    println!(
        "{}: {} linked past tickets, {} replayed (at most {bound}), {} measured ({:.1}s)",
        report.repository,
        report.linked,
        b.sample,
        b.accuracy.tickets,
        b.took_ms as f64 / 1000.0
    );
    for (why, n) in &report.skipped {
        println!("  left out {n}: {why}");
    }
    let pct = |s: Option<f64>| s.map_or("—".into(), |v| format!("{:.3}", v));
    let measured = report.replayed.iter().filter(|r| r.judged.is_some());
    let first_file = measured.clone().filter(|r| r.first_file_right).count();
    let share = |n: usize| (b.accuracy.tickets > 0).then(|| n as f64 / b.accuracy.tickets as f64);
    println!(
        "first module right {}  any module right {}  any file right {}  (first file right {})",
        pct(b.accuracy.first_module_right),
        pct(b.accuracy.any_module_right),
        pct(b.accuracy.any_file_right),
        pct(share(first_file))
    );
    Ok(())
}

/// Mines `repository` first when its history is not mined, replays its most recent `bound`
/// linked past tickets, and stores the result.
pub async fn backtest(
    store: &Store,
    settings: &Settings,
    repository: &str,
    bound: usize,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let git_dir = mine_if_needed(store, settings, repository).await?;
    let linked = store
        .linked_past_tickets(repository)
        .await
        .context("failed to read the linked tickets")?;
    let (settings, name) = (settings.clone(), repository.to_string());
    let mut report =
        tokio::task::spawn_blocking(move || replay(&settings, &name, git_dir, linked, bound))
            .await??;
    report.backtest.took_ms = started.elapsed().as_millis() as i64;
    report.backtest.ran_at = crate::domain::now_ms();
    store
        .save_backtest(repository, &report.backtest)
        .await
        .context("failed to save the backtest")?;
    Ok(report)
}

/// The git directory of a configured repository, its history mined into the store.
async fn mine_if_needed(
    store: &Store,
    settings: &Settings,
    repository: &str,
) -> anyhow::Result<PathBuf> {
    let r = settings
        .repositories
        .iter()
        .find(|r| r.name == repository)
        .with_context(|| format!("no [[repositories]] entry is named `{repository}`"))?;
    let path = r
        .path
        .clone()
        .unwrap_or_else(|| crate::codeindex::clone_dir(&settings.codeindex.index_dir, &r.name));
    if store.history_state(repository).await?.is_none() {
        let target = Target {
            repository,
            path: path.clone(),
            branch: r.branch_or_head(),
            at: None,
        };
        let rules = settings.module_rules(repository);
        refresh(
            store,
            &settings.history_of(repository),
            &rules,
            target,
            None,
        )
        .await
        .context("failed to mine the repository's history")?;
    }
    Ok(path)
}

/// A linked ticket with a report time and commits naming it after that time.
struct Fixed {
    ticket: LinkedPastTicket,
    reported_ms: i64,
    /// Indexes into `ticket.commits` of the commits after the report.
    fix: Vec<usize>,
}

impl Fixed {
    fn of(ticket: LinkedPastTicket) -> Result<Fixed, &'static str> {
        let order = TicketIndex::order_of(ticket.created_at.as_deref(), &ticket.ticket_id);
        if order.created_ms == 0 {
            return Err("no report time");
        }
        let fix: Vec<usize> = (0..ticket.commits.len())
            .filter(|&i| ticket.commits[i].time_ms > order.created_ms)
            .collect();
        if fix.is_empty() {
            return Err("no commit after its report names it");
        }
        Ok(Fixed {
            reported_ms: order.created_ms,
            ticket,
            fix,
        })
    }

    /// `(path, created by the fix)`, each path once, in the order the fix changed them.
    fn files(&self) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = Vec::new();
        for &i in &self.fix {
            for (path, created) in &self.ticket.commits[i].files {
                match out.iter_mut().find(|f| &f.0 == path) {
                    Some(f) => f.1 |= created,
                    None => out.push((path.clone(), *created)),
                }
            }
        }
        out
    }

    fn first_fix(&self) -> &str {
        &self.ticket.commits[self.fix[0]].sha
    }

    fn past_fix(&self, repository: &str) -> PastFix {
        let last = &self.ticket.commits[*self.fix.last().expect("never empty")];
        PastFix {
            id: self.ticket.ticket_key.clone(),
            repository: repository.to_string(),
            title: self.ticket.title.clone(),
            body: self.ticket.body.clone(),
            reported_ms: self.reported_ms,
            fix_ms: last.time_ms,
            fix_commit: last.sha.clone(),
            files: self.files().into_iter().map(|f| f.0).collect(),
        }
    }
}

/// Replays the most recent `bound` of the linked tickets in report order; every linked
/// ticket's fix may serve a later one as a precedent. Blocking.
fn replay(
    settings: &Settings,
    repository: &str,
    git_dir: PathBuf,
    linked: Vec<LinkedPastTicket>,
    bound: usize,
) -> anyhow::Result<Report> {
    let mut report = Report {
        repository: repository.to_string(),
        backtest: Backtest {
            accuracy: Accuracy::default(),
            sample: 0,
            ran_at: 0,
            took_ms: 0,
        },
        linked: linked.len(),
        skipped: BTreeMap::new(),
        replayed: Vec::new(),
    };
    let mut fixed = Vec::new();
    for t in linked {
        match Fixed::of(t) {
            Ok(f) => fixed.push(f),
            Err(why) => *report.skipped.entry(why).or_default() += 1,
        }
    }
    fixed.sort_by(|a, b| {
        (b.reported_ms, &b.ticket.ticket_key).cmp(&(a.reported_ms, &a.ticket.ticket_key))
    });
    let pool: Vec<PastFix> = fixed.iter().map(|f| f.past_fix(repository)).collect();
    fixed.truncate(bound);
    fixed.reverse();
    let revs: Vec<String> = fixed
        .iter()
        .map(|f| format!("{}^1", f.first_fix()))
        .collect();
    let corpus = Corpus::build(
        repository,
        &git_dir,
        &revs,
        None,
        settings.module_rules(repository),
        settings.codeindex.history_depth,
    )?;
    let mut replay = Replay::new(corpus, pool)?;
    for (f, rev) in fixed.iter().zip(&revs) {
        match one(&mut replay, repository, f, rev)? {
            Ok(r) => report.replayed.push(r),
            Err(why) => *report.skipped.entry(why).or_default() += 1,
        }
    }
    let judged: Vec<&Judged> = report.replayed.iter().flat_map(|r| &r.judged).collect();
    let count = |f: fn(&Judged) -> bool| judged.iter().filter(|j| f(j)).count() as i64;
    report.backtest.sample = report.replayed.len() as i64;
    report.backtest.accuracy = Accuracy::of(
        judged.len() as i64,
        count(|j| j.first_module_right),
        count(|j| j.any_module_right),
        count(|j| j.any_file_right),
    );
    Ok(report)
}

/// The weights the service ranks with: the commits' words, the past tickets' words (the
/// linked tickets reported before this one, `eval::replay`) and precedents.
fn service_params() -> Params {
    Params::default()
}

/// One ticket analysed as of its report and judged against its fix; `Err` says why it
/// could not be replayed.
fn one(
    replay: &mut Replay,
    repository: &str,
    f: &Fixed,
    rev: &str,
) -> anyhow::Result<Result<Replayed, &'static str>> {
    let Some(commit) = replay.corpus.resolve(rev) else {
        return Ok(Err("its first fix commit has no parent"));
    };
    let t = &f.ticket;
    let at = TicketAt {
        id: &t.ticket_key,
        title: &t.title,
        body: &t.body,
        reported_ms: f.reported_ms,
    };
    let (view, precedents) = replay.at(&commit, service_params(), at)?;
    let text = TicketText {
        title: &t.title,
        body: &t.body,
        repository: Some(repository),
        precedents: &precedents,
    };
    let e = match analyze(&view, text, 10) {
        Ok(e) => e,
        Err(crate::enrich::AnalyzeError::EmptyText) => return Ok(Err("no text")),
        Err(e) => return Err(e).with_context(|| format!("ticket {}", t.ticket_key)),
    };
    let fix: Vec<FixFile> = f
        .files()
        .into_iter()
        .map(|(path, created)| FixFile {
            module: view.cut().module_of(&path),
            created: created || !view.exists(&path),
            path,
        })
        .collect();
    let first_file_right = e
        .files
        .first()
        .is_some_and(|top| fix.iter().any(|f| !f.created && f.path == top.path));
    Ok(Ok(Replayed {
        key: t.ticket_key.clone(),
        reported_ms: f.reported_ms,
        fix: f.fix.iter().map(|&i| t.commits[i].sha.clone()).collect(),
        commit,
        precedents: precedents.len(),
        judged: judge(&crate::render::shown(&e), repository, &fix),
        first_file_right,
    }))
}
