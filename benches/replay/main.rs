//! The whole path under load: real Hadoop tickets replayed, in creation order, as signed Jira
//! Cloud `jira:issue_created` webhooks to running `ticketlens serve` processes, with a local
//! fake Jira recording every comment request.
//!
//! ```sh
//! cargo bench --bench replay -- --backend sqlite|postgres [--processes 1] [--rate 0]
//!     [--concurrency 32] [--kills 0] [--limit N] [--workers 4] [--shown 10]
//!     [--edits 0] [--repo /work/.mirror/apache+tomcat/repo --repo-name tomcat] [--keep]
//! ```
//!
//! The Hadoop dataset (`duplicates/hadoop-{tickets,queries}.jsonl`) is read from
//! `$TICKETLENS_DATASETS`, else from `../shared/datasets` beside the checkout (the shared
//! folder; not in the repository).
//!
//! `--rate 0` sends as fast as the service acknowledges (closed loop, `--concurrency`
//! deliveries in flight); `--rate R` sends R tickets/s (open loop). `--kills K` SIGKILLs every
//! service process K times mid-run and restarts it. `--edits E` is an edit storm: every
//! ticket is edited E times within a second of its creation (summary changes, as
//! `jira:issue_updated`), and still each must end with exactly one comment. Before the replay the repository's history
//! is mined and its code indexed, so comments carry modules and fragility.
//!
//! Reported: tickets/s end to end (first webhook sent to last first-comment received),
//! p50/p99 webhook-to-comment latency, peak resident memory per process, comments per
//! ticket (lost, duplicated), and RR@1/5/10 of the duplicate candidates the comments name,
//! next to the same metrics from `ticketlens eval duplicates`' ranking of the same queries.

#[path = "../support/datasets.rs"]
mod datasets;
mod fake_jira;
mod report;
mod service;
mod webhook;

use service::{Service, Setup};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use ticketlens::eval::duplicates::{read_jsonl, DatasetQuery};

/// Keys are `HADOOP-<dataset id>`: never equal to a real Hadoop key (those have ≤ 5 digits),
/// so keys a description mentions cannot be mistaken for a replayed ticket.
pub const KEY_PREFIX: &str = "HADOOP-";

pub struct Args {
    backend: String,
    processes: usize,
    rate: f64,
    concurrency: usize,
    kills: usize,
    limit: usize,
    workers: usize,
    shown: usize,
    repo: String,
    repo_name: String,
    /// Edits per ticket within a second of its creation.
    pub edits: usize,
    /// Keep the work directory (service logs, database) instead of deleting it.
    keep: bool,
}

