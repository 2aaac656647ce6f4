//! Back-fill of a GitHub repository and a GitLab project against the local fakes: every
//! page, pull requests left out, rate limits waited out, duplicate links stored, and a run
//! that stops half-way resumed where it stopped.

use crate::fakes_github::FakeGithub;
use crate::fakes_gitlab::FakeGitlab;
use crate::helpers::*;
use serde_json::{json, Value};
use std::time::Duration;
use ticketlens::backfill::{self, Source};
use ticketlens::config::{GithubSettings, GitlabSettings, Secret};
use ticketlens::store::Store;
use ticketlens::trackers::client::{ClientOptions, TrackerClient};
use ticketlens::trackers::github::api::GithubApi;
use ticketlens::trackers::gitlab::api::GitlabApi;
use wiremock::MockServer;

fn client() -> TrackerClient {
    TrackerClient::new(ClientOptions {
        timeout: Duration::from_secs(5),
        max_attempts: 2,
        backoff_base: Duration::from_millis(10),
        max_wait: Duration::from_secs(5),
    })
    .unwrap()
}

async fn tickets(store: &Store, tracker: &str) -> i64 {
    crate::db::tickets(store, Some(tracker)).await
}

fn gh_issue(n: u64, title: &str, state_reason: Option<&str>) -> Value {
    json!({
        "id": 1000 + n, "number": n, "title": title, "body": format!("Body of {title}"),
        "state": if state_reason.is_some() { "closed" } else { "open" }, "state_reason": state_reason,
        "labels": [{"name": "bug"}], "user": {"login": "ann"},
        "html_url": format!("https://github.com/acme/app/issues/{n}"),
        "created_at": format!("2025-01-0{n}T10:00:00Z"), "updated_at": "2025-02-01T10:00:00Z",
    })
}

#[tokio::test]
async fn github_backfill_reads_every_page_skips_pull_requests_and_resumes() {
    let db = TestDb::new(Backend::Postgres).await;
    let store = db.store().await;
    let server = MockServer::start().await;
    let github = FakeGithub::mount(&server).await;
    {
        let mut s = github.state.lock().unwrap();
        s.issues = vec![
            gh_issue(1, "Checkout crashes in PaymentService", None),
            gh_issue(2, "Search times out", None),
            json!({"id": 3003, "number": 3, "title": "A pull request", "pull_request": {"url": "x"}}),
            gh_issue(4, "Checkout crash again", Some("duplicate")),
            gh_issue(5, "Login typo", Some("completed")),
            gh_issue(6, "Dark mode", None),
        ];
        s.duplicates.insert(4, vec![("acme/app".into(), 1)]);
        s.failing_page = Some(2);
    }
    let settings = GithubSettings {
        api_url: server.uri(),
        token: Some(Secret::new("ghs_backfill")),
        ..GithubSettings::default()
    };
    let source = Source::Github {
        api: GithubApi::new(&settings, client()).unwrap(),
        repo: "acme/app".into(),
    };
    let err = backfill::run(&store, &source, 2, false, |_| {})
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("500"), "{err:#}");
    assert!(!format!("{err:#}").contains("ghs_backfill"), "{err:#}");
    assert_eq!(
        tickets(&store, "github").await,
        2,
        "the first page was kept"
    );

    {
        let mut s = github.state.lock().unwrap();
        s.failing_page = None;
        s.primary_limited = 1;
        s.requests.clear();
    }
    let outcome = backfill::run(&store, &source, 2, false, |_| {})
        .await
        .unwrap();
    assert!(outcome.resumed);
    assert_eq!(outcome.pages, 2, "pages 2 and 3, by the Link header");
    assert_eq!(outcome.fetched, 5, "five issues; the pull request left out");
    assert_eq!(tickets(&store, "github").await, 5);
    let requests = github.state.lock().unwrap().requests.clone();
    assert!(
        !requests
            .iter()
            .any(|r| r.contains("/issues?") && !r.contains("page=")),
        "the first page was not read again: {requests:?}"
    );
    assert!(store
        .ticket_by_key("github", "acme/app#3")
        .await
        .unwrap()
        .is_none());
    let dup = store
        .ticket_by_key("github", "acme/app#4")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dup.body, "Body of Checkout crash again");
    assert_eq!(
        store.duplicate_links("github", "1004").await.unwrap(),
        vec!["acme/app#1".to_string()]
    );
    assert!(store
        .duplicate_links("github", "1005")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        count_jobs(&store).await,
        0,
        "back-filled tickets are never commented on"
    );
    assert!(github.violations().is_empty(), "{:?}", github.violations());
}

