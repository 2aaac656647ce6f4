//! Server time of each web page on a real repository (not run in CI): indexes and mines the
//! repository, files a few tickets through signed Jira webhooks, then requests each page
//! `--n` times and reports the `Server-Timing` the server measured (p50, p99, max) and the
//! client's wall time.
//!
//! ```sh
//! cargo bench --bench web_pages -- [--repo PATH] [--n 50]
//! ```
//!
//! Target: each page under 200 ms of server time on a Tomcat-size repository.

#[path = "support/args.rs"]
mod args;
#[path = "support/server.rs"]
mod server;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use ticketlens::startup::Application;

const SECRET: &str = "bench-secret";

/// Tickets filed before measuring (title, body): generic enough for any Java or Rust code.
const TICKETS: &[(&str, &str)] = &[
    (
        "Connection leak when the TLS handshake fails",
        "Sockets stay open after an SSLHandshakeException in the endpoint; file descriptors run out.",
    ),
    (
        "Sessions are lost on restart",
        "On shutdown the session manager fails to unload with NotSerializableException.",
    ),
    (
        "Request headers larger than 8 kB are rejected",
        "A large cookie header makes the parser answer 400 Bad Request.",
    ),
];

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn json_of(client: &reqwest::Client, url: &str) -> anyhow::Result<Value> {
    Ok(client.get(url).send().await?.json().await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let repo = args::arg("--repo", env!("CARGO_MANIFEST_DIR"));
    let n: usize = args::arg("--n", "50").parse()?;
    let dir = tempfile::tempdir()?;
    let (s, _) = server::settings(dir.path(), "repo", &repo, SECRET)?;
    let app = Application::build(s).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let shutdown = app.shutdown_token();
    let server = tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()?;
    let started = Instant::now();
    let overview = loop {
        let v = json_of(
            &client,
            &format!("{base}/api/v1/repositories/repo/overview"),
        )
        .await;
        if let Ok(v) = v.as_ref() {
            if v["modules"].as_array().is_some_and(|m| !m.is_empty()) {
                break v.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    println!(
        "{repo}: {} modules scored after {:.0} s",
        overview["modules"].as_array().map_or(0, Vec::len),
        started.elapsed().as_secs_f64()
    );

    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fixtures/webhooks/jira/mattermost-webhook-issue-created.json");
    let template: Value = serde_json::from_slice(&std::fs::read(fixture)?)?;
    let mut keys = Vec::new();
    for (i, (title, body)) in TICKETS.iter().enumerate() {
        let mut t = template.clone();
        let key = format!("BENCH-{}", i + 1);
        t["issue"]["key"] = json!(key);
        t["issue"]["id"] = json!(format!("{}", 70_000 + i));
        t["issue"]["fields"]["summary"] = json!(title);
        t["issue"]["fields"]["description"] = json!(body);
        let raw = serde_json::to_vec(&t)?;
        let sig = ticketlens::trackers::signature::hex_hmac(SECRET.as_bytes(), &raw);
        client
            .post(format!("{base}/webhooks/jira"))
            .header("content-type", "application/json")
            .header("X-Hub-Signature", format!("sha256={sig}"))
            .header("X-Atlassian-Webhook-Identifier", format!("bench-{i}"))
            .body(raw)
            .send()
            .await?;
        keys.push(key);
    }
    for key in &keys {
        loop {
            let v = json_of(&client, &format!("{base}/api/v1/tickets/jira/{key}")).await?;
            if !v["analysis"].is_null() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    let top = overview["modules"][0]["id"].as_str().unwrap_or_default();
    let pages = [
        ("overview", "/".to_string()),
        ("module", format!("/modules/{top}")),
        ("ticket", format!("/tickets/jira/{}", keys[0])),
        (
            "analyze",
            format!(
                "/analyze?title={}",
                url::form_urlencoded::byte_serialize(TICKETS[0].0.as_bytes()).collect::<String>()
            ),
        ),
    ];
    println!(
        "\n{:<10} {:>10} {:>10} {:>10} {:>12} {:>8}",
        "page", "p50 ms", "p99 ms", "max ms", "wall p50 ms", "KB"
    );
    for (name, path) in pages {
        let mut server_ms = Vec::with_capacity(n);
        let mut wall_ms = Vec::with_capacity(n);
        let mut bytes = 0;
        for _ in 0..n {
            let t = Instant::now();
            let r = client.get(format!("{base}{path}")).send().await?;
            anyhow::ensure!(r.status() == 200, "{path} answered {}", r.status());
            let timing = r
                .headers()
                .get("server-timing")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("app;dur="))
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(f64::NAN);
            bytes = r.bytes().await?.len();
            wall_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            server_ms.push(timing);
        }
        server_ms.sort_by(f64::total_cmp);
        wall_ms.sort_by(f64::total_cmp);
        println!(
            "{name:<10} {:>10.1} {:>10.1} {:>10.1} {:>12.1} {:>8}",
            pct(&server_ms, 0.5),
            pct(&server_ms, 0.99),
            server_ms.last().copied().unwrap_or(0.0),
            pct(&wall_ms, 0.5),
            bytes / 1024
        );
    }
    shutdown.cancel();
    server.await??;
    Ok(())
}
