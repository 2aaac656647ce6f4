//! Exactly one comment on GitHub and GitLab under the faults the Jira tests use: a create
//! the forge stores and then answers 500 (or stalls past the timeout), a redelivery, an edit
//! storm, a comment a person deleted; and rate limits. The fakes check every request
//! (GitHub's REST description; GitLab's documented notes API).

use crate::fakes::AfterStore;
use crate::forge_harness::Forge;
use crate::helpers::*;
use std::time::Duration;
use ticketlens::store::JobState;
use wiremock::MockServer;

async fn a_create_stored_then_answered_500_leaves_one_comment(tracker: &str, backend: Backend) {
    let server = MockServer::start().await;
    let forge = Forge::start(tracker, &server).await;
    forge.fail_next_create(AfterStore::Fail500);
    forge.add_human_comments(130);
    let app = spawn_app_with(backend, forge.settings(server.uri()), None).await;
    forge
        .post(
            &app,
            forge.event("created", "Login page has a typo", 0),
            "c1",
        )
        .await;
    let ours = forge.assert_one_comment(&app, "create answered 500").await;
    assert_eq!(
        forge.posts(),
        1,
        "{tracker}: the create was sent once, then found by its marker"
    );
    assert!(
        ours.body.contains("<!-- ticketlens:planned_id="),
        "{tracker}: adopted with its marker kept"
    );
    let listed_pages = match &forge {
        Forge::Github(f) => f.state.lock().unwrap().lists,
        Forge::Gitlab(f) => f
            .state
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| r.starts_with("GET"))
            .count(),
    };
    assert!(
        listed_pages >= 2,
        "{tracker}: our comment was on page 2 ({listed_pages} pages read)"
    );
    let metrics = app.api().metrics().await.text().await.unwrap();
    let adopted =
        format!(r#"ticketlens_comment_writes_total{{outcome="adopted",tracker="{tracker}"}} 1"#);
    assert!(metrics.contains(&adopted), "{metrics}");
    app.stop().await;
}

async fn a_redelivery_makes_no_second_comment(tracker: &str, backend: Backend) {
    let server = MockServer::start().await;
    let forge = Forge::start(tracker, &server).await;
    let app = spawn_app_with(backend, forge.settings(server.uri()), None).await;
    let body = forge.event("created", "Login page has a typo", 0);
    forge.post(&app, body.clone(), "d1").await;
    forge.assert_one_comment(&app, "first delivery").await;
    // the forge redelivers: the same id, then the same bytes under a new id
    let again = forge.post(&app, body.clone(), "d1").await;
    assert_eq!(again["status"], "duplicate");
    let again = forge.post(&app, body, "d2").await;
    assert_eq!(again["status"], "duplicate");
    forge.assert_one_comment(&app, "after redeliveries").await;
    assert_eq!(forge.posts(), 1, "{tracker}");
    app.stop().await;
}

