//! `ticketlens eval localization`: runs a localization dataset (see the shared datasets
//! README) through `enrich::analyze` at each record's commit, in report order, in rows
//! without and with each kind of evidence (the commit messages' words, past tickets' words,
//! precedents: earlier records whose fix commits are older than the report), optionally
//! beside the plain BM25 baseline, and prints the metrics per dataset with evaluated and
//! skipped counts, and the share of fix commits whose message names their report.
//!
//! The time rule (`eval::replay`, shared with `eval self`): a record's ranking sees no commit
//! later than its report (its commit's tree is still the one indexed), and no past ticket
//! whose report or last fix commit is not older than it.

use super::localization_metrics::{Summary, Tally};
use super::past_fixes::{past_fixes, LinkerRecall};
use crate::codeindex::{Corpus, Params};
use crate::config::Settings;
use crate::enrich::{analyze, TicketText};
use crate::eval::confidence::{gold_list, CommentWords, DumpRecord, Reliability, ReliabilityRow};
use crate::eval::replay::{Replay, TicketAt};
use crate::modules::ModuleMap;
use crate::ticketindex::TicketIndex;
use anyhow::Context;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct LocalizationArgs {
    /// A JSON Lines file of localization records.
    #[arg(long)]
    pub dataset: PathBuf,
    /// Directory of bare or checked-out repositories: `<DIR>/<owner>+<name>/repo`,
    /// `<DIR>/<owner>+<name>` or `<DIR>/<owner>/<name>`.
    #[arg(long)]
    pub repos: PathBuf,
    /// Also runs plain BM25 over file contents on the same records.
    #[arg(long)]
    pub baseline: bool,
    /// Prints machine-readable JSON.
    #[arg(long)]
    pub json: bool,
    /// Keeps the per-repository indexes here between runs.
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Evaluates only the first N records (quick checks).
    #[arg(long)]
    pub max_records: Option<usize>,
    /// Prints each record's first gold rank and top files to stderr.
    #[arg(long)]
    pub details: bool,
    /// Overrides a ranking weight, `name=value` (experiments; repeatable).
    #[arg(long = "set")]
    pub set: Vec<String>,
    /// A commit-message pattern reading the dataset's report ids for the linker's recall
    /// (added to `history.link_patterns`; repeatable), e.g. `(?i)\b(?:bug|pr)\s*(\d{4,7})`.
    #[arg(long = "link-pattern")]
    pub link_pattern: Vec<String>,
    /// Writes each evaluated record's analysis (with precedents) and gold modules here, as
    /// JSON Lines, for `ticketlens eval confidence`.
    #[arg(long)]
    pub dump: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    repo: String,
    title: String,
    body: String,
    reported_at: Option<String>,
    commit: Option<String>,
    files: Vec<String>,
    fix_commit: Option<String>,
    #[serde(default)]
    commit_is_fix_parent: bool,
    missing_at_commit: Option<Vec<String>>,
    /// Every implementing commit, oldest first (`pm-tickets`).
    #[serde(default)]
    fix_commits: Vec<String>,
}

impl Record {
    /// The commit that completed the fix: the last implementing commit when the dataset
    /// lists them, else the fix commit.
    fn last_fix(&self) -> Option<&str> {
        self.fix_commits
            .last()
            .map(String::as_str)
            .or(self.fix_commit.as_deref())
    }
}

/// A row of the report: which evidence ranks. `ticketlens` and `ticketlens_with_precedents`
/// are the whole method without and with precedents (the keys the report always had); the
/// others take evidence away, so each kind's gain is visible.
#[derive(Debug, Clone, Copy)]
struct Row {
    name: &'static str,
    commit_words: bool,
    ticket_words: bool,
    precedents: bool,
    /// Ranks with the docs beside each file (`DOCS_ROW`); the other rows keep the
    /// service's weight of them.
    docs: bool,
}

/// The row that adds structural neighbours to the whole method (`Params::neighbours`, at
/// `NEIGHBOURS` unless `--set neighbours=…`).
const NEIGHBOURS_ROW: &str = "+neighbours";

