//! First runs settle by themselves: a repository is `ready` only once indexed and mined, and
//! a ticket analysed before that is analysed again when it is, its comment updated once.

use crate::analyze::build_repository;
use crate::fakes::FakeJira;
use crate::helpers::wait_for;
use crate::helpers::*;
use serde_json::{json, Value};
use std::time::Duration;
use wiremock::MockServer;

#[tokio::test]
async fn a_ticket_analysed_before_mining_is_updated_exactly_once_when_mining_completes() {
    let jira = MockServer::start().await;
    let fake = FakeJira::mount(&jira).await;
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    let _repo = build_repository(repo_dir.path());
    let repo = ticketlens::config::RepositorySettings {
        name: "app".into(),
        path: Some(repo_dir.path().to_path_buf()),
        ..Default::default()
    };
    let dir = index_dir.path().to_path_buf();
    let set_jira = crate::writeback::jira_cloud(&jira);
    let app = spawn_app_with(
        Backend::Sqlite,
        move |s| {
            set_jira(s);
            s.codeindex.index_dir = dir;
            s.codeindex.refresh_interval_secs = 1;
            s.repositories = vec![repo];
            s.queue.backoff_base_ms = 50;
        },
        None,
    )
    .await;
    // `ready` only once the history is mined too
    wait_for(|| async {
        let v: Value = app.get("/api/v1/repositories").await.json().await.ok()?;
        let r = &v["repositories"][0];
        if r["mined_commit"].is_null() {
            assert_ne!(r["state"], "ready", "ready before mining: {v}");
        }
        (r["state"] == "ready").then_some(())
    })
    .await;
    let comment = crate::analyze::comment_on_a_session_ticket(&app, "first").await;
    // the stored body appears with the create's intent, just before the create is sent
    wait_for(|| async { (fake.posts() >= 1).then_some(()) }).await;
    assert_eq!(fake.posts(), 1, "{comment}");
    // as if the analysis had run before the history was mined: it says which repository
    // it lacked, and the comment made then differs from what a full analysis writes
    let mut record = app.store.comment("jira", "10040").await.unwrap().unwrap();
    let mut analysis: Value = serde_json::from_str(&record.analysis).unwrap();
    analysis["pending_history"] = json!(["app"]);
    record.analysis = analysis.to_string();
    record.content_hash = "made before mining".into();
    app.store.save_comment(&record).await.unwrap();

    // the next refresh pass finds it (passes are slow when the whole suite runs at once)
    crate::helpers::wait_up_to(
        Duration::from_secs(30),
        "the update after mining",
        || async { (fake.puts() >= 1).then_some(()) },
    )
    .await;
    assert_eq!(fake.puts(), 1, "updated once the repository is mined");
    // several more refresh passes: no second update
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(fake.puts(), 1, "updated exactly once");
    assert_eq!(fake.posts(), 1);
    let after = app.store.comment("jira", "10040").await.unwrap().unwrap();
    assert!(
        !after.analysis.contains("pending_history"),
        "{}",
        after.analysis
    );
}
