//! Exactly one comment on GitHub and GitLab under the faults the Jira tests use: a create
//! the forge stores and then answers 500, a redelivery, an edit storm; and rate limits. The
//! fakes check every request (GitHub's REST description; GitLab's documented notes API).

use crate::fakes::AfterStore;
use crate::fakes_github::{FakeGithub, ForgeComment};
use crate::fakes_gitlab::FakeGitlab;
use crate::forges::{fixture, GH_OPENED, GL_OPENED};
use crate::helpers::*;
use crate::webhooks::wait_for;
use serde_json::{json, Value};
use std::time::Duration;
use ticketlens::config::{Secret, Settings};
use ticketlens::store::{JobState, Store};
use wiremock::MockServer;

/// One forge under test, its fake, and the ticket the events are about.
#[derive(Clone)]
enum Forge {
    Github(FakeGithub),
    Gitlab(FakeGitlab),
}

impl Forge {
    async fn start(tracker: &str, server: &MockServer) -> Forge {
        match tracker {
            "github" => Forge::Github(FakeGithub::mount(server).await),
            _ => Forge::Gitlab(FakeGitlab::mount(server).await),
        }
    }

    fn tracker(&self) -> &'static str {
        match self {
            Forge::Github(_) => "github",
            Forge::Gitlab(_) => "gitlab",
        }
    }

    /// (ticket id, key) of the fixture the events are made from.
    fn ticket(&self) -> (&'static str, &'static str) {
        match self {
            Forge::Github(_) => ("3848333070", "DhruvShetty22/zulip-test#33"),
            Forge::Gitlab(_) => ("14226169", "adambirds/zulip-gitlab-test#2"),
        }
    }

    fn settings(&self, uri: String) -> impl FnOnce(&mut Settings) {
        let tracker = self.tracker();
        move |s: &mut Settings| {
            match tracker {
                "github" => {
                    s.github.api_url = uri;
                    s.github.token = Some(Secret::new("ghs_test_token"));
                }
                _ => {
                    s.gitlab.base_url = uri;
                    s.gitlab.token = Some(Secret::new("glpat-test-token"));
                }
            }
            s.comments.http_timeout_secs = 1;
            s.comments.http_backoff_ms = 20;
            s.queue.backoff_base_ms = 50;
            s.queue.backoff_cap_ms = 400;
            s.queue.workers = 4;
        }
    }

    fn comments(&self) -> Vec<ForgeComment> {
        let key = self.ticket().1;
        match self {
            Forge::Github(f) => f.comments_on(key),
            Forge::Gitlab(f) => f.notes_on(key),
        }
    }

    fn posts(&self) -> usize {
        match self {
            Forge::Github(f) => f.posts(),
            Forge::Gitlab(f) => f.posts(),
        }
    }

    fn violations(&self) -> Vec<String> {
        match self {
            Forge::Github(f) => f.violations(),
            Forge::Gitlab(f) => f.violations(),
        }
    }

    /// People's comments on the ticket before ours: more than one page of them.
    fn add_human_comments(&self, n: u64) {
        let issue = self.ticket().1.to_string();
        let human = |i: u64| ForgeComment {
            id: 10 + i,
            issue: issue.clone(),
            body: format!("+1 from person {i}"),
        };
        match self {
            Forge::Github(f) => f.state.lock().unwrap().comments.extend((0..n).map(human)),
            Forge::Gitlab(f) => f.state.lock().unwrap().notes.extend((0..n).map(human)),
        }
    }

    fn fail_next_create(&self, fault: AfterStore) {
        match self {
            Forge::Github(f) => f.state.lock().unwrap().create_faults.push(fault),
            Forge::Gitlab(f) => f.state.lock().unwrap().create_faults.push(fault),
        }
    }

    /// The event body: created, or an edit of the title at `ms` past a fixed instant.
    fn event(&self, kind: &str, title: &str, ms: u64) -> Vec<u8> {
        let at = format!("2026-12-01T10:00:{:02}.{:03}Z", ms / 1000, ms % 1000);
        match self {
            Forge::Github(_) => {
                let mut v: Value = serde_json::from_slice(&fixture("github", GH_OPENED)).unwrap();
                if kind == "updated" {
                    v["action"] = json!("edited");
                    v["changes"] = json!({"title": {"from": "before"}});
                }
                v["issue"]["title"] = json!(title);
                v["issue"]["updated_at"] = json!(at);
                serde_json::to_vec(&v).unwrap()
            }
            Forge::Gitlab(_) => {
                let mut v: Value = serde_json::from_slice(&fixture("gitlab", GL_OPENED)).unwrap();
                if kind == "updated" {
                    v["object_attributes"]["action"] = json!("update");
                    v["changes"] = json!({"title": {"previous": "before", "current": title}});
                }
                v["object_attributes"]["title"] = json!(title);
                v["object_attributes"]["updated_at"] = json!(at);
                serde_json::to_vec(&v).unwrap()
            }
        }
    }

    fn headers(&self, body: &[u8], delivery: &str) -> Vec<(String, String)> {
        match self {
            Forge::Github(_) => github_headers(body, delivery, "issues"),
            Forge::Gitlab(_) => gitlab_headers(delivery, "Issue Hook"),
        }
    }

    async fn post(&self, app: &TestApp, body: Vec<u8>, delivery: &str) -> Value {
        let r = app
            .post_webhook(self.tracker(), body.clone(), &self.headers(&body, delivery))
            .await;
        assert_eq!(r.status(), 202);
        r.json().await.unwrap()
    }

    /// Waits for the comment to be recorded as sent and the queue to empty, then checks the
    /// one comment the forge holds is the one recorded, with our marker and our latest body.
    async fn assert_one_comment(&self, app: &TestApp, what: &str) -> ForgeComment {
        let (id, _) = self.ticket();
        let tracker = self.tracker();
        wait_for(|| async {
            let c = app.store.comment(tracker, id).await.unwrap();
            (c.map(|c| c.state).as_deref() == Some("sent")).then_some(())
        })
        .await;
        settle(&app.store).await;
        // time for any late second create to land
        tokio::time::sleep(Duration::from_millis(300)).await;
        let ours: Vec<ForgeComment> = self
            .comments()
            .into_iter()
            .filter(|c| !c.body.starts_with("+1 from person"))
            .collect();
        assert_eq!(
            ours.len(),
            1,
            "{tracker}, {what}: exactly one comment: {ours:?}"
        );
        let record = app.store.comment(tracker, id).await.unwrap().unwrap();
        assert_eq!(
            record.comment_id,
            Some(ours[0].id.to_string()),
            "{tracker}, {what}"
        );
        assert!(
            ours[0].body.starts_with(record.body.trim_end()),
            "{tracker}, {what}: the latest body"
        );
        assert!(
            ours[0].body.contains("<!-- ticketlens:"),
            "{tracker}, {what}: marked"
        );
        assert!(
            self.violations().is_empty(),
            "{tracker}, {what}: {:?}",
            self.violations()
        );
        assert_eq!(
            jobs_in(&app.store, JobState::Dead).await,
            0,
            "{tracker}, {what}"
        );
        ours[0].clone()
    }
}

async fn jobs_in(store: &Store, state: JobState) -> usize {
    store.list_jobs(state, 500).await.unwrap().len()
}

async fn settle(store: &Store) {
    wait_for(|| async {
        let busy = jobs_in(store, JobState::Queued).await + jobs_in(store, JobState::Running).await;
        (busy == 0).then_some(())
    })
    .await;
}

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
    let metrics = app.get("/metrics").await.text().await.unwrap();
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
