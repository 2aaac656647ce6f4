//! Operators retrying dead jobs in bulk (`POST /api/v1/jobs/retry`): by state and error text,
//! with an operator token only.

use crate::helpers::*;
use serde_json::{json, Value};
use ticketlens::config::{Secret, Settings};
use ticketlens::store::JobState;

#[tokio::test]
async fn dead_jobs_are_retried_in_bulk_by_error() {
    let tweak = |s: &mut Settings| {
        s.queue.max_attempts = 1;
        s.api.operator_tokens = vec![Secret::new("op")];
        s.api.read_tokens = vec![Secret::new("reader")];
    };
    let app = spawn_app_with(Backend::Sqlite, tweak, None).await;
    crate::db::insert_dead_jobs(
        &app.store,
        &[
            ("x", "tracker: tracker answered 502: bad gateway"),
            ("y", "unreadable payload"),
        ],
    )
    .await;
    let retry = |body: Value, token: &'static str| {
        let app = &app;
        async move { app.api_as(token).retry_jobs(&body).await }
    };
    let r = retry(
        json!({ "state": "dead", "error_contains": "502" }),
        "reader",
    )
    .await;
    assert_eq!(r.status(), 403, "a read token may not retry");
    let r = retry(json!({ "state": "running" }), "op").await;
    assert_eq!(r.status(), 400);
    let r = retry(
        json!({ "state": "dead", "error_contains": "BAD GATEWAY" }),
        "op",
    )
    .await;
    assert_eq!(r.status(), 202);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["queued"], 1, "only the matching job");
    // the 502 job left `dead` (a worker may already have run it again and, its payload
    // being unreadable, buried it anew: then its error is no longer the 502)
    let (state, error) = crate::db::job_state(&app.store, "x").await;
    assert!(
        state != "dead" || !error.contains("502"),
        "the 502 job left dead: {state} {error}"
    );
    let dead = app.store.list_jobs(JobState::Dead, 10).await.unwrap();
    assert!(
        dead.iter()
            .any(|j| j.payload == "y" && j.last_error.as_deref() == Some("unreadable payload")),
        "the other job stays dead as it was"
    );
    let r = retry(json!({ "state": "dead" }), "op").await;
    let v: Value = r.json().await.unwrap();
    assert!(
        v["queued"].as_u64().unwrap() >= 1,
        "every dead job without a filter: {v}"
    );
    app.stop().await;
}