/// The weight of structural neighbours in `NEIGHBOURS_ROW`: set before any run and looked
/// at on AspectJ and evergreen only. It gained on none of the untuned datasets, so the
/// service ranks without them (`Params::neighbours` is 0; docs/localization.md).
const NEIGHBOURS: f32 = 0.1;

/// The row that adds the words of the docs beside each file (README, package doc) to the
/// whole method with precedents (`boost.docs`, at `DOCS` unless `--set boost.docs=…`).
const DOCS_ROW: &str = "+docs";

/// The weight of the docs field in `DOCS_ROW`: set before any run from first principles,
/// the weight of the other two fields that describe a file from around it or in prose
/// (`dirs`, `comments`), and looked at on no dataset before it was set.
const DOCS: f32 = 0.5;

const ROWS: [Row; 8] = [
    Row {
        name: "ticketlens",
        commit_words: true,
        ticket_words: true,
        precedents: false,
        docs: false,
    },
    Row {
        name: "+precedents",
        commit_words: true,
        ticket_words: true,
        precedents: true,
        docs: false,
    },
    Row {
        name: "plain",
        commit_words: false,
        ticket_words: false,
        precedents: false,
        docs: false,
    },
    Row {
        name: "commit_words",
        commit_words: true,
        ticket_words: false,
        precedents: false,
        docs: false,
    },
    Row {
        name: "ticket_words",
        commit_words: false,
        ticket_words: true,
        precedents: false,
        docs: false,
    },
    Row {
        name: "plain+precedents",
        commit_words: false,
        ticket_words: false,
        precedents: true,
        docs: false,
    },
    Row {
        name: NEIGHBOURS_ROW,
        commit_words: true,
        ticket_words: true,
        precedents: true,
        docs: false,
    },
    Row {
        name: DOCS_ROW,
        commit_words: true,
        ticket_words: true,
        precedents: true,
        docs: true,
    },
];

impl Row {
    fn params(&self, base: &Params) -> Params {
        let mut p = base.clone();
        if !self.commit_words {
            p.commit_words = 0.0;
        }
        if !self.ticket_words {
            p.ticket_words = 0.0;
        }
        p.neighbours = match (self.name == NEIGHBOURS_ROW, base.neighbours) {
            (false, _) => 0.0,
            (true, w) if w > 0.0 => w,
            (true, _) => NEIGHBOURS,
        };
        let docs = &mut p.boosts[Params::DOCS];
        if self.docs && *docs <= 0.0 {
            *docs = DOCS;
        }
        p
    }
}

pub(super) fn repo_dir(root: &Path, repo: &str) -> Option<PathBuf> {
    let (owner, name) = repo.split_once('/')?;
    let flat = root.join(format!("{owner}+{name}"));
    [flat.join("repo"), flat, root.join(owner).join(name)]
        .into_iter()
        .find(|p| p.exists())
}

fn revision(r: &Record) -> Option<String> {
    match (&r.commit, &r.fix_commit) {
        (Some(c), _) => Some(c.clone()),
        (None, Some(fix)) if r.commit_is_fix_parent => Some(format!("{fix}^1")),
        _ => None,
    }
}

pub fn run(settings: &Settings, args: &LocalizationArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let records = read_records(args)?;
    let mut params = Params::default();
    for s in &args.set {
        params.set(s)?;
    }
    let mut patterns = settings.history.link_patterns.clone();
    patterns.extend(args.link_pattern.iter().map(|p| p.as_str().into()));
    let linker = crate::history::Linker::new(&patterns).context("invalid link pattern")?;
    let mut by_repo: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for r in &records {
        by_repo.entry(r.repo.as_str()).or_default().push(r);
    }
    let mut t = Tallies::new(args)?;
    for (repo, recs) in by_repo {
        t.repository(settings, args, &params, &linker, repo, recs)?;
    }
    if let Some(mut out) = t.dump.take() {
        use std::io::Write;
        out.flush()?;
    }
    let runs = Runs {
        reliability: t.reliability.rows(),
        comment_words: CommentWords::of(&t.words),
        rows: t.rows.iter().map(Tally::summary).collect(),
        with_precedents: t.with_precedents,
        recall: t.recall,
        base: args.baseline.then(|| t.base.summary()),
    };
    report(args, &records, &t.skipped, &runs, started)
}

