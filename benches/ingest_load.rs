//! Webhook ingest load benchmark: the real `ticketlens serve` process (SQLite or PostgreSQL)
//! against a bare actix endpoint that answers 202 without storing, driven by the same
//! load generator in the same run.
//!
//! ```sh
//! cargo bench --bench ingest_load -- [--backend sqlite|postgres|both] [--seconds 10]
//!     [--concurrency 64] [--rate 1000] [--repo /work/.mirror/apache+tomcat/repo]
//! ```
//!
//! With `--repo`, one more SQLite process is started with that repository configured, and
//! its open-loop latency is measured at once, while it indexes the code and mines the
//! history for the first time, beside the idle process's.
//!
//! Every request is a real Jira fixture body made unique (ticket key and id), signed with
//! HMAC-SHA256 and sent with its own delivery id. Reported per target: accepted webhooks/s
//! under closed-loop load, and p50/p99 latency under an open-loop fixed rate.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "bench-secret";

struct Args {
    backend: String,
    seconds: u64,
    concurrency: usize,
    rate: u64,
    repo: Option<String>,
}

fn parse_args() -> Args {
    let mut a = Args {
        backend: "both".into(),
        seconds: 10,
        concurrency: 64,
        rate: 1000,
        repo: None,
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < argv.len() {
        let val = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--backend" => a.backend = val,
            "--seconds" => a.seconds = val.parse().expect("--seconds N"),
            "--concurrency" => a.concurrency = val.parse().expect("--concurrency N"),
            "--rate" => a.rate = val.parse().expect("--rate N"),
            "--repo" => a.repo = Some(val),
            "--bare-server" => {
                bare_server(val.parse().expect("port"));
                std::process::exit(0);
            }
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

/// The baseline: an actix endpoint that reads the body and answers 202, storing nothing.
fn bare_server(port: u16) {
    actix_web::rt::System::new().block_on(async move {
        actix_web::HttpServer::new(|| {
            actix_web::App::new().route(
                "/webhooks/{tracker}",
                actix_web::web::post().to(|_body: actix_web::web::Bytes| async {
                    actix_web::HttpResponse::Accepted().body("{\"status\":\"queued\"}")
                }),
            )
        })
        .bind(("127.0.0.1", port))
        .expect("bind")
        .run()
        .await
        .expect("bare server");
    });
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Target {
    name: String,
    child: Child,
    base: String,
    cleanup: Option<String>,
}

fn start_bare() -> Target {
    let port = free_port();
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--bare-server", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("bare server starts");
    Target {
        name: "bare actix 202 (no storage)".into(),
        child,
        base: format!("http://127.0.0.1:{port}"),
        cleanup: None,
    }
}

fn start_ticketlens(backend: &str, dir: &std::path::Path, repo: Option<&str>) -> Target {
    let port = free_port();
    let dir = &match repo {
        // its own database and indexes
        Some(_) => {
            let d = dir.join("with-repo");
            std::fs::create_dir_all(&d).unwrap();
            d
        }
        None => dir.to_path_buf(),
    };
    let (url, cleanup) = match backend {
        "sqlite" => (format!("sqlite://{}", dir.join("bench.db").display()), None),
        _ => {
            let admin = std::env::var("TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("tl_bench_{}", std::process::id());
            psql(&admin, &format!("CREATE DATABASE {name}"));
            let base = admin.rsplit_once('/').unwrap().0;
            (format!("{base}/{name}"), Some(name))
        }
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ticketlens"));
    if let Some(repo) = repo {
        let config = dir.join("repo.toml");
        let toml = format!(
            "[codeindex]\nindex_dir = {:?}\n[[repositories]]\nname = \"bench\"\npath = {repo:?}\n",
            dir.join("index").display().to_string()
        );
        std::fs::write(&config, toml).unwrap();
        cmd.arg("--config").arg(config);
    }
    let child = cmd
        .arg("serve")
        .env("TICKETLENS_DATABASE__URL", &url)
        .env("TICKETLENS_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("TICKETLENS_JIRA__WEBHOOK_SECRET", SECRET)
        // Measure ingest alone: an ingest-only process, no workers competing for the writer.
        .env("TICKETLENS_QUEUE__WORKERS", "0")
        .env("TICKETLENS_LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ticketlens starts");
    let name = match repo {
        Some(_) => format!("ticketlens serve ({backend}, indexing+mining)"),
        None => format!("ticketlens serve ({backend}, durable)"),
    };
    Target {
        name,
        child,
        base: format!("http://127.0.0.1:{port}"),
        cleanup,
    }
}

fn psql(url: &str, sql: &str) {
    let ok = Command::new("psql")
        .args([url, "-qtAc", sql])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "psql failed: {sql}");
}

/// Makes the n-th unique signed webhook from the fixture.
fn request(template: &str, n: u64) -> (Vec<u8>, String, String) {
    let body = template
        .replace("\"BUG-15\"", &format!("\"BUG-{}\"", 100_000 + n))
        .replace("\"10400\"", &format!("\"{}\"", 900_000 + n))
        .into_bytes();
    let sig = ticketlens::trackers::signature::hex_hmac(SECRET.as_bytes(), &body);
    let delivery = format!("bench-{}-{n}", std::process::id());
    (body, format!("sha256={sig}"), delivery)
}

async fn post(client: &reqwest::Client, base: &str, template: &str, n: u64) -> bool {
    let (body, sig, delivery) = request(template, n);
    match client
        .post(format!("{base}/webhooks/jira"))
        .header("content-type", "application/json")
        .header("X-Hub-Signature", sig)
        .header("X-Atlassian-Webhook-Identifier", delivery)
        .body(body)
        .send()
        .await
    {
        Ok(r) => r.status() == 202,
        Err(_) => false,
    }
}

async fn wait_ready(client: &reqwest::Client, base: &str, template: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !post(client, base, template, u64::MAX - 1).await {
        assert!(Instant::now() < deadline, "{base} did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Closed loop: `concurrency` clients post back to back for `seconds`; returns accepted/s.
async fn throughput(
    base: &str,
    template: Arc<String>,
    concurrency: usize,
    seconds: u64,
) -> (f64, u64) {
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicU64::new(0));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let end = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, base, template) = (client.clone(), base.to_string(), template.clone());
            let (next, ok, failed) = (next.clone(), ok.clone(), failed.clone());
            tokio::spawn(async move {
                while Instant::now() < end {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if post(&client, &base, &template, n).await {
                        ok.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    (
        ok.load(Ordering::Relaxed) as f64 / secs,
        failed.load(Ordering::Relaxed),
    )
}

/// Open loop at a fixed rate: returns (p50 ms, p99 ms, failures).
async fn latency(
    base: &str,
    template: Arc<String>,
    rate: u64,
    seconds: u64,
    offset: u64,
) -> (f64, f64, u64) {
    let client = reqwest::Client::new();
    let mut tick = tokio::time::interval(Duration::from_nanos(1_000_000_000 / rate.max(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut handles = Vec::new();
    for n in 0..rate * seconds {
        tick.tick().await;
        let (client, base, template) = (client.clone(), base.to_string(), template.clone());
        handles.push(tokio::spawn(async move {
            let t = Instant::now();
            let ok = post(&client, &base, &template, offset + n).await;
            (t.elapsed().as_secs_f64() * 1000.0, ok)
        }));
    }
    let mut lat = Vec::new();
    let mut failed = 0;
    for h in handles {
        let (ms, ok) = h.await.unwrap();
        if ok {
            lat.push(ms);
        } else {
            failed += 1;
        }
    }
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    (pct(0.50), pct(0.99), failed)
}

fn main() {
    let args = parse_args();
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(run(args));
}

/// Kills the servers even when a measurement panics.
struct Reaper(Vec<u32>);

impl Drop for Reaper {
    fn drop(&mut self) {
        for pid in &self.0 {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

async fn run(args: Args) {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fixtures/webhooks/jira/zulip-issue_created.json"
    );
    let template =
        Arc::new(std::fs::read_to_string(fixture).unwrap_or_else(|e| panic!("{fixture}: {e}")));
    let dir = tempfile::tempdir().unwrap();
    let backends: Vec<&str> = match args.backend.as_str() {
        "both" => vec!["sqlite", "postgres"],
        b => vec![b],
    };
    let mut targets = vec![start_bare()];
    for b in &backends {
        targets.push(start_ticketlens(b, dir.path(), None));
    }
    if let Some(repo) = &args.repo {
        targets.push(start_ticketlens("sqlite", dir.path(), Some(repo)));
    }
    let _reaper = Reaper(targets.iter().map(|t| t.child.id()).collect());
    println!(
        "ingest_load: {} s closed loop at concurrency {}, then {} s open loop at {} req/s",
        args.seconds, args.concurrency, args.seconds, args.rate
    );
    let mut bare_rps = None;
    for (i, t) in targets.iter_mut().enumerate() {
        let client = reqwest::Client::new();
        wait_ready(&client, &t.base, &template).await;
        let offset = 10_000_000 * (i as u64 + 1);
        let busy = t.name.contains("mining");
        // the process with a repository is measured first, while its first index and mine
        // run (they start with the process)
        let (p50, p99, lat_failed) = if busy {
            latency(&t.base, template.clone(), args.rate, args.seconds, offset).await
        } else {
            (0.0, 0.0, 0)
        };
        let (rps, failed) =
            throughput(&t.base, template.clone(), args.concurrency, args.seconds).await;
        let (p50, p99, lat_failed) = if busy {
            (p50, p99, lat_failed)
        } else {
            latency(&t.base, template.clone(), args.rate, args.seconds, offset).await
        };
        let share = bare_rps
            .map(|b: f64| format!(" ({:.0}% of bare)", 100.0 * rps / b))
            .unwrap_or_default();
        println!(
            "{:<40} accepted {:>8.0}/s{share}  failed {failed:>5} | at {} req/s: p50 {p50:.2} ms  p99 {p99:.2} ms  failed {lat_failed}",
            t.name, rps, args.rate
        );
        bare_rps.get_or_insert(rps);
        let _ = t.child.kill();
        let _ = t.child.wait();
        if let Some(name) = &t.cleanup {
            let admin = std::env::var("TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            psql(
                &admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}
