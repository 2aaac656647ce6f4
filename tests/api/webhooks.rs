//! Webhook ingestion on the real server with real payloads from `tests/data/fixtures/`.

use crate::helpers::*;
use serde_json::Value;
use std::collections::HashSet;
use ticketlens::ingest::event_from_payload;

fn read_fixture(tracker: &str, file: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(tracker).join(file)).expect("fixture exists")
}

fn signed(tracker: &str, body: &[u8], delivery: &str) -> (Vec<u8>, Vec<(String, String)>) {
    signed_file(tracker, "", body, delivery)
}

/// A fixture body with the headers its tracker sends; GitHub and GitLab name the event in a
/// header, which zulip's fixture names tell.
fn signed_file(
    tracker: &str,
    file: &str,
    body: &[u8],
    delivery: &str,
) -> (Vec<u8>, Vec<(String, String)>) {
    match tracker {
        "jira" => (body.to_vec(), jira_headers(body, delivery)),
        "github" => (
            body.to_vec(),
            github_headers(body, delivery, github_event_of(file)),
        ),
        "gitlab" => (
            body.to_vec(),
            gitlab_headers(delivery, gitlab_event_of(file)),
        ),
        _ => {
            let body = freshen_linear(body);
            let mut headers = linear_headers(&body, delivery);
            // Linear's SDK falls back to this header for bodies without webhookTimestamp.
            headers.push((
                "Linear-Timestamp".into(),
                ticketlens::store::now_ms().to_string(),
            ));
            (body, headers)
        }
    }
}

