//! Code index benchmark on a real repository: full build time and peak memory, analyze
//! latency (p50/p99; each query with ten precedents' fixes as evidence, change coupling, and
//! the words of every record of the queries' file as past tickets, its own left out), and an
//! incremental refresh after 10 new commits.
//!
//! ```sh
//! cargo bench --bench codeindex -- [--repo /work/.mirror/eclipse-aspectj+aspectj/repo]
//!     [--queries ../shared/datasets/localization/aspectj.jsonl] [--n 300] [--past-tickets 0]
//! ```
//!
//! `--past-tickets 0` analyses without past tickets' words (the service before it had them).
//!
//! `--queries` defaults to `localization/aspectj.jsonl` in `$TICKETLENS_DATASETS`, else in
//! `../shared/datasets` beside the checkout (the shared folder; not in the repository).
//!
//! The repository is cloned bare (`git clone --bare --local`, objects hard-linked) into a
//! temporary directory, so the 10 benchmark commits never touch the original.

#[path = "support/datasets.rs"]
mod datasets;

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Repository, Signature};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use ticketlens::codeindex::{CodeIndex, IndexOptions, Reader, RepoSpec};
use ticketlens::domain::{PastTicket, Precedent, Tracker, Visibility};
use ticketlens::enrich::{analyze_for, TicketText};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A query's title and body, the gold files of its record (other queries' precedents), and
/// its id (its key as a past ticket).
type Query = (String, String, Vec<String>, String);

/// Every record of the file (all of them are past tickets; the first `n` are queries).
fn records(path: &Path) -> Vec<Query> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
            let files = v["files"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|f| f.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            (s("title"), s("body"), files, s("id"))
        })
        .collect()
}

fn queries(records: &[Query], n: usize) -> Vec<Query> {
    let mut out: Vec<Query> = records.iter().take(n).cloned().collect();
    if out.is_empty() {
        out = (0..n)
            .map(|i| {
                (
                    format!("NullPointerException in weaver {i}"),
                    "when compiling aspects".into(),
                    Vec::new(),
                    format!("Q-{i}"),
                )
            })
            .collect();
    }
    out
}

/// The records as stored tickets that mined commits name, fixed a day apart.
fn past_tickets(records: &[Query]) -> Vec<PastTicket> {
    let now = ticketlens::domain::now_ms();
    records
        .iter()
        .enumerate()
        .map(|(i, (title, body, files, id))| PastTicket {
            tracker: Tracker::Jira,
            key: id.clone(),
            project: None,
            visibility: Visibility::Internal,
            text: format!("{title}\n{body}"),
            fixed_ms: now - i as i64 * 86_400_000,
            files: files.clone(),
        })
        .collect()
}

