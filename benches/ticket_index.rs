//! Ticket index speed (not run in CI): similar-ticket query latency with 100,000 tickets,
//! back-fill indexing throughput and index size. Volume comes from replicating the Hadoop
//! dataset (speed only; the copies make no sense as data).
//!
//! `cargo bench --bench ticket_index` (env `TICKETS` overrides the 100,000). The dataset,
//! `duplicates/hadoop-tickets.jsonl`, is read from `$TICKETLENS_DATASETS`, else from
//! `../shared/datasets` beside the checkout (the shared folder; not in the repository).

#[path = "support/datasets.rs"]
mod datasets;

use std::time::Instant;
use ticketlens::domain::{SimilarOptions, SimilarQuery, TicketDoc, Tracker};
use ticketlens::eval::duplicates::{read_jsonl, DatasetTicket};
use ticketlens::ticketindex::TicketIndex;
use ticketlens::worker::index_sync::{COMMIT_PAGES, PAGE};

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU seconds this process used (user + system), from /proc: robust to a loaded machine.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = &s[s.rfind(')')? + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

/// The index's own in-memory structures (the rest of its RSS is tantivy's mapped files and
/// the allocator's slack).
fn print_memory(when: &str, index: &TicketIndex) {
    let m = index.memory();
    println!(
        "index memory {when}: {} segments; analysed-candidate cache {} entries ≈ {:.1} MB; \
         {} cached document frequencies; {} content hashes",
        m.segments,
        m.analyzed_entries,
        m.analyzed_bytes as f64 / 1e6,
        m.doc_freq_entries,
        m.indexed_entries
    );
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() -> anyhow::Result<()> {
    let target: usize = std::env::var("TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let data = datasets::require(
        datasets::default_path("duplicates/hadoop-tickets.jsonl"),
        None,
    );
    let base: Vec<DatasetTicket> = read_jsonl(&data)?;
    let docs: Vec<TicketDoc> = (0..target)
        .map(|i| {
            let t = &base[i % base.len()];
            let copy = i / base.len();
            TicketDoc {
                tracker: Tracker::Jira,
                id: format!("{}{copy:03}", t.id),
                key: format!("HADOOP-{i}"),
                title: t.title.clone(),
                body: format!("{}\ncopy{copy}", t.body),
                labels: Vec::new(),
                components: Vec::new(),
                project: Some(t.project.clone()),
                visibility: Default::default(),
                status: None,
                url: None,
                created_at: Some(t.created_at.clone()),
            }
        })
        .collect();
    let dir = tempfile::tempdir()?;
    let rss_before = rss_mb();
    let (index, _) = TicketIndex::open(Some(dir.path()))?;

    // back-fill path: pages staged and committed with a position as the catch-up loop
    // (`worker::index_sync::catch_up`) does
    let cpu = cpu_secs();
    let started = Instant::now();
    for (n, page) in docs.chunks(PAGE as usize).enumerate() {
        index.stage(page, &[])?;
        if (n + 1) % COMMIT_PAGES == 0 {
            index.apply(&[], &[], Some(n.to_string()))?;
        }
    }
    index.apply(&[], &[], Some("end".into()))?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "indexing (back-fill: pages of {PAGE}, a commit every {COMMIT_PAGES}): {} tickets in {secs:.1} s = {:.0} tickets/s ({:.0} per CPU second)",
        docs.len(),
        docs.len() as f64 / secs,
        docs.len() as f64 / (cpu_secs() - cpu).max(1e-3)
    );
    let cpu = cpu_secs();
    let started = Instant::now();
    index.rebuild(&docs, None)?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "indexing (full rebuild): {} tickets in {secs:.1} s = {:.0} tickets/s ({:.0} per CPU second)",
        docs.len(),
        docs.len() as f64 / secs,
        docs.len() as f64 / (cpu_secs() - cpu).max(1e-3)
    );
    println!(
        "index on disk: {:.1} MB; process RSS {:.0} MB (+{:.0} MB since before opening the index)",
        TicketIndex::disk_bytes(dir.path()) as f64 / 1e6,
        rss_mb(),
        rss_mb() - rss_before
    );
    print_memory("after indexing", &index);

    let options = SimilarOptions::default();
    let mut lat = Vec::new();
    let cpu = cpu_secs();
    for (n, t) in base.iter().step_by(5).take(500).enumerate() {
        let q = SimilarQuery {
            title: t.title.clone(),
            body: t.body.clone(),
            project: Some(t.project.clone()),
            exclude_ids: vec![format!("{}000", t.id)],
            ..SimilarQuery::default()
        };
        let started = Instant::now();
        let found = index.similar(&q, &options)?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        if n >= 20 {
            lat.push(ms); // the first queries warm the page cache
        }
        std::hint::black_box(found);
    }
    let cpu_ms_per_query = (cpu_secs() - cpu) * 1e3 / 500.0;
    lat.sort_by(f64::total_cmp);
    println!(
        "similar-ticket query over {} tickets: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} queries; mean CPU {cpu_ms_per_query:.2} ms per query)",
        index.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or_default(),
        lat.len()
    );
    println!(
        "process RSS after queries: {:.0} MB (+{:.0} MB since before opening the index)",
        rss_mb(),
        rss_mb() - rss_before
    );
    print_memory("after queries", &index);
    Ok(())
}
