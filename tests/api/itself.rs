//! A ticket is never its own related ticket, duplicate or precedent, in any front end: the
//! analysis of a stored ticket's own text (pasted into `POST /api/v1/analyze`, which
//! `ticketlens analyze` shares) leaves it out and still finds the others.

use crate::analyze::{build_repository, spawn_with_repository, wait_until_ready};
use crate::helpers::*;
use serde_json::{json, Value};

pub(crate) async fn post_ticket(app: &TestApp, key: &str, id: &str, title: &str, body: &str) {
    let mut v: Value = serde_json::from_slice(
        &std::fs::read(fixtures_dir().join("jira/mattermost-webhook-issue-created.json")).unwrap(),
    )
    .unwrap();
    v["issue"]["key"] = json!(key);
    v["issue"]["id"] = json!(id);
    v["issue"]["fields"]["summary"] = json!(title);
    v["issue"]["fields"]["description"] = json!(body);
    let raw = serde_json::to_vec(&v).unwrap();
    let r = app
        .post_webhook("jira", raw.clone(), &jira_headers(&raw, key))
        .await;
    assert_eq!(r.status(), 202);
    crate::helpers::wait_for(|| async {
        let t: Value = app
            .get(&format!("/api/v1/tickets/jira/{key}"))
            .await
            .json()
            .await
            .ok()?;
        t["comment"]["body"].as_str().map(|_| ())
    })
    .await;
}

#[tokio::test]
async fn a_stored_tickets_own_text_never_lists_the_ticket_itself() {
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    let _repo = build_repository(repo_dir.path());
    let app = spawn_with_repository(repo_dir.path(), index_dir.path()).await;
    wait_until_ready(&app).await;
    let title = "Session token refresh expires the cookie";
    let body = "SessionStore refresh_session_token returns false for short tokens";
    post_ticket(&app, "TES-41", "10040", title, body).await;
    post_ticket(
        &app,
        "TES-42",
        "10041",
        "Session token refresh expires the cookie early",
        body,
    )
    .await;
    let v: Value = crate::helpers::wait_for(|| async {
        let r = app
            .client
            .post(format!("{}/api/v1/analyze", app.address))
            .json(&json!({ "title": title, "body": body }))
            .send()
            .await
            .ok()?;
        let v: Value = r.json().await.ok()?;
        // the other ticket is found: the search did run over both
        let keys = keys(&v["duplicates"]);
        keys.contains(&"TES-42".to_string()).then_some(v)
    })
    .await;
    assert!(
        !keys(&v["duplicates"]).contains(&"TES-41".to_string()),
        "{v}"
    );
    assert!(
        !keys(&v["precedents"]).contains(&"TES-41".to_string()),
        "{v}"
    );
    assert!(v["confidence"]["level"].is_string(), "{v}");
    // and the ticket's own analysis (the worker's, the page's) leaves it out too
    let t: Value = app
        .get("/api/v1/tickets/jira/TES-41")
        .await
        .json()
        .await
        .unwrap();
    let own: Vec<String> = keys(&t["analysis"]["duplicates"]);
    assert!(!own.contains(&"TES-41".to_string()), "{t}");
}

fn keys(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["key"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
