//! Pathological ticket texts through the real server (not run in CI): for each case, the
//! time of `POST /api/v1/analyze` with it, the time from its signed Jira webhook to its
//! finished (dry-run) comment, the time of a one-line ticket filed right after it, and the
//! process's peak RSS during the case (reset between cases through `/proc/self/clear_refs`).
//!
//! ```sh
//! cargo bench --bench hostile -- [--repo PATH] [--cases dotted,identifiers,…] [--timeout 120]
//!     [--kb 900]
//! ```
//!
//! `--repo` is the repository indexed for the analyses (default: this checkout, a few hundred
//! files with their history); `--kb` sizes the cases' text (the frame and line counts stay).
//! Target: under 1 s per case on a 2-core machine.

#[path = "support/hostile_cases.rs"]
mod cases;

use std::time::{Duration, Instant};
use ticketlens::startup::Application;
use ticketlens::store::Store;

const SECRET: &str = "bench-secret";

#[path = "support/args.rs"]
mod args;
#[path = "support/server.rs"]
mod server;

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Resets the peak RSS (`VmHWM`) to the current RSS (Linux ≥ 4.0).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn sign(body: &[u8]) -> String {
    format!(
        "sha256={}",
        ticketlens::trackers::signature::hex_hmac(SECRET.as_bytes(), body)
    )
}

async fn post_ticket(client: &reqwest::Client, base: &str, body: Vec<u8>, delivery: &str) -> u16 {
    client
        .post(format!("{base}/webhooks/jira"))
        .header("content-type", "application/json")
        .header("X-Hub-Signature", sign(&body))
        .header("X-Atlassian-Webhook-Identifier", delivery)
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

/// Waits until the ticket's comment is rendered (dry run); `None` past the timeout.
async fn until_commented(
    store: &Store,
    id: &str,
    since: Instant,
    timeout: Duration,
) -> Option<f64> {
    loop {
        let done = store
            .comment("jira", id)
            .await
            .ok()
            .flatten()
            .is_some_and(|c| c.state.as_str() == "dry_run");
        if done {
            return Some(since.elapsed().as_secs_f64());
        }
        if since.elapsed() > timeout {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn secs(v: Option<f64>, timeout: Duration) -> String {
    v.map_or(format!(">{}s", timeout.as_secs()), |s| format!("{s:.3}s"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let repo = args::arg("--repo", env!("CARGO_MANIFEST_DIR"));
    let wanted = args::arg("--cases", "all");
    let timeout = Duration::from_secs(args::arg("--timeout", "120").parse()?);
    let text_kb: usize = args::arg("--kb", &(cases::TEXT_BYTES / 1024).to_string()).parse()?;
    let dir = tempfile::tempdir()?;
    let (s, db) = server::settings(dir.path(), "app", &repo, SECRET)?;
    let max_body = s.server.max_body_bytes;
    let app = Application::build(s).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let shutdown = app.shutdown_token();
    let server = tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder().timeout(timeout).build()?;
    let store = Store::connect(&db, 2).await?;
    let started = Instant::now();
    loop {
        let ready: serde_json::Value = client
            .get(format!("{base}/readyz"))
            .send()
            .await?
            .json()
            .await?;
        if ready["checks"]["code_index"] == "ok" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let repos: serde_json::Value = client
        .get(format!("{base}/api/v1/repositories"))
        .send()
        .await?
        .json()
        .await?;
    println!(
        "indexed {repo} ({} files) in {:.1}s; body limit {max_body} bytes; RSS at start {} MB\n",
        repos["repositories"][0]["files"],
        started.elapsed().as_secs_f64(),
        status_kb("VmRSS:") / 1024,
    );
    println!(
        "{:<14} {:>9} {:>9} {:>11} {:>10} {:>10} {:>10}",
        "case", "bytes", "analyze", "webhook→job", "one-line", "peak RSS", "RSS after"
    );
    for (n, case) in cases::sized(max_body, text_kb * 1024)
        .into_iter()
        .enumerate()
    {
        if wanted != "all" && !wanted.split(',').any(|w| w == case.name) {
            continue;
        }
        reset_peak();
        let before = status_kb("VmRSS:");
        let t = Instant::now();
        let analyze = client
            .post(format!("{base}/api/v1/analyze"))
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&serde_json::json!({
                "title": case.title, "body": case.text,
            }))?)
            .send()
            .await;
        let analyze = match analyze {
            Ok(r) if r.status().is_success() => format!("{:.3}s", t.elapsed().as_secs_f64()),
            Ok(r) => format!("HTTP {}", r.status().as_u16()),
            Err(_) => format!(">{}s", timeout.as_secs()),
        };
        let id = 1000 + n as u64 * 2;
        let hook = case.webhook(id);
        let bytes = hook.len();
        let t = Instant::now();
        let status = post_ticket(&client, &base, hook, &format!("bench-{id}")).await;
        let job = if status == 202 {
            secs(
                until_commented(&store, &id.to_string(), t, timeout).await,
                timeout,
            )
        } else {
            format!("HTTP {status}")
        };
        let small = cases::one_line(id + 1);
        let t = Instant::now();
        post_ticket(&client, &base, small, &format!("bench-{}", id + 1)).await;
        let one_line = secs(
            until_commented(&store, &(id + 1).to_string(), t, timeout).await,
            timeout,
        );
        println!(
            "{:<14} {:>9} {:>9} {:>11} {:>10} {:>7} MB {:>7} MB",
            case.name,
            bytes,
            analyze,
            job,
            one_line,
            status_kb("VmHWM:").max(before) / 1024,
            status_kb("VmRSS:") / 1024,
        );
    }
    shutdown.cancel();
    let _ = server.await;
    Ok(())
}