async fn an_edit_storm_gives_one_create_and_the_last_text(tracker: &str, backend: Backend) {
    let server = MockServer::start().await;
    let forge = Forge::start(tracker, &server).await;
    let app = spawn_app_with(backend, forge.settings(server.uri()), None).await;
    forge
        .post(
            &app,
            forge.event("created", "Login page has a typo", 0),
            "e0",
        )
        .await;
    for i in 1..20u64 {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let title = format!("Search reindex times out on large catalogs ({i})");
        forge
            .post(
                &app,
                forge.event("updated", &title, i * 10),
                &format!("e{i}"),
            )
            .await;
    }
    forge.assert_one_comment(&app, "edit storm").await;
    assert_eq!(forge.posts(), 1, "{tracker}: exactly one create");
    let (_, key) = forge.ticket();
    let stored = app
        .store
        .ticket_by_key(tracker, key)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.title, "Search reindex times out on large catalogs (19)",
        "the last edit's text"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn github_a_create_stored_then_answered_500_leaves_one_comment() {
    a_create_stored_then_answered_500_leaves_one_comment("github", Backend::Sqlite).await;
    a_create_stored_then_answered_500_leaves_one_comment("github", Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gitlab_a_create_stored_then_answered_500_leaves_one_comment() {
    a_create_stored_then_answered_500_leaves_one_comment("gitlab", Backend::Sqlite).await;
    a_create_stored_then_answered_500_leaves_one_comment("gitlab", Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_create_stored_then_stalled_past_the_timeout_leaves_one_comment_on_both_forges() {
    for tracker in ["github", "gitlab"] {
        let server = MockServer::start().await;
        let forge = Forge::start(tracker, &server).await;
        forge.fail_next_create(AfterStore::Stall(Duration::from_millis(2500)));
        let app = spawn_app_with(Backend::Sqlite, forge.settings(server.uri()), None).await;
        let body = forge.event("created", "Login page has a typo", 0);
        forge.post(&app, body, "s1").await;
        forge.assert_one_comment(&app, "create stalled").await;
        assert_eq!(
            forge.posts(),
            1,
            "{tracker}: not sent again after the timeout"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn github_a_redelivery_makes_no_second_comment() {
    a_redelivery_makes_no_second_comment("github", Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gitlab_a_redelivery_makes_no_second_comment() {
    a_redelivery_makes_no_second_comment("gitlab", Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn github_an_edit_storm_gives_one_create_and_the_last_text() {
    an_edit_storm_gives_one_create_and_the_last_text("github", Backend::Sqlite).await;
    an_edit_storm_gives_one_create_and_the_last_text("github", Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gitlab_an_edit_storm_gives_one_create_and_the_last_text() {
    an_edit_storm_gives_one_create_and_the_last_text("gitlab", Backend::Sqlite).await;
    an_edit_storm_gives_one_create_and_the_last_text("gitlab", Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forge_rate_limits_are_waited_out_and_the_create_is_sent_once() {
    for tracker in ["github", "gitlab"] {
        let server = MockServer::start().await;
        let forge = Forge::start(tracker, &server).await;
        match &forge {
            Forge::Github(f) => {
                let mut s = f.state.lock().unwrap();
                s.primary_limited = 1;
                s.secondary_limited = 1;
            }
            Forge::Gitlab(f) => f.state.lock().unwrap().rate_limited = 2,
        }
        let app = spawn_app_with(Backend::Sqlite, forge.settings(server.uri()), None).await;
        let started = std::time::Instant::now();
        forge
            .post(
                &app,
                forge.event("created", "Login page has a typo", 0),
                "r1",
            )
            .await;
        forge.assert_one_comment(&app, "rate limited").await;
        assert_eq!(
            forge.posts(),
            1,
            "{tracker}: the limited create went through once"
        );
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "{tracker}: the waits were honoured"
        );
        let done = app.store.list_jobs(JobState::Done, 10).await.unwrap();
        assert!(
            done.iter().all(|j| j.attempts == 1),
            "{tracker}: waited inside one attempt"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_comment_a_person_deleted_is_made_anew_once_on_both_forges() {
    for tracker in ["github", "gitlab"] {
        let server = MockServer::start().await;
        let forge = Forge::start(tracker, &server).await;
        let app = spawn_app_with(Backend::Sqlite, forge.settings(server.uri()), None).await;
        // an earlier issue the edit will resemble, so the comment's content changes
        let payment = "Checkout crashes with NullPointerException in PaymentService";
        forge.post(&app, forge.other(7, payment), "x0").await;
        let created = forge.event("created", "Login page has a typo", 0);
        forge.post(&app, created, "x1").await;
        let first = forge.assert_one_comment(&app, "first").await;
        forge.delete_ours();
        let edited = forge.event("updated", payment, 1000);
        forge.post(&app, edited, "x2").await;
        wait_for(|| async {
            let c = app
                .store
                .comment(tracker, forge.ticket().0)
                .await
                .unwrap()?;
            (c.recreated == 1 && c.state.as_str() == "sent").then_some(())
        })
        .await;
        let again = forge.assert_one_comment(&app, "made anew").await;
        assert_ne!(again.id, first.id, "{tracker}");
        assert_eq!(
            forge.posts(),
            3,
            "{tracker}: the other issue's, ours, ours anew"
        );
        app.stop().await;
    }
}
