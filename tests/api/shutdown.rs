//! The real binary under SIGTERM: no job is lost and none is left leased.

use crate::helpers::*;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use ticketlens::store::{JobState, Store};

fn start_serve(db_url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ticketlens"))
        .arg("serve")
        .env("TICKETLENS_DATABASE__URL", db_url)
        .env("TICKETLENS_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("TICKETLENS_JIRA__WEBHOOK_SECRET", JIRA_SECRET)
        .env("TICKETLENS_QUEUE__WORKERS", "2")
        .env("TICKETLENS_SERVER__SHUTDOWN_GRACE_SECS", "5")
        .env("TICKETLENS_LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary starts")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_healthy(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .map(|r| r.status() != 200)
        .unwrap_or(true)
    {
        assert!(Instant::now() < deadline, "server did not become ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn state_counts(store: &Store) -> (i64, i64, i64) {
    let counts = store.job_counts().await.unwrap();
    let get = |st: JobState| counts.iter().find(|(s, _)| *s == st).unwrap().1;
    (
        get(JobState::Queued),
        get(JobState::Running),
        get(JobState::Done),
    )
}

async fn sigterm_while_jobs_run_loses_no_job_and_leaves_none_leased(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = start_serve(&db.url, port);
    let client = reqwest::Client::new();
    wait_healthy(&client, &base).await;

    let fixture = std::fs::read(fixtures_dir().join("jira/zulip-issue_created.json")).unwrap();
    let template = String::from_utf8(fixture).unwrap();
    let total = 600;
    let bodies: Vec<Vec<u8>> = (0..total)
        .map(|n| {
            // Distinct tickets so each webhook is its own job.
            template
                .replace("\"BUG-15\"", &format!("\"BUG-{}\"", 1000 + n))
                .replace("\"10400\"", &format!("\"{}\"", 50_000 + n))
                .into_bytes()
        })
        .collect();
    for (c, chunk) in bodies.chunks(100).enumerate() {
        let posts = chunk.iter().enumerate().map(|(i, body)| {
            let headers = jira_headers(body, &format!("sig-{c}-{i}"));
            let mut req = client
                .post(format!("{base}/webhooks/jira"))
                .header("content-type", "application/json")
                .body(body.clone());
            for (k, v) in headers {
                req = req.header(k, v);
            }
            req.send()
        });
        for r in futures::future::join_all(posts).await {
            assert_eq!(r.unwrap().status(), 202);
        }
    }
    let (queued_at_stop, _, done_at_stop) = state_counts(&store).await;
    eprintln!("{backend:?}: SIGTERM with {done_at_stop} done and {queued_at_stop} queued");
    assert!(
        done_at_stop < total,
        "{backend:?}: the signal must arrive while work remains"
    );
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{backend:?}: graceful exit, got {status}");
    let (queued, running, done) = state_counts(&store).await;
    assert_eq!(running, 0, "{backend:?}: no job left leased");
    assert_eq!(
        queued + done,
        total,
        "{backend:?}: every accepted job is still there"
    );

    // A second process picks the rest up at once and finishes them.
    let mut child = start_serve(&db.url, port);
    wait_healthy(&client, &base).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while state_counts(&store).await.2 < total {
        assert!(
            Instant::now() < deadline,
            "{backend:?}: jobs not finished after restart"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    let (queued, running, done) = state_counts(&store).await;
    assert_eq!((queued, running, done), (0, 0, total), "{backend:?}");
    store.close().await;
}
crate::both_backends!(sigterm_while_jobs_run_loses_no_job_and_leaves_none_leased);

/// A handler whose every job holds a blocking thread for 30 s: an analysis that will not end.
struct Stuck;

impl ticketlens::worker::JobHandler for Stuck {
    fn handle<'a>(
        &'a self,
        _job: &'a ticketlens::store::Job,
    ) -> futures::future::BoxFuture<'a, Result<(), ticketlens::worker::JobError>> {
        Box::pin(async {
            let _ =
                tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_secs(30))).await;
            Ok(())
        })
    }
}

async fn post_created(app: &TestApp, delivery: &str) {
    let body =
        std::fs::read(fixtures_dir().join("jira/mattermost-webhook-issue-created.json")).unwrap();
    let r = app
        .post_webhook("jira", body.clone(), &jira_headers(&body, delivery))
        .await;
    assert_eq!(r.status(), 202);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shutdown_during_a_job_that_never_ends_is_bounded_and_counts_the_attempt() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |s| {
            s.server.shutdown_grace_secs = 1;
            s.queue.max_attempts = 3;
        },
        Some(std::sync::Arc::new(Stuck)),
    )
    .await;
    let store = app.store.clone();
    post_created(&app, "stuck").await;
    crate::helpers::wait_for(|| async { (state_counts(&store).await.1 == 1).then_some(()) }).await;
    let started = Instant::now();
    let db = app.stop().await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(4),
        "stopped after {took:?} with a 1 s grace"
    );
    let store = db.store().await;
    let job = store.list_jobs(JobState::Queued, 10).await.unwrap();
    assert_eq!(job.len(), 1, "the job is queued again, not lost");
    assert_eq!(job[0].attempts, 1, "the interrupted attempt counts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_job_past_its_deadline_fails_and_ends_dead_with_the_reason() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |s| {
            s.queue.job_timeout_secs = 1;
            s.queue.max_attempts = 2;
            s.queue.backoff_base_ms = 10;
            s.server.shutdown_grace_secs = 1;
        },
        Some(std::sync::Arc::new(Stuck)),
    )
    .await;
    post_created(&app, "slow").await;
    let store = app.store.clone();
    let dead = crate::helpers::wait_for(|| async {
        let dead = store.list_jobs(JobState::Dead, 10).await.unwrap();
        (!dead.is_empty()).then_some(dead)
    })
    .await;
    assert_eq!(dead[0].attempts, 2);
    let error = dead[0].last_error.as_deref().unwrap_or_default();
    assert!(error.contains("timed out after 1 s"), "{error}");
    app.stop().await;
}