fn parse_args() -> Args {
    let mut a = Args {
        backend: "sqlite".into(),
        processes: 1,
        rate: 0.0,
        concurrency: 32,
        kills: 0,
        limit: usize::MAX,
        workers: 4,
        shown: 10,
        repo: "/work/.mirror/apache+tomcat/repo".into(),
        repo_name: "tomcat".into(),
        edits: 0,
        keep: false,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let val = argv.get(i + 1).cloned().unwrap_or_default();
        let num = |what: &str| -> usize { val.parse().unwrap_or_else(|_| panic!("{what} N")) };
        match argv[i].as_str() {
            "--backend" => a.backend = val.clone(),
            "--processes" => a.processes = num("--processes").max(1),
            "--rate" => a.rate = val.parse().expect("--rate R"),
            "--concurrency" => a.concurrency = num("--concurrency").max(1),
            "--kills" => a.kills = num("--kills"),
            "--limit" => a.limit = num("--limit"),
            "--workers" => a.workers = num("--workers"),
            "--edits" => a.edits = num("--edits"),
            "--shown" => a.shown = num("--shown").max(1),
            "--repo" => a.repo = val.clone(),
            "--repo-name" => a.repo_name = val.clone(),
            "--keep" => {
                a.keep = true;
                i += 1;
                continue;
            }
            _ => {
                // cargo bench passes `--bench`; anything unknown is skipped
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

fn main() {
    let args = parse_args();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(run(args));
}

async fn run(a: Args) {
    let tickets_file = datasets::require(
        datasets::default_path("duplicates/hadoop-tickets.jsonl"),
        None,
    );
    let queries_file = datasets::require(
        datasets::default_path("duplicates/hadoop-queries.jsonl"),
        None,
    );
    let all: Vec<webhook::Ticket> = read_jsonl(&tickets_file).expect("tickets");
    let tickets: Vec<webhook::Ticket> = all.into_iter().take(a.limit).collect();
    let queries: Vec<DatasetQuery> = read_jsonl(&queries_file).expect("queries");
    let n = tickets.len();

    let recorder = fake_jira::Shared::default();
    let jira_base = fake_jira::start(recorder.clone());
    let dir = tempfile::Builder::new()
        .prefix("tl-replay-")
        .tempdir()
        .expect("work dir");
    let (database_url, pg_database) = Setup::database(&a.backend, dir.path());
    let setup = Setup {
        dir: dir.path().to_path_buf(),
        database_url,
        jira_base: jira_base.clone(),
        repo: a.repo.clone().into(),
        repo_name: a.repo_name.clone(),
        workers: a.workers,
        shown: a.shown,
        pg_database,
    };
    println!(
        "replay: {n} Hadoop tickets → {} × ticketlens serve ({}, {} workers each); {}; kills {}; edits per ticket {}",
        a.processes,
        a.backend,
        a.workers,
        if a.rate > 0.0 {
            format!("open loop at {} tickets/s", a.rate)
        } else {
            format!("as fast as acknowledged ({} in flight)", a.concurrency)
        },
        a.kills,
        a.edits
    );
    let (mined, indexed) = setup.prepare(a.processes);
    println!(
        "prepared {}: history mined in {mined:.1} s, code indexed in {indexed:.1} s",
        a.repo_name
    );
    let services: Vec<Arc<tokio::sync::Mutex<Service>>> = (0..a.processes)
        .map(|i| Arc::new(tokio::sync::Mutex::new(Service::start(&setup, i))))
        .collect();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(a.concurrency)
        .build()
        .unwrap();
    let mut bases = Vec::new();
    for s in &services {
        let s = s.lock().await;
        s.ready(&client).await;
        bases.push(s.base.clone());
    }
    let bases = Arc::new(bases);

    // Send, in creation order, at the chosen pace; a killer restarts the services mid-run.
    let hooks = Arc::new(webhook::Webhooks::new(&jira_base));
    let tickets = Arc::new(tickets);
    let sent_at: Arc<Mutex<Vec<Option<Instant>>>> = Arc::new(Mutex::new(vec![None; n]));
    let retries = Arc::new(AtomicUsize::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let storms: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
    let started = Instant::now();
    // Kills come when 1/(K+1), 2/(K+1)... of the tickets have their comment, so each one
    // lands with webhooks, jobs and comment writes in flight.
    let killer = {
        let (services, recorder, client) = (services.clone(), recorder.clone(), client.clone());
        let kills = a.kills;
        tokio::spawn(async move {
            for k in 1..=kills {
                let at = n * k / (kills + 1);
                let commented = || recorder.lock().unwrap().comments.len();
                while commented() < at {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                for s in &services {
                    s.lock().await.kill_and_restart();
                }
                println!(
                    "  SIGKILL #{k} when {} tickets had their comment; restarted",
                    commented()
                );
                for s in &services {
                    s.lock().await.ready(&client).await;
                }
            }
        })
    };
    let edits = a.edits;
    let send_one = {
        let (client, bases, hooks, tickets, sent_at, retries, storms) = (
            client.clone(),
            bases.clone(),
            hooks.clone(),
            tickets.clone(),
            sent_at.clone(),
            retries.clone(),
            storms.clone(),
        );
        move |i: usize| {
            let (client, bases, hooks, tickets, sent_at, retries, storms) = (
                client.clone(),
                bases.clone(),
                hooks.clone(),
                tickets.clone(),
                sent_at.clone(),
                retries.clone(),
                storms.clone(),
            );
            async move {
                let t = &tickets[i];
                let key = format!("{KEY_PREFIX}{}", t.id);
                let body = hooks.body(t, &key);
                sent_at.lock().unwrap()[i] = Some(Instant::now());
                let delivery = format!("replay-{}-{}", std::process::id(), t.id);
                let sent = webhook::deliver(&client, &bases, body, &delivery, i).await;
                retries.fetch_add(sent.attempts as usize - 1, Ordering::Relaxed);
                if edits == 0 {
                    return;
                }
                // the storm runs beside the sender, so it does not slow the creates down
                let storm = tokio::spawn(async move {
                    let t = &tickets[i];
                    let gap = Duration::from_millis(900 / edits as u64);
                    for k in 1..=edits {
                        tokio::time::sleep(gap).await;
                        let body = hooks.edit_body(t, &key, k);
                        let delivery = format!("replay-{}-{}-e{k}", std::process::id(), t.id);
                        let sent = webhook::deliver(&client, &bases, body, &delivery, i + k).await;
                        retries.fetch_add(sent.attempts as usize - 1, Ordering::Relaxed);
                    }
                });
                storms.lock().unwrap().push(storm);
            }
        }
    };
    let mut senders = Vec::new();
    if a.rate > 0.0 {
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / a.rate));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        for i in 0..n {
            tick.tick().await;
            next.store(i + 1, Ordering::Relaxed);
            senders.push(tokio::spawn(send_one(i)));
        }
    } else {
        for _ in 0..a.concurrency {
            let (next, send_one) = (next.clone(), send_one.clone());
            senders.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        return;
                    }
                    send_one(i).await;
                }
            }));
        }
    }
    for s in senders {
        s.await.expect("sender");
    }
    let storms: Vec<_> = std::mem::take(&mut *storms.lock().unwrap());
    for s in storms {
        s.await.expect("edit storm");
    }
    let all_sent = started.elapsed().as_secs_f64();
    killer.await.expect("killer");

    // Wait for every ticket's comment (a job caught by a kill waits out its lease first).
    let keys: Vec<String> = tickets
        .iter()
        .map(|t| format!("{KEY_PREFIX}{}", t.id))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let done = {
            let r = recorder.lock().unwrap();
            keys.iter().filter(|k| r.comments.contains_key(*k)).count()
        };
        if done == n || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Then for the queue to drain (the edits' jobs run after their settle time), read off
    // the service's own metrics.
    let drained_after = loop {
        let mut busy = 0i64;
        for base in bases.iter() {
            if let Ok(r) = client.get(format!("{base}/metrics")).send().await {
                let text = r.text().await.unwrap_or_default();
                busy += text
                    .lines()
                    .filter(|l| {
                        l.starts_with(r#"ticketlens_jobs{state="queued"}"#)
                            || l.starts_with(r#"ticketlens_jobs{state="running"}"#)
                    })
                    .filter_map(|l| l.rsplit(' ').next()?.parse::<i64>().ok())
                    .sum::<i64>();
            }
        }
        if busy == 0 || Instant::now() > deadline {
            break started.elapsed().as_secs_f64();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!("queue drained (edits included) after {drained_after:.2} s");
    // Let stragglers (a second comment, an update) arrive before counting.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let peaks: Vec<f64> = {
        let mut v = Vec::new();
        for s in &services {
            v.push(s.lock().await.peak_mib());
        }
        v
    };
    for s in &services {
        s.lock().await.kill();
    }

    report::report(
        &a, &tickets, &queries, &keys, &recorder, &sent_at, started, all_sent,
    );
    println!(
        "peak memory (VmHWM) per process slot: {}; webhook retries {}",
        peaks
            .iter()
            .map(|p| format!("{p:.0} MiB"))
            .collect::<Vec<_>>()
            .join(", "),
        retries.load(Ordering::Relaxed)
    );
    if a.keep {
        println!("work directory kept: {}", dir.keep().display());
    }
    if let Some((admin, name)) = &setup.pg_database {
        service::psql(
            admin,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
    }
}