#[tokio::test]
async fn every_fixture_of_every_tracker_gets_its_expected_status_and_fields() {
    let expectations: Vec<Value> =
        serde_json::from_str(include_str!("../data/webhook_expectations.json"))
            .expect("expectations parse");
    let app = spawn_app(Backend::Sqlite).await;
    let mut files_on_disk = HashSet::new();
    for tracker in ["jira", "linear", "github", "gitlab"] {
        for entry in std::fs::read_dir(fixtures_dir().join(tracker)).unwrap() {
            files_on_disk.insert(format!(
                "{tracker}/{}",
                entry.unwrap().file_name().to_string_lossy()
            ));
        }
    }
    let covered: HashSet<String> = expectations
        .iter()
        .map(|e| {
            format!(
                "{}/{}",
                e["tracker"].as_str().unwrap(),
                e["file"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        covered, files_on_disk,
        "every fixture has exactly one expectation"
    );

    let mut seen_bodies = HashSet::new();
    for (n, e) in expectations.iter().enumerate() {
        let tracker = e["tracker"].as_str().unwrap();
        let file = e["file"].as_str().unwrap();
        let raw = read_fixture(tracker, file);
        let (body, headers) = signed_file(tracker, file, &raw, &format!("delivery-{n}"));
        let first_time = seen_bodies.insert(body.clone());
        let r = app.post_webhook(tracker, body, &headers).await;
        let status = r.status().as_u16();
        let got: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(
            status,
            e["status"].as_u64().unwrap() as u16,
            "{file}: {got}"
        );
        let outcome = e["outcome"].as_str().unwrap();
        if let Some(field) = outcome.strip_prefix("error:") {
            assert_eq!(got["error"]["code"], "bad_request", "{file}");
            assert_eq!(got["error"]["field"], field, "{file}: {got}");
            continue;
        }
        if !first_time {
            assert_eq!(
                got["status"], "duplicate",
                "{file}: identical body posted before"
            );
            continue;
        }
        if let Some(reason) = outcome.strip_prefix("ignored:") {
            assert_eq!(got["status"], "ignored", "{file}: {got}");
            assert_eq!(got["reason"], reason, "{file}");
            continue;
        }
        assert_eq!(got["status"], "queued", "{file}: {got}");
        assert_eq!(got["kind"], outcome, "{file}");
        let job_id = got["job_id"].as_i64().expect("job id");
        let job = app
            .store
            .job(job_id)
            .await
            .unwrap()
            .expect("job stored before 202");
        let event = event_from_payload(&job.payload).unwrap();
        assert_eq!(event.kind.as_str(), outcome, "{file}");
        assert_eq!(Some(event.key.as_str()), e["key"].as_str(), "{file}");
        assert_eq!(got["key"], e["key"], "{file}");
        if let Some(title) = e["title"].as_str() {
            assert_eq!(event.title, title, "{file}");
        }
        if let Some(label) = e["label"].as_str() {
            assert!(
                event.labels.iter().any(|l| l == label),
                "{file}: {:?}",
                event.labels
            );
        }
        if let Some(text) = e["body_contains"].as_str() {
            assert!(
                event.body.contains(text),
                "{file}: {:?} lacks {text:?}",
                event.body
            );
        }
    }
    app.stop().await;
}

async fn redelivery_storm_of_50_concurrent_posts_creates_exactly_one_job(backend: Backend) {
    let app = spawn_app(backend).await;
    let raw = read_fixture("jira", "zulip-issue_created.json");
    let headers = jira_headers(&raw, "storm-1");
    let posts = (0..50).map(|_| app.post_webhook("jira", raw.clone(), &headers));
    let answers = futures::future::join_all(posts).await;
    let mut statuses = Vec::new();
    for r in answers {
        assert_eq!(r.status(), 202);
        let v: Value = r.json().await.unwrap();
        statuses.push(v["status"].as_str().unwrap().to_string());
    }
    assert_eq!(
        statuses.iter().filter(|s| *s == "queued").count(),
        1,
        "{backend:?}"
    );
    assert_eq!(statuses.iter().filter(|s| *s == "duplicate").count(), 49);
    assert_eq!(count_jobs(&app.store).await, 1, "{backend:?}");
    // A retry with a new delivery id but the same bytes is the same webhook.
    let again = app
        .post_webhook("jira", raw.clone(), &jira_headers(&raw, "storm-2"))
        .await;
    let v: Value = again.json().await.unwrap();
    assert_eq!(v["status"], "duplicate");
    assert_eq!(count_jobs(&app.store).await, 1);
    app.stop().await;
}
crate::both_backends!(redelivery_storm_of_50_concurrent_posts_creates_exactly_one_job);

#[test]
fn flipping_any_byte_of_body_or_signature_gets_401() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(spawn_app(Backend::Sqlite));
    let jira = read_fixture("jira", "mattermost-webhook-issue-created.json");
    let linear = freshen_linear(&read_fixture("linear", "zulip-issue_create_complex.json"));
    let mut runner = TestRunner::new(Config::with_cases(64));
    let strategy = (
        any::<bool>(),
        any::<bool>(),
        any::<prop::sample::Index>(),
        1u8..=255,
    );
    runner
        .run(&strategy, |(is_jira, in_body, idx, mask)| {
            let (tracker, body) = if is_jira {
                ("jira", &jira)
            } else {
                ("linear", &linear)
            };
            let (mut body, mut headers) = signed(tracker, body, "flip");
            if in_body {
                let i = idx.index(body.len());
                body[i] ^= mask;
            } else {
                let sig = &mut headers[0].1;
                let start = if is_jira { "sha256=".len() } else { 0 };
                let i = start + idx.index(sig.len() - start);
                let mut bytes = sig.clone().into_bytes();
                bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
                *sig = String::from_utf8(bytes).unwrap();
            }
            let r = rt.block_on(app.post_webhook(tracker, body, &headers));
            prop_assert_eq!(r.status().as_u16(), 401);
            Ok(())
        })
        .unwrap();
    assert_eq!(rt.block_on(count_jobs(&app.store)), 0);
    rt.block_on(app.stop());
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_never_a_secret() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |s| s.server.max_body_bytes = 64 * 1024,
        None,
    )
    .await;
    // Oversized, declared length.
    let big = vec![b' '; 64 * 1024 + 1];
    let r = app
        .post_webhook("jira", big.clone(), &jira_headers(&big, "big"))
        .await;
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "payload_too_large");
    // Oversized, streamed without a length.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..65).map(|_| Ok(vec![b' '; 1024])).collect();
    let r = app
        .client
        .post(format!("{}/webhooks/jira", app.address))
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    // Not JSON.
    let junk = b"{not json".to_vec();
    let r = app
        .post_webhook("jira", junk.clone(), &jira_headers(&junk, "junk"))
        .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["field"], "body", "{v}");
    // A created event without the issue key names the field.
    let mut doc: Value =
        serde_json::from_slice(&read_fixture("jira", "zulip-issue_created.json")).unwrap();
    doc["issue"].as_object_mut().unwrap().remove("key");
    let body = serde_json::to_vec(&doc).unwrap();
    let r = app
        .post_webhook("jira", body.clone(), &jira_headers(&body, "nokey"))
        .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["field"], "issue.key", "{v}");
    // Wrong secret: 401 that does not echo either secret or the expected signature.
    let raw = read_fixture("jira", "zulip-issue_created.json");
    let sig = ticketlens::trackers::signature::hex_hmac(b"wrong", &raw);
    let expected = ticketlens::trackers::signature::hex_hmac(JIRA_SECRET.as_bytes(), &raw);
    let headers = vec![("X-Hub-Signature".to_string(), format!("sha256={sig}"))];
    let r = app.post_webhook("jira", raw.clone(), &headers).await;
    assert_eq!(r.status(), 401);
    let text = r.text().await.unwrap();
    assert!(
        !text.contains(JIRA_SECRET) && !text.contains(&expected),
        "{text}"
    );
    // Unknown tracker.
    let r = app.post_webhook("bugzilla", raw.clone(), &[]).await;
    assert_eq!(r.status(), 404);
    assert_eq!(count_jobs(&app.store).await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_stale_linear_timestamp_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let raw = read_fixture("linear", "zulip-issue_create_simple.json");
    let headers = linear_headers(&raw, "old");
    let r = app.post_webhook("linear", raw, &headers).await;
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("timestamp"),
        "{v}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_tracker_without_a_secret_is_refused_unless_unsigned_is_allowed() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.jira.webhook_secret = None, None).await;
    let raw = read_fixture("jira", "zulip-issue_created.json");
    let r = app.post_webhook("jira", raw.clone(), &[]).await;
    assert_eq!(r.status(), 401);
    app.stop().await;
    let app = spawn_app_with(
        Backend::Sqlite,
        |s| {
            s.jira.webhook_secret = None;
            s.jira.allow_unsigned = true;
        },
        None,
    )
    .await;
    let r = app.post_webhook("jira", raw, &[]).await;
    assert_eq!(r.status(), 202);
    app.stop().await;
}

#[tokio::test]
async fn a_created_ticket_is_stored_by_the_worker_and_a_deletion_marks_it() {
    let app = spawn_app(Backend::Postgres).await;
    let created = read_fixture("jira", "zulip-issue_created.json");
    let r = app
        .post_webhook("jira", created.clone(), &jira_headers(&created, "c1"))
        .await;
    assert_eq!(r.status(), 202);
    let ticket =
        wait_for(|| async { app.store.ticket_by_key("jira", "BUG-15").await.unwrap() }).await;
    assert_eq!(ticket.title, "New bug with hook");
    assert!(!ticket.deleted);
    let deleted = read_fixture("jira", "zulip-issue_deleted.json");
    let r = app
        .post_webhook("jira", deleted.clone(), &jira_headers(&deleted, "d1"))
        .await;
    assert_eq!(r.status(), 202);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["kind"].as_str(), v["key"].as_str()),
        (Some("deleted"), Some("BUG-15"))
    );
    wait_for(|| async {
        app.store
            .ticket_by_key("jira", "BUG-15")
            .await
            .unwrap()
            .filter(|t| t.deleted)
    })
    .await;
    app.stop().await;
}