/// The dataset's records, at most `--max-records`.
fn read_records(args: &LocalizationArgs) -> anyhow::Result<Vec<Record>> {
    let file = std::fs::File::open(&args.dataset)
        .with_context(|| format!("failed to open {}", args.dataset.display()))?;
    let mut records = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = serde_json::from_str(&line).with_context(|| format!("line {}", i + 1))?;
        records.push(r);
    }
    records.truncate(args.max_records.unwrap_or(usize::MAX));
    Ok(records)
}

/// What the run counts as it goes: each method's tally, the confidence's reliability, the
/// comments' words, the records left out and why, and the optional dump.
struct Tallies {
    /// One per `ROWS` entry, in its order.
    rows: Vec<Tally>,
    base: Tally,
    with_precedents: usize,
    recall: LinkerRecall,
    reliability: Reliability,
    words: Vec<usize>,
    skipped: Vec<(String, String)>,
    dump: Option<std::io::BufWriter<std::fs::File>>,
}

impl Tallies {
    fn new(args: &LocalizationArgs) -> anyhow::Result<Tallies> {
        let dump = match &args.dump {
            Some(p) => Some(std::io::BufWriter::new(
                std::fs::File::create(p)
                    .with_context(|| format!("failed to create {}", p.display()))?,
            )),
            None => None,
        };
        Ok(Tallies {
            rows: vec![Tally::default(); ROWS.len()],
            base: Tally::default(),
            with_precedents: 0,
            recall: LinkerRecall::default(),
            reliability: Reliability::default(),
            words: Vec::new(),
            skipped: Vec::new(),
            dump,
        })
    }

    /// One repository's records, in report order, each with the precedents of the fixes
    /// before it.
    fn repository(
        &mut self,
        settings: &Settings,
        args: &LocalizationArgs,
        params: &Params,
        linker: &crate::history::Linker,
        repo: &str,
        mut recs: Vec<&Record>,
    ) -> anyhow::Result<()> {
        let Some(dir) = repo_dir(&args.repos, repo) else {
            self.skipped.extend(
                recs.iter()
                    .map(|r| (r.id.clone(), format!("no clone of {repo}"))),
            );
            return Ok(());
        };
        let revs: Vec<String> = recs.iter().filter_map(|r| revision(r)).collect();
        let t = Instant::now();
        let corpus = Corpus::build(
            repo,
            &dir,
            &revs,
            args.cache.as_deref(),
            settings.modules.clone(),
            settings.codeindex.history_depth,
        )?;
        eprintln!(
            "{repo}: indexed {} commits in {:.1}s",
            revs.len(),
            t.elapsed().as_secs_f32()
        );
        let reported = |r: &Record| TicketIndex::order_of(r.reported_at.as_deref(), &r.id);
        recs.sort_by_key(|r| reported(r));
        let fixes = past_fixes(
            &corpus,
            repo,
            recs.iter().map(|r| {
                (
                    r.id.as_str(),
                    r.title.as_str(),
                    r.body.as_str(),
                    reported(r).created_ms,
                    r.last_fix(),
                    r.files.as_slice(),
                )
            }),
            linker,
            &mut self.recall,
        );
        let mut replay = Replay::new(corpus, fixes)?;
        for r in recs {
            let reported_ms = reported(r).created_ms;
            self.record(args, &mut replay, params, r, reported_ms)?;
        }
        Ok(())
    }

