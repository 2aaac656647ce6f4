//! Liveness, readiness and metrics on the real server.

use crate::helpers::{spawn_app, Backend};

async fn health_readiness_and_metrics_answer_on_a_fresh_server(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.api().healthz().await;
    assert_eq!(r.status(), 200);
    let r = app.api().readyz().await;
    assert_eq!(r.status(), 200, "{backend:?}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["checks"]["database"], "ok");
    let r = app.get("/nope").await;
    assert_eq!(r.status(), 404);
    let err: serde_json::Value = r.json().await.unwrap();
    assert_eq!(err["error"]["code"], "not_found");

    // One webhook through the whole path, so the job metrics have something to show.
    let raw = std::fs::read(crate::helpers::fixtures_dir().join("jira/zulip-issue_created.json"))
        .unwrap();
    let r = app
        .post_webhook(
            "jira",
            raw.clone(),
            &crate::helpers::jira_headers(&raw, "m1"),
        )
        .await;
    assert_eq!(r.status(), 202);
    crate::helpers::wait_for(|| async { app.store.ticket_by_key("jira", "BUG-15").await.unwrap() })
        .await;
    // the job finishes after the ticket is stored (the ticket index comes next)
    crate::helpers::wait_for(|| async {
        let done = crate::helpers::jobs_in(&app.store, ticketlens::store::JobState::Done).await;
        (done == 1).then_some(())
    })
    .await;
    let r = app.api().metrics().await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(
        text.contains(
            r#"ticketlens_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
    assert!(
        text.contains(r#"ticketlens_jobs{state="queued"} 0"#),
        "{text}"
    );
    assert!(
        !text.contains(r#"ticketlens_jobs{state="done"}"#),
        "done jobs are counted by the duration histogram, never by scanning the table"
    );
    assert!(
        text.contains(
            r#"ticketlens_job_duration_seconds_count{kind="ticket_event",outcome="done"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"ticketlens_webhooks_total{outcome="queued",tracker="jira"} 1"#),
        "{text}"
    );
    app.stop().await;
}
crate::both_backends!(health_readiness_and_metrics_answer_on_a_fresh_server);

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app(Backend::Postgres).await;
    // Dropping the database under the running app: readiness must say so, liveness not.
    let name = app.db.url.rsplit('/').next().unwrap().to_string();
    let admin = ticketlens::store::Store::connect(&crate::helpers::postgres_admin_url(), 1)
        .await
        .unwrap();
    crate::db::drop_database(&admin, &name).await;
    let r = app.api().readyz().await;
    assert_eq!(r.status(), 503);
    assert_eq!(app.api().healthz().await.status(), 200);
    app.shutdown.cancel();
}
