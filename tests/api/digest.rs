//! The plan digest against a local fake Slack incoming webhook: one message per period,
//! a 500 tried again, a failure shown in `/readyz` and `/metrics` without the address, no
//! second message after a restart, and one message between two replicas on PostgreSQL.
//! The schedule's clock is moved a period on (`[digest]`'s test clock) rather than waited
//! for.

use crate::helpers::{spawn_app_over, test_settings, wait_for, Backend, TestApp, TestDb};
use serde_json::Value;
use std::time::Duration;
use ticketlens::config::{ClockOffset, DigestTarget, Secret, Settings};
use ticketlens::startup::Application;
use ticketlens::store::{DigestState, Store, PLAN_DIGEST};
use tokio_util::sync::CancellationToken;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Slack's incoming-webhook address shape (`/services/T…/B…/secret`).
const HOOK: &str = "/services/T0001/B0001/s3cr3tP4th";
const WEEK: i64 = 7 * 86_400_000;

/// A Slack incoming webhook as Slack describes it: a JSON POST with a `text` string,
/// answered `200 ok`.
async fn slack(fail_first: u64) -> MockServer {
    let server = MockServer::start().await;
    if fail_first > 0 {
        Mock::given(method("POST"))
            .and(path(HOOK))
            .respond_with(ResponseTemplate::new(500))
            .up_to_n_times(fail_first)
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path(HOOK))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .with_priority(2)
        .mount(&server)
        .await;
    server
}

/// The digest to `server`, checked every 20 ms, on `clock`.
fn digest_to(server: &MockServer, clock: &ClockOffset) -> impl Fn(&mut Settings) {
    let url = format!("{}{HOOK}", server.uri());
    let clock = clock.clone();
    move |s: &mut Settings| {
        s.digest.target = Some(DigestTarget::Slack);
        s.digest.url = Some(Secret::new(url.clone()));
        s.digest.check_interval_ms = 20;
        s.digest.retry_backoff_ms = 10;
        s.digest.clock_offset = clock.clone();
        s.web.public_url = Some("https://tl.example.com".into());
    }
}

/// A seeded database (the plan tests' release with a collision) before any app starts.
async fn seeded(backend: Backend) -> TestDb {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    crate::plan::seed_store(&store).await;
    store.close().await;
    db
}

async fn texts(server: &MockServer) -> Vec<String> {
    let reqs: Vec<Request> = server.received_requests().await.unwrap_or_default();
    reqs.iter()
        .filter(|r| r.url.path() == HOOK)
        .map(|r| {
            let v: Value = serde_json::from_slice(&r.body).expect("a JSON body");
            v["text"].as_str().expect("Slack's text").to_string()
        })
        .collect()
}

/// Waits until `n` messages have arrived; then lets the digest check many more times
/// before the count is read, so a second message for the period would be seen.
async fn messages(server: &MockServer, n: usize) -> Vec<String> {
    wait_for(|| async { (texts(server).await.len() >= n).then_some(()) }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    texts(server).await
}

async fn rows(store: &Store) -> Vec<ticketlens::store::DigestDelivery> {
    store.digest_deliveries(PLAN_DIGEST, 10).await.unwrap()
}

/// An app over a seeded database sending the digest to `server` on `clock` (at most 3
/// calls a period, the default).
async fn started(server: &MockServer, backend: Backend, clock: &ClockOffset) -> TestApp {
    spawn_app_over(seeded(backend).await, digest_to(server, clock), None).await
}

/// Waits for the first delivery row in `state`.
async fn settled(app: &TestApp, state: DigestState) -> ticketlens::store::DigestDelivery {
    wait_for(|| async {
        rows(&app.store)
            .await
            .into_iter()
            .find(|d| d.state == state)
    })
    .await
}

async fn metric(app: &TestApp, outcome: &str) -> u64 {
    let body = app.api().metrics().await.text().await.unwrap();
    let line = format!("ticketlens_digest_deliveries_total{{outcome=\"{outcome}\"}} ");
    body.lines()
        .find_map(|l| l.strip_prefix(&line))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {line} in /metrics"))
}

#[tokio::test]
async fn a_digest_is_sent_once_per_period_with_the_plans_findings_and_a_link() {
    let slack = slack(0).await;
    let clock = ClockOffset::default();
    let app = started(&slack, Backend::Sqlite, &clock).await;
    let first = messages(&slack, 1).await;
    assert_eq!(first.len(), 1, "{first:?}");
    let text = &first[0];
    assert!(text.contains("Release version1: 3 open tickets"), "{text}");
    assert!(
        text.contains("Collision: TES-1, TES-2 land in catalina/connector"),
        "{text}"
    );
    assert!(text.contains("Risky: TES-1 (urgent): lands in catalina/connector, one of the most fragile modules; Ann knows catalina/connector"), "{text}");
    assert!(
        text.contains("https://tl.example.com/plan?release=version1"),
        "{text}"
    );
    let ready: Value = app.api().readyz().await.json().await.unwrap();
    assert_eq!(ready["checks"]["digest"], "ok");

    clock.advance(WEEK);
    let both = messages(&slack, 2).await;
    assert_eq!(both.len(), 2, "one message for each of two periods");
    let r = rows(&app.store).await;
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].period_start - r[1].period_start, WEEK);
    assert!(r
        .iter()
        .all(|d| d.state == DigestState::Sent && d.attempts == 1));
    assert_eq!(metric(&app, "sent").await, 2);
    app.stop().await;
}