    /// One record: ranked in every row (and by the baseline), tallied.
    fn record(
        &mut self,
        args: &LocalizationArgs,
        replay: &mut Replay,
        params: &Params,
        r: &Record,
        reported_ms: i64,
    ) -> anyhow::Result<()> {
        let Some(commit) = revision(r).and_then(|rev| replay.corpus.resolve(&rev)) else {
            self.skipped
                .push((r.id.clone(), "commit does not resolve".into()));
            return Ok(());
        };
        let ticket = TicketAt {
            id: &r.id,
            title: &r.title,
            body: &r.body,
            reported_ms,
        };
        let (mut view, precedents) = replay.at(&commit, params.clone(), ticket)?;
        let gold: HashSet<String> = match &r.missing_at_commit {
            Some(missing) => r
                .files
                .iter()
                .filter(|f| !missing.contains(f))
                .cloned()
                .collect(),
            None => r.files.iter().filter(|f| view.exists(f)).cloned().collect(),
        };
        if gold.is_empty() {
            self.skipped
                .push((r.id.clone(), "no gold file exists at the commit".into()));
            return Ok(());
        }
        self.with_precedents += usize::from(!precedents.is_empty());
        let gold_modules: HashSet<String> = gold.iter().map(|g| view.cut().module_of(g)).collect();
        let sizes: Vec<usize> = view.cut().modules().iter().map(|m| m.files).collect();
        let mut full = None;
        let mut ranks = Vec::new();
        for (i, row) in ROWS.iter().enumerate() {
            if row.name == NEIGHBOURS_ROW {
                view.with_links()?;
            }
            view.set_params(row.params(params));
            let ticket = TicketText {
                title: &r.title,
                body: &r.body,
                repository: None,
                precedents: if row.precedents { &precedents } else { &[] },
            };
            let e = analyze(&view, ticket, 10).with_context(|| format!("record {}", r.id))?;
            let ranked: Vec<String> = e.files.iter().map(|f| f.path.clone()).collect();
            let modules: Vec<String> = e.modules.iter().map(|m| m.module.clone()).collect();
            self.rows[i].add(&gold, &ranked, None);
            self.rows[i].add_cut_modules(&gold_modules, &modules, &sizes);
            let first = ranked.iter().position(|p| gold.contains(p));
            ranks.push(format!(
                "{}={}",
                row.name,
                first.map_or("-".into(), |k| (k + 1).to_string())
            ));
            if row.name == "+precedents" {
                full = Some(e);
            }
        }
        let ep = full.expect("the whole method is a row");
        if args.details {
            details(r, &gold, &ranks, &ep);
        }
        self.confidence(r, &gold_modules, ep)?;
        if args.baseline {
            self.base
                .add(&gold, &view.baseline(&r.title, &r.body, 10)?, None);
        }
        Ok(())
    }