/// Adds `n` commits to HEAD, each appending a line to a different source file.
fn add_commits(repo: &Repository, n: usize) {
    let sig = Signature::now("Bench", "bench@example.com").unwrap();
    let mut head = repo.head().unwrap().peel_to_commit().unwrap();
    let mut sources = Vec::new();
    head.tree()
        .unwrap()
        .walk(git2::TreeWalkMode::PreOrder, |root, e| {
            let name = e.name().unwrap_or("");
            if sources.len() < n && (name.ends_with(".java") || name.ends_with(".py")) {
                sources.push((format!("{root}{name}"), e.id()));
            }
            git2::TreeWalkResult::Ok
        })
        .unwrap();
    for (i, (path, blob)) in sources.iter().enumerate() {
        let mut content = repo.find_blob(*blob).unwrap().content().to_vec();
        content.extend_from_slice(
            format!("\n// benchmark change {i}: retry transient weaving failures\n").as_bytes(),
        );
        let new_blob = repo.blob(&content).unwrap();
        let tree = head.tree().unwrap();
        let mut update = TreeUpdateBuilder::new();
        update.upsert(path, new_blob, FileMode::Blob);
        let tree_id = update.create_updated(repo, &tree).unwrap();
        let tree = repo.find_tree(tree_id).unwrap();
        let id = repo
            .commit(
                Some("HEAD"),
                &sig,
                &sig,
                &format!("benchmark change {i}"),
                &tree,
                &[&head],
            )
            .unwrap();
        head = repo.find_commit(id).unwrap();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Analyses each query as the worker would (the ten next records' fixes as its precedents)
/// and prints the latency percentiles, with a fingerprint of the files named.
fn measure_analyze(code: &CodeIndex, qs: &[Query]) {
    let mut lat = Vec::with_capacity(qs.len());
    // a fingerprint of the files named, so two builds can be shown to rank alike
    let mut answers = std::collections::hash_map::DefaultHasher::new();
    for (i, (title, body, _, id)) in qs.iter().enumerate() {
        // the ten next records' fixes stand in for its precedents (the most the ranking
        // reads), so their evidence and the change coupling are in the measured time
        let precedents: Vec<Precedent> = qs
            .iter()
            .skip(i + 1)
            .take(10)
            .enumerate()
            .map(|(j, q)| Precedent {
                key: format!("P-{j}"),
                similarity: 0.9 - 0.05 * j as f32,
                repository: "bench".into(),
                files: q.2.clone(),
                ..Precedent::default()
            })
            .collect();
        // the query's own record is not its evidence
        let reader = Reader {
            own: [(Tracker::Jira, id.clone())].into_iter().collect(),
            ..Reader::default()
        };
        let t = Instant::now();
        let e = analyze_for(
            code,
            TicketText {
                title,
                body,
                repository: None,
                precedents: &precedents,
            },
            10,
            &reader,
        )
        .unwrap();
        lat.push(t.elapsed());
        for f in &e.files {
            std::hash::Hash::hash(&f.path, &mut answers);
        }
    }
    lat.sort();
    println!(
        "analyze: {} queries, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, files named {:016x}",
        lat.len(),
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3,
        std::hash::Hasher::finish(&answers)
    );
}

fn main() {
    let source = PathBuf::from(arg("--repo", "/work/.mirror/eclipse-aspectj+aspectj/repo"));
    let default_queries = datasets::default_path("localization/aspectj.jsonl");
    let qpath = datasets::require(
        PathBuf::from(arg("--queries", &default_queries.to_string_lossy())),
        Some("--queries"),
    );
    let n: usize = arg("--n", "300").parse().unwrap();
    let work = tempfile::tempdir().unwrap();
    let clone = work.path().join("repo.git");
    let ok = std::process::Command::new("git")
        .args(["clone", "--quiet", "--bare", "--local"])
        .arg(&source)
        .arg(&clone)
        .status()
        .expect("git runs")
        .success();
    assert!(ok, "failed to clone {}", source.display());

    let spec = RepoSpec {
        name: "bench".into(),
        path: Some(clone.clone()),
        url: None,
        branch: "HEAD".into(),
        modules: vec![],
    };
    let opts = IndexOptions {
        dir: Some(work.path().join("index")),
        modules: Default::default(),
        history_depth: 5000,
    };
    let code = CodeIndex::open(vec![spec], &opts).unwrap();
    let t = Instant::now();
    let report = code.refresh().pop().unwrap().1.unwrap();
    let build = t.elapsed();
    println!(
        "full build: {} files in {:.2}s, peak RSS {:.0} MB",
        report.files,
        build.as_secs_f64(),
        peak_rss_mb()
    );

    let all = records(&qpath);
    if arg("--past-tickets", "1") != "0" {
        let t = Instant::now();
        let indexed = code.set_past_tickets("bench", &past_tickets(&all));
        println!(
            "past tickets: {} indexed in {:.0} ms",
            indexed.unwrap_or(0),
            t.elapsed().as_secs_f64() * 1e3
        );
    }
    let qs = queries(&all, n);
    measure_analyze(&code, &qs);

    add_commits(&Repository::open_bare(&clone).unwrap(), 10);
    let t = Instant::now();
    let report = code.refresh().pop().unwrap().1.unwrap();
    println!(
        "incremental refresh after 10 commits: {} files re-indexed in {:.0} ms (peak RSS {:.0} MB)",
        report.indexed,
        t.elapsed().as_secs_f64() * 1e3,
        peak_rss_mb()
    );
}
