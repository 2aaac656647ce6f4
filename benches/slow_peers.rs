//! One peer holding thousands of slow connections (a request head that never ends; closed
//! ones are opened again at once) while another peer asks `/healthz`: how long the other
//! waits. The real server, in this process, on loopback: the attacker connects from
//! 127.0.0.1, the prober from 127.0.0.2 (Linux routes all of 127/8 to loopback).
//!
//! ```sh
//! cargo bench --bench slow_peers -- [--connections 2500] [--samples 200] [--cap 256]
//!     [--seconds 20] [--reconnect-ms 1000]
//! ```
//!
//! `--cap` is `[server] max_connections_per_peer` (0: no per-peer cap, the behaviour before
//! it existed); `max_connections` stays at its default (1,024). Target: every `/healthz`
//! answered within 100 ms.

#[path = "support/args.rs"]
mod args;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ticketlens::config::{Secret, Settings};
use ticketlens::startup::Application;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the attacking peer managed.
#[derive(Default)]
struct Attack {
    /// Connections open right now (connected, head half sent, not yet closed by the server).
    open: AtomicU64,
    /// Connections the server closed on it.
    closed: AtomicU64,
    /// Connects that failed outright (refused, timed out).
    failed: AtomicU64,
}

/// One slow client: connects, sends half a request head and then a byte a second, and when
/// the server closes the connection opens another after `pause` (as slowloris does), until
/// `until`.
async fn slow_client(to: SocketAddr, attack: Arc<Attack>, until: Instant, pause: Duration) {
    let mut first = true;
    while Instant::now() < until {
        if !first {
            tokio::time::sleep(pause).await;
        }
        first = false;
        let sock = tokio::net::TcpSocket::new_v4().expect("socket");
        let _ = sock.bind("127.0.0.1:0".parse().unwrap());
        let left = until.saturating_duration_since(Instant::now());
        let mut s = match tokio::time::timeout(left, sock.connect(to)).await {
            Ok(Ok(s)) => s,
            _ => {
                attack.failed.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .is_err()
        {
            attack.closed.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        attack.open.fetch_add(1, Ordering::Relaxed);
        let mut buf = [0u8; 256];
        // a byte a second, never the end of the head, until the server hangs up
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match tokio::time::timeout(left.min(Duration::from_secs(1)), s.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(_)) => continue,
                Err(_) => {
                    if s.write_all(b"a").await.is_err() {
                        break;
                    }
                }
            }
        }
        attack.open.fetch_sub(1, Ordering::Relaxed);
        attack.closed.fetch_add(1, Ordering::Relaxed);
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let connections: usize = args::arg("--connections", "2500").parse()?;
    let samples: usize = args::arg("--samples", "200").parse()?;
    let cap: usize = args::arg("--cap", "256").parse()?;
    let seconds: u64 = args::arg("--seconds", "20").parse()?;
    let pause = Duration::from_millis(args::arg("--reconnect-ms", "1000").parse()?);
    let dir = tempfile::tempdir()?;
    let mut s = Settings::from_toml("")?;
    s.server.listen = "127.0.0.1:0".parse()?;
    s.server.max_connections_per_peer = cap;
    s.database.url = Secret::new(format!("sqlite://{}", dir.path().join("b.db").display()));
    s.codeindex.index_dir = dir.path().join("index");
    s.log.level = "error".into();
    let max_connections = s.server.max_connections;
    let head_timeout = s.server.request_head_timeout_ms;
    let app = Application::build(s).await?;
    let to: SocketAddr = format!("127.0.0.1:{}", app.port()).parse()?;
    let shutdown = app.shutdown_token();
    let server = tokio::spawn(app.run_until_stopped());

    let attack = Arc::new(Attack::default());
    let until = Instant::now() + Duration::from_secs(seconds);
    let clients: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(slow_client(to, attack.clone(), until, pause)))
        .collect();
    // let the attacker open what it can
    tokio::time::sleep(Duration::from_secs(2)).await;

    let prober = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse()?))
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(35))
        .build()?;
    let mut times = Vec::with_capacity(samples);
    let mut failures = 0;
    let mut open_seen = Vec::with_capacity(samples);
    let gap = Duration::from_secs(seconds.saturating_sub(3).max(1)) / samples.max(1) as u32;
    for _ in 0..samples {
        if Instant::now() + Duration::from_millis(500) > until {
            break;
        }
        open_seen.push(attack.open.load(Ordering::Relaxed));
        let t = Instant::now();
        match prober.get(format!("http://{to}/healthz")).send().await {
            Ok(r) if r.status().is_success() => times.push(t.elapsed().as_secs_f64() * 1000.0),
            _ => failures += 1,
        }
        tokio::time::sleep(gap).await;
    }
    for c in clients {
        c.abort();
    }
    shutdown.cancel();
    let _ = server.await;

    times.sort_by(f64::total_cmp);
    open_seen.sort_unstable();
    println!(
        "slow peer: {connections} connections from 127.0.0.1 for {seconds} s (a closed one \
         reopened after {} ms); max_connections {max_connections}, max_connections_per_peer \
         {cap}, request_head_timeout_ms {head_timeout}",
        pause.as_millis()
    );
    println!(
        "attacker: open connections while probing median {} max {}; closed by the server {}; \
         connects failed {}",
        open_seen.get(open_seen.len() / 2).copied().unwrap_or(0),
        open_seen.last().copied().unwrap_or(0),
        attack.closed.load(Ordering::Relaxed),
        attack.failed.load(Ordering::Relaxed),
    );
    println!(
        "/healthz from 127.0.0.2: {} answered, {} failed; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
         within 100 ms: {}/{}",
        times.len(),
        failures,
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(f64::NAN),
        times.iter().filter(|t| **t <= 100.0).count(),
        times.len() + failures,
    );
    Ok(())
}