    /// The whole method's analysis: its stated confidence against the gold modules, its
    /// comment's words, and the dump.
    fn confidence(
        &mut self,
        r: &Record,
        gold_modules: &HashSet<String>,
        ep: crate::domain::Enrichment,
    ) -> anyhow::Result<()> {
        let record = DumpRecord {
            id: r.id.clone(),
            repo: r.repo.clone(),
            gold_modules: gold_list(gold_modules),
            enrichment: ep,
        };
        self.reliability.add(
            record.enrichment.confidence.level,
            record.enrichment.confidence.probability,
            record.first_right(),
        );
        self.words
            .push(crate::render::comment_words(&record.enrichment));
        if let Some(out) = self.dump.as_mut() {
            use std::io::Write;
            serde_json::to_writer(&mut *out, &record)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// A record's first gold rank per row and the whole method's top files with their evidence,
/// to stderr.
fn details(r: &Record, gold: &HashSet<String>, ranks: &[String], e: &crate::domain::Enrichment) {
    let top: Vec<String> = e
        .files
        .iter()
        .take(3)
        .map(|f| format!("{} {:.2} {:?}", f.path, f.score, f.reasons))
        .collect();
    eprintln!("{}\t{}\tgold={gold:?}\ttop={top:#?}", r.id, ranks.join(" "));
}

/// The methods' summaries and what the precedent simulation had to work with.
struct Runs {
    /// One per `ROWS` entry, in its order.
    rows: Vec<Summary>,
    /// Records that had at least one precedent.
    with_precedents: usize,
    recall: LinkerRecall,
    base: Option<Summary>,
    /// Per confidence level: records and how often their first module was right.
    reliability: Vec<ReliabilityRow>,
    /// The brief Markdown comment's words (footer and marker left out).
    comment_words: CommentWords,
}

fn report(
    args: &LocalizationArgs,
    records: &[Record],
    skipped: &[(String, String)],
    runs: &Runs,
    started: Instant,
) -> anyhow::Result<()> {
    let (ours, base) = (&runs.rows[0], &runs.base);
    let dataset = args
        .dataset
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    if args.json {
        let skipped: Vec<_> = skipped
            .iter()
            .map(|(id, why)| serde_json::json!({"id": id, "reason": why}))
            .collect();
        let rows: serde_json::Map<String, serde_json::Value> = ROWS
            .iter()
            .zip(&runs.rows)
            .skip(2)
            .map(|(r, s)| Ok((r.name.to_string(), serde_json::to_value(s)?)))
            .collect::<Result<_, serde_json::Error>>()?;
        let v = serde_json::json!({
            "dataset": dataset,
            "records": records.len(),
            "evaluated": ours.records,
            "skipped": skipped.len(),
            "skipped_records": skipped,
            "ticketlens": ours,
            "ticketlens_with_precedents": runs.rows[1],
            "rows": rows,
            "records_with_precedents": runs.with_precedents,
            "linker": runs.recall,
            "baseline_bm25": base,
            "reliability": runs.reliability,
            "comment_words": runs.comment_words,
            "elapsed_secs": started.elapsed().as_secs_f32(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "dataset {dataset}: {} records, {} evaluated, {} skipped ({:.0}s)",
        records.len(),
        ours.records,
        skipped.len(),
        started.elapsed().as_secs_f32()
    );
    for (id, why) in skipped {
        println!("  skipped {id}: {why}");
    }
    print!("{}", rows_table(runs));
    println!(
        "modules under TicketLens' cut (median {} source files per module): Acc@1 {:.3}  Acc@5 {:.3}  Acc@10 {:.3}",
        ours.median_module_files, ours.cut_module_acc_at_1, ours.cut_module_acc_at_5, ours.cut_module_acc_at_10
    );
    println!(
        "precedents: {} of {} evaluated records had one (earlier records whose fix commits are older than the report)",
        runs.with_precedents, ours.records
    );
    println!("{}", runs.recall.line());
    print!("{}", reliability_table(&runs.reliability));
    println!(
        "comment words (brief Markdown, footer left out): median {}, max {}",
        runs.comment_words.median, runs.comment_words.max
    );
    Ok(())
}

/// Every row's metrics for a terminal, the baseline last; `Cut@k` is module Acc@k under
/// TicketLens' module cut.
fn rows_table(runs: &Runs) -> String {
    let mut out = format!(
        "{:<17} {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6} | {:>6} {:>6} | {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6}\n",
        "method", "Acc@1", "Acc@5", "Acc@10", "All@1", "All@5", "All@10", "MRR@10", "MAP@10",
        "Mod@1", "Mod@5", "Mod@10", "Cut@1", "Cut@5", "Cut@10"
    );
    let rows = ROWS
        .iter()
        .map(|r| r.name)
        .zip(&runs.rows)
        .chain(runs.base.as_ref().map(|b| ("bm25", b)));
    for (name, s) in rows {
        out += &format!(
            "{name:<17} {:>6.3} {:>6.3} {:>6.3} | {:>6.3} {:>6.3} {:>6.3} | {:>6.3} {:>6.3} | {:>6.3} {:>6.3} {:>6.3} | {:>6.3} {:>6.3} {:>6.3}\n",
            s.acc_at_1, s.acc_at_5, s.acc_at_10, s.all_at_1, s.all_at_5, s.all_at_10, s.mrr_at_10, s.map_at_10,
            s.module_acc_at_1, s.module_acc_at_5, s.module_acc_at_10,
            s.cut_module_acc_at_1, s.cut_module_acc_at_5, s.cut_module_acc_at_10
        );
    }
    out
}

/// The reliability table for a terminal.
pub fn reliability_table(rows: &[ReliabilityRow]) -> String {
    let mut s = format!(
        "{:<10} {:>8} {:>7} {:>19} {:>17}\n",
        "level", "records", "share", "first_module_right", "mean_probability"
    );
    for r in rows {
        s += &format!(
            "{:<10} {:>8} {:>7.3} {:>19.3} {:>17.3}\n",
            r.level.as_str(),
            r.records,
            r.share,
            r.first_module_right,
            r.mean_probability
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testrepo::{TestRepo, T0};
    use std::collections::BTreeMap;

    fn iso(day: i64) -> String {
        let t = time::OffsetDateTime::from_unix_timestamp(T0 + day * 86_400).unwrap();
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    }

    fn record(id: &str, day: Option<i64>, commit: git2::Oid, fix: git2::Oid, file: &str) -> String {
        serde_json::json!({
            "id": id, "repo": "acme/app",
            "title": "zebra stripes and quokka sessions",
            "body": "the zebra quokka screen shows the wrong amount",
            "reported_at": day.map(iso), "commit": commit.to_string(),
            "files": [file], "fix_commit": fix.to_string(),
            "commit_is_fix_parent": true, "missing_at_commit": [],
        })
        .to_string()
    }

    /// Every reason given for any file of each dumped record, by record id.
    fn reasons_by_record(dump: &Path) -> BTreeMap<String, String> {
        std::fs::read_to_string(dump)
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let id = v["id"].as_str().unwrap().to_string();
                (id, v["enrichment"]["files"].to_string())
            })
            .collect()
    }

    /// A repository where "zebra" is said only by a commit made after the ticket was
    /// reported (on the file its fix then changes), and "quokka" only by a past ticket whose
    /// fix landed after the report: neither may reach that ticket's ranking. The same text
    /// reported without a time sees the commit, and reported later sees past tickets, so the
    /// evidence would show if the rule let it through.
    #[test]
    fn no_word_from_a_commit_or_ticket_after_the_report_reaches_its_ranking() {
        let r = TestRepo::new();
        let who = ("dev", "dev@example.com");
        let mut files: BTreeMap<String, String> = BTreeMap::new();
        for (path, class) in [
            ("billing/Invoice.java", "Invoice"),
            ("auth/Session.java", "Session"),
            ("ui/Screen.java", "Screen"),
        ] {
            files.insert(
                path.into(),
                format!("class {class} {{ void amount() {{}} }}\n"),
            );
        }
        let c0 = r.commit("main", &[], &files, who, 0, "initial import");
        files
            .get_mut("billing/Invoice.java")
            .unwrap()
            .push_str("// rounding\n");
        let c1 = r.commit("main", &[c0], &files, who, 10, "Zebra stripes on invoices");
        files
            .get_mut("auth/Session.java")
            .unwrap()
            .push_str("// expiry\n");
        let c2 = r.commit("main", &[c1], &files, who, 12, "PAST-1 session expiry");
        files
            .get_mut("billing/Invoice.java")
            .unwrap()
            .push_str("// total\n");
        let c3 = r.commit("main", &[c2], &files, who, 20, "T-2 invoice total");

        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(r.dir.path(), dir.path().join("acme+app")).unwrap();
        let dataset = dir.path().join("set.jsonl");
        let past = serde_json::json!({
            "id": "PAST-1", "repo": "acme/app", "title": "quokka sessions expire",
            "body": "quokka users are logged out", "reported_at": iso(1),
            "commit": c1.to_string(), "files": ["auth/Session.java"],
            "fix_commit": c2.to_string(), "commit_is_fix_parent": true, "missing_at_commit": [],
        });
        let lines = [
            past.to_string(),
            record("T-2", Some(5), c2, c3, "billing/Invoice.java"),
            record("T-untimed", None, c2, c3, "billing/Invoice.java"),
            record("T-later", Some(30), c3, c3, "billing/Invoice.java"),
        ];
        std::fs::write(&dataset, lines.join("\n")).unwrap();
        let dump = dir.path().join("dump.jsonl");
        let args = LocalizationArgs {
            dataset,
            repos: dir.path().to_path_buf(),
            baseline: false,
            json: true,
            cache: None,
            max_records: None,
            details: false,
            set: vec![],
            link_pattern: vec![],
            dump: Some(dump.clone()),
        };
        run(&Settings::default(), &args).unwrap();
        let reasons = reasons_by_record(&dump);
        let timed = &reasons["T-2"];
        for late in ["zebra", "Zebra", "quokka", "PAST-1", "past tickets"] {
            assert!(!timed.contains(late), "{late} reached T-2: {timed}");
        }
        assert!(reasons["T-untimed"].contains("`zebra`"), "{reasons:#?}");
        assert!(
            reasons["T-later"].contains("changed for past tickets saying"),
            "{reasons:#?}"
        );
    }
}
