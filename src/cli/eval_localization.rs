//! `ticketlens eval localization`: runs a localization dataset (see the shared datasets
//! README) through `enrich::analyze` at each record's commit, in report order, without and
//! with precedents (earlier records whose fix commit is older than the report), optionally
//! beside the plain BM25 baseline, and prints the metrics per dataset with evaluated and
//! skipped counts, and the share of fix commits whose message names their report.

use super::eval_precedents::{past_fixes, LinkerRecall};
use super::metrics::{Summary, Tally};
use crate::codeindex::{Corpus, Params};
use crate::config::Settings;
use crate::enrich::{analyze, TicketText};
use crate::eval::confidence::{gold_list, CommentWords, DumpRecord, Reliability, ReliabilityRow};
use crate::eval::precedents::PrecedentPool;
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
        ours: t.ours.summary(),
        with: t.with.summary(),
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
    ours: Tally,
    base: Tally,
    with: Tally,
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
            ours: Tally::default(),
            base: Tally::default(),
            with: Tally::default(),
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
                    r.fix_commit.as_deref(),
                    r.files.as_slice(),
                )
            }),
            linker,
            &mut self.recall,
        );
        let mut pool = PrecedentPool::new(fixes)?;
        for r in recs {
            let reported_ms = reported(r).created_ms;
            self.record(args, &corpus, &mut pool, params, r, reported_ms)?;
        }
        Ok(())
    }

    /// One record: ranked without and with precedents (and by the baseline), tallied.
    fn record(
        &mut self,
        args: &LocalizationArgs,
        corpus: &Corpus,
        pool: &mut PrecedentPool,
        params: &Params,
        r: &Record,
        reported_ms: i64,
    ) -> anyhow::Result<()> {
        let Some(commit) = revision(r).and_then(|rev| corpus.resolve(&rev)) else {
            self.skipped
                .push((r.id.clone(), "commit does not resolve".into()));
            return Ok(());
        };
        let view = corpus.view(&commit, params.clone())?;
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
        let cut = view.cut();
        let module_of = |_: &str, p: &str| Some(cut.module_of(p));
        let precedents = match reported_ms {
            0 => Vec::new(),
            ms => pool.precedents_for(&r.id, &r.title, &r.body, ms, &module_of)?,
        };
        self.with_precedents += usize::from(!precedents.is_empty());
        let ticket = TicketText {
            title: &r.title,
            body: &r.body,
            repository: None,
            precedents: &[],
        };
        let e = analyze(&view, ticket, 10).with_context(|| format!("record {}", r.id))?;
        let ep = analyze(
            &view,
            TicketText {
                precedents: &precedents,
                ..ticket
            },
            10,
        )
        .with_context(|| format!("record {}", r.id))?;
        self.with.add(
            &gold,
            &ep.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
            None,
        );
        if args.details {
            let first = ep.files.iter().position(|f| gold.contains(&f.path));
            let top: Vec<String> = ep
                .files
                .iter()
                .take(3)
                .map(|f| format!("{} {:.2} {:?}", f.path, f.score, f.reasons))
                .collect();
            eprintln!("{}\trank={first:?}\tgold={gold:?}\ttop={top:#?}", r.id);
        }
        let gold_modules: HashSet<String> = gold.iter().map(|g| cut.module_of(g)).collect();
        let record = DumpRecord {
            id: r.id.clone(),
            repo: r.repo.clone(),
            gold_modules: gold_list(&gold_modules),
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
        let sizes: Vec<usize> = cut.modules().iter().map(|m| m.files).collect();
        let ranked_modules: Vec<String> = e.modules.iter().map(|m| m.module.clone()).collect();
        self.ours
            .add_cut_modules(&gold_modules, &ranked_modules, &sizes);
        let ranked: Vec<String> = e.files.into_iter().map(|f| f.path).collect();
        self.ours.add(&gold, &ranked, None);
        if args.baseline {
            self.base
                .add(&gold, &view.baseline(&r.title, &r.body, 10)?, None);
        }
        Ok(())
    }
}

/// The methods' summaries and what the precedent simulation had to work with.
struct Runs {
    ours: Summary,
    with: Summary,
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
    let (ours, base) = (&runs.ours, &runs.base);
    let dataset = args
        .dataset
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    if args.json {
        let skipped: Vec<_> = skipped
            .iter()
            .map(|(id, why)| serde_json::json!({"id": id, "reason": why}))
            .collect();
        let v = serde_json::json!({
            "dataset": dataset,
            "records": records.len(),
            "evaluated": ours.records,
            "skipped": skipped.len(),
            "skipped_records": skipped,
            "ticketlens": ours,
            "ticketlens_with_precedents": runs.with,
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
    println!(
        "{:<12} {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6} | {:>6} {:>6} | {:>6} {:>6} {:>6}",
        "method",
        "Acc@1",
        "Acc@5",
        "Acc@10",
        "All@1",
        "All@5",
        "All@10",
        "MRR@10",
        "MAP@10",
        "Mod@1",
        "Mod@5",
        "Mod@10"
    );
    let rows = [("ticketlens", ours), ("+precedents", &runs.with)]
        .into_iter()
        .chain(base.as_ref().map(|b| ("bm25", b)));
    for (name, s) in rows {
        println!(
            "{name:<12} {:>6.3} {:>6.3} {:>6.3} | {:>6.3} {:>6.3} {:>6.3} | {:>6.3} {:>6.3} | {:>6.3} {:>6.3} {:>6.3}",
            s.acc_at_1, s.acc_at_5, s.acc_at_10, s.all_at_1, s.all_at_5, s.all_at_10, s.mrr_at_10, s.map_at_10,
            s.module_acc_at_1, s.module_acc_at_5, s.module_acc_at_10
        );
    }
    println!(
        "modules under TicketLens' cut (median {} source files per module): Acc@1 {:.3}  Acc@5 {:.3}  Acc@10 {:.3}",
        ours.median_module_files, ours.cut_module_acc_at_1, ours.cut_module_acc_at_5, ours.cut_module_acc_at_10
    );
    println!(
        "precedents: {} of {} evaluated records had one (earlier records whose fix commit is older than the report)",
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