fn gl_issue(iid: u64, title: &str, duplicate_of: Option<(u64, u64)>) -> Value {
    let mut links =
        json!({"self": format!("https://gitlab.example.com/api/v4/projects/7/issues/{iid}")});
    if let Some((pid, other)) = duplicate_of {
        links["closed_as_duplicate_of"] = json!(format!(
            "https://gitlab.example.com/api/v4/projects/{pid}/issues/{other}"
        ));
    }
    json!({
        "id": 7000 + iid, "iid": iid, "project_id": 7, "title": title,
        "description": format!("Steps for {title}\n<!-- template hint -->"),
        "state": if duplicate_of.is_some() { "closed" } else { "opened" },
        "labels": ["backend"], "author": {"username": "ann"},
        "web_url": format!("https://gitlab.example.com/grp/app/-/issues/{iid}"),
        "created_at": "2025-01-01T10:00:00.000Z", "updated_at": "2025-02-01T10:00:00.000Z",
        "_links": links,
    })
}

#[tokio::test]
async fn gitlab_backfill_reads_every_page_stores_duplicates_and_resumes() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let server = MockServer::start().await;
    let gitlab = FakeGitlab::mount(&server).await;
    {
        let mut s = gitlab.state.lock().unwrap();
        s.projects.insert(7, "grp/app".into());
        s.projects.insert(9, "grp/other".into());
        s.issues = vec![
            gl_issue(1, "Checkout crashes", None),
            gl_issue(2, "Checkout crash again", Some((7, 1))),
            gl_issue(3, "Search times out", None),
            gl_issue(4, "Crash in the other project's client", Some((9, 12))),
            gl_issue(5, "Dark mode", None),
        ];
        s.failing_page = Some(3);
    }
    let settings = GitlabSettings {
        base_url: server.uri(),
        token: Some(Secret::new("glpat-backfill")),
        ..GitlabSettings::default()
    };
    let source = Source::Gitlab {
        api: GitlabApi::new(&settings, client()).unwrap(),
        project: "grp/app".into(),
    };
    let err = backfill::run(&store, &source, 2, false, |_| {})
        .await
        .unwrap_err();
    assert!(!format!("{err:#}").contains("glpat-backfill"), "{err:#}");
    assert_eq!(tickets(&store, "gitlab").await, 4);
    {
        let mut s = gitlab.state.lock().unwrap();
        s.failing_page = None;
        s.rate_limited = 1;
    }
    let mut seen = Vec::new();
    let outcome = backfill::run(&store, &source, 2, false, |p| {
        seen.push((p.fetched, p.total))
    })
    .await
    .unwrap();
    assert!(outcome.resumed);
    assert_eq!((outcome.pages, outcome.fetched), (1, 5));
    assert_eq!(seen, vec![(5, Some(5))], "X-Total is the progress total");
    let one = store
        .ticket_by_key("gitlab", "grp/app#1")
        .await
        .unwrap()
        .unwrap();
    assert!(!one.body.contains("template hint"), "{}", one.body);
    assert_eq!(
        store.duplicate_links("gitlab", "7002").await.unwrap(),
        vec!["grp/app#1".to_string()]
    );
    assert_eq!(
        store.duplicate_links("gitlab", "7004").await.unwrap(),
        vec!["grp/other#12".to_string()],
        "another project's path is looked up"
    );
    assert!(gitlab.violations().is_empty(), "{:?}", gitlab.violations());
}
