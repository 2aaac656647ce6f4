//! TicketLens measures itself: keys mined from commit messages meet the tickets' keys
//! through a key template (and say so when they do not), past tickets imported from a file
//! become precedents, and a fix landing after a ticket's analysis records how the analysis
//! did, shown by the accuracy API and the overview page.

use crate::analyze::{build_repository, commit, wait_until_ready};
use crate::helpers::{fixtures_dir, jira_headers, spawn_app_over, wait_for, TestApp, TestDb};
use serde_json::{json, Value};
use std::path::Path;
use ticketlens::config::{RepositorySettings, Settings};
use ticketlens::history::{KeyedPattern, LinkPattern};

/// How this repository's commits name Bugzilla reports: `Fix for bug 41`.
const BUG: &str = r"(?i)\bbug\s*#?(\d+)\b";

/// A template turning the bug number into the Jira key the reports were imported under.
pub(crate) fn as_jira_key() -> LinkPattern {
    LinkPattern::Keyed(KeyedPattern {
        pattern: BUG.into(),
        key: "TES-{1}".into(),
    })
}

/// Settings for the app over `repo`, refreshed every second, with `patterns`.
pub(crate) fn over_repository(
    repo: &Path,
    index: &Path,
    patterns: Vec<LinkPattern>,
) -> impl FnOnce(&mut Settings) {
    let (repo, index) = (repo.to_path_buf(), index.to_path_buf());
    move |s| {
        s.codeindex.index_dir = index;
        s.codeindex.refresh_interval_secs = 1;
        s.repositories = vec![RepositorySettings {
            name: "app".into(),
            path: Some(repo),
            link_patterns: patterns,
            ..Default::default()
        }];
    }
}

/// Posts the real Jira "issue created" payload as ticket `key` (tracker id `id`) with this
/// text, signed, and waits until the ticket's analysis is stored.
pub(crate) async fn jira_ticket(
    app: &TestApp,
    key: &str,
    id: &str,
    title: &str,
    body: &str,
) -> Value {
    let mut ticket: Value = serde_json::from_slice(
        &std::fs::read(fixtures_dir().join("jira/mattermost-webhook-issue-created.json")).unwrap(),
    )
    .unwrap();
    ticket["issue"]["key"] = json!(key);
    ticket["issue"]["id"] = json!(id);
    ticket["issue"]["self"] = json!(format!(
        "https://example.atlassian.net/rest/api/2/issue/{id}"
    ));
    ticket["issue"]["fields"]["summary"] = json!(title);
    ticket["issue"]["fields"]["description"] = json!(body);
    let raw = serde_json::to_vec(&ticket).unwrap();
    let r = app
        .post_webhook(
            "jira",
            raw.clone(),
            &jira_headers(&raw, &format!("d-{key}-{title}")),
        )
        .await;
    assert_eq!(r.status(), 202);
    wait_for(|| async {
        let t: Value = app.api().ticket("jira", key).await.json().await.ok()?;
        (!t["analysis"].is_null() && t["analysis"].is_object()).then_some(t)
    })
    .await
}

/// The repository's `links` as `GET /api/v1/repositories` reports them, once mined.
async fn links_of(app: &TestApp) -> Value {
    wait_for(|| async {
        let v: Value = app.get("/api/v1/repositories").await.json().await.ok()?;
        let l = v["repositories"][0]["links"].clone();
        (l.is_object()).then_some(l)
    })
    .await
}

#[tokio::test]
async fn a_key_template_makes_bare_bug_numbers_meet_the_tickets_and_a_mismatch_is_said() {
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    let repo = build_repository(repo_dir.path());
    commit(
        &repo,
        &[("crates/auth/src/session.rs", "//! Session cookies and their expiry.\npub fn refresh_session_token(t: &str) -> bool { t.len() > 32 }\n")],
        "Fix for bug 41: the session cookie expired on token refresh",
    );
    let bare = vec![LinkPattern::Bare(BUG.into())];
    let app = spawn_app_over(
        TestDb::new(crate::helpers::Backend::Sqlite).await,
        over_repository(repo_dir.path(), index_dir.path(), bare),
        None,
    )
    .await;
    wait_until_ready(&app).await;
    let title = "Session token refresh expires the cookie";
    jira_ticket(
        &app,
        "TES-41",
        "10041",
        title,
        "refresh_session_token drops the session cookie",
    )
    .await;
    // the commit names `41`, the ticket is `TES-41`: said in words, with both shapes
    let links = links_of(&app).await;
    assert_eq!(
        (links["keys_mined"].as_i64(), links["keys_matched"].as_i64()),
        (Some(1), Some(0))
    );
    let problem = links["problem"].as_str().unwrap();
    assert!(
        problem.contains("1 key mined from commit messages, none matches a stored ticket"),
        "{problem}"
    );
    assert!(
        problem.contains("`41`") && problem.contains("`TES-41`"),
        "{problem}"
    );
    let later = jira_ticket(
        &app,
        "TES-90",
        "10090",
        "Cookie expires after session token refresh",
        "the session cookie is gone after refresh_session_token",
    )
    .await;
    assert!(later["analysis"]["precedents"]
        .as_array()
        .is_none_or(|p| p.is_empty()));
    let why = later["analysis"]["no_precedents"].as_str().unwrap();
    assert!(why.contains("none matches a stored ticket"), "{why}");
    let page = app.get("/tickets/jira/TES-90").await.text().await.unwrap();
    assert!(
        page.contains("Similar past work") && page.contains("none matches a stored ticket"),
        "{page}"
    );
    let overview = app.get("/").await.text().await.unwrap();
    assert!(
        overview.contains("No precedents can be found: 1 key mined"),
        "{overview}"
    );

    // the same history with a key template: linked again at the next mine, and it meets
    let db = app.stop().await;
    let app = spawn_app_over(
        db,
        over_repository(repo_dir.path(), index_dir.path(), vec![as_jira_key()]),
        None,
    )
    .await;
    let links = wait_for(|| async {
        let l = links_of(&app).await;
        (l["keys_matched"] == 1).then_some(l)
    })
    .await;
    assert!(links["problem"].is_null(), "{links}");
    assert_eq!(
        links["summary"],
        "1 of 1 key mined from commit messages match a stored ticket"
    );
    let newer = jira_ticket(
        &app,
        "TES-91",
        "10091",
        "Session cookie expires on token refresh",
        "refresh_session_token expires the session cookie again",
    )
    .await;
    let precedents = newer["analysis"]["precedents"].as_array().unwrap();
    assert_eq!(precedents[0]["key"], "TES-41", "{precedents:?}");
    assert!(newer["analysis"]["no_precedents"].is_null());
    let overview = app.get("/").await.text().await.unwrap();
    assert!(!overview.contains("No precedents can be found"));
    app.stop().await;
}