#[tokio::test]
async fn a_digest_answered_500_is_tried_again_and_recorded_as_sent() {
    let slack = slack(1).await;
    let app = started(&slack, Backend::Sqlite, &ClockOffset::default()).await;
    let row = settled(&app, DigestState::Sent).await;
    assert_eq!(row.attempts, 2);
    let both = messages(&slack, 2).await;
    assert_eq!(both.len(), 2, "the 500, then the one that was answered 200");
    assert_eq!(both[0], both[1], "the same message tried again");
    assert_eq!(metric(&app, "retried").await, 1);
    assert_eq!(metric(&app, "failed").await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_digest_that_keeps_failing_shows_in_readyz_and_metrics_without_its_address() {
    let slack = slack(10).await;
    let app = started(&slack, Backend::Sqlite, &ClockOffset::default()).await;
    let row = settled(&app, DigestState::Failed).await;
    assert_eq!(row.attempts, 3);
    let error = row.error.unwrap();
    assert_eq!(error, "the webhook answered 500");
    let ready = app.api().readyz().await;
    assert_eq!(ready.status(), 200, "a failed digest never holds readiness");
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["checks"]["digest"], "failed");
    assert!(!ready.to_string().contains("s3cr3t"));
    assert_eq!(metric(&app, "failed").await, 1);
    assert_eq!(metric(&app, "retried").await, 2);
    assert_eq!(slack.received_requests().await.unwrap().len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn a_restarted_app_does_not_send_the_period_again() {
    let slack = slack(0).await;
    let clock = ClockOffset::default();
    let app = started(&slack, Backend::Sqlite, &clock).await;
    assert_eq!(messages(&slack, 1).await.len(), 1);
    let db = app.stop().await;

    let again = spawn_app_over(db, digest_to(&slack, &clock), None).await;
    // the restarted app checks many times within the period, then in the next one
    tokio::time::sleep(Duration::from_millis(300)).await;
    clock.advance(WEEK);
    let all = messages(&slack, 2).await;
    assert_eq!(all.len(), 2, "the first period once, the next once");
    assert_eq!(rows(&again.store).await.len(), 2);
    again.stop().await;
}

/// Starts another replica over the app's database; returns its stop token and task.
async fn replica(
    db_url: &str,
    tweak: impl Fn(&mut Settings),
) -> (
    CancellationToken,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let mut s = test_settings(db_url);
    tweak(&mut s);
    let other = Application::build(s).await.unwrap();
    let stop = other.shutdown_token();
    (stop, tokio::spawn(other.run_until_stopped()))
}

#[tokio::test]
async fn two_replicas_on_one_postgresql_send_one_message_per_period_between_them() {
    let slack = slack(0).await;
    let clock = ClockOffset::default();
    let app = started(&slack, Backend::Postgres, &clock).await;
    let (stop, task) = replica(&app.db.url, digest_to(&slack, &clock)).await;
    assert_eq!(messages(&slack, 1).await.len(), 1);
    // both replicas reach the next period on the same tick of the shared clock
    clock.advance(WEEK);
    assert_eq!(messages(&slack, 2).await.len(), 2);
    assert_eq!(rows(&app.store).await.len(), 2);
    stop.cancel();
    task.await.unwrap().unwrap();
    app.stop().await;
}
