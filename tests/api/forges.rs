//! GitHub and GitLab at the front door: signatures and tokens, what is refused and why,
//! delivery ids, pull requests never commented on, and forge keys in the tickets API.

use crate::fakes_github::FakeGithub;
use crate::helpers::wait_for;
use crate::helpers::*;
use serde_json::{json, Value};
use std::time::Duration;
use ticketlens::config::Secret;
use wiremock::MockServer;

pub fn fixture(tracker: &str, file: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(tracker).join(file)).expect("fixture exists")
}

pub const GH_OPENED: &str = "zulip-issues__opened.json";
pub const GL_OPENED: &str = "zulip-issue_hook__issue_created_with_two_assignees.json";

#[test]
fn flipping_any_byte_of_a_github_body_or_signature_gets_401() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(spawn_app(Backend::Sqlite));
    let raw = fixture("github", GH_OPENED);
    let mut runner = TestRunner::new(Config::with_cases(48));
    let strategy = (any::<bool>(), any::<prop::sample::Index>(), 1u8..=255);
    runner
        .run(&strategy, |(in_body, idx, mask)| {
            let mut body = raw.clone();
            let mut headers = github_headers(&body, "flip", "issues");
            if in_body {
                let i = idx.index(body.len());
                body[i] ^= mask;
            } else {
                let sig = &mut headers[0].1;
                let i = "sha256=".len() + idx.index(64);
                let mut bytes = sig.clone().into_bytes();
                bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
                *sig = String::from_utf8(bytes).unwrap();
            }
            let r = rt.block_on(app.post_webhook("github", body, &headers));
            prop_assert_eq!(r.status().as_u16(), 401);
            Ok(())
        })
        .unwrap();
    assert_eq!(rt.block_on(count_jobs(&app.store)), 0);
    rt.block_on(app.stop());
}

#[test]
fn any_gitlab_token_but_the_configured_one_gets_401() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(spawn_app(Backend::Sqlite));
    let raw = fixture("gitlab", GL_OPENED);
    let mut runner = TestRunner::new(Config::with_cases(48));
    // printable header values: near misses of the real token and arbitrary ones
    let strategy = prop_oneof![
        (any::<prop::sample::Index>(), 0x21u8..0x7f).prop_map(|(i, c)| {
            let mut t = GITLAB_TOKEN.as_bytes().to_vec();
            let i = i.index(t.len());
            t[i] = if t[i] == c { b'!' } else { c };
            String::from_utf8(t).unwrap()
        }),
        "[!-~]{1,60}",
        Just(format!("{GITLAB_TOKEN}x")),
        Just(GITLAB_TOKEN[..GITLAB_TOKEN.len() - 1].to_string()),
    ];
    runner
        .run(&strategy, |token| {
            prop_assume!(token != GITLAB_TOKEN);
            let mut headers = gitlab_headers("tok", "Issue Hook");
            headers[0].1 = token;
            let r = rt.block_on(app.post_webhook("gitlab", raw.clone(), &headers));
            prop_assert_eq!(r.status().as_u16(), 401);
            Ok(())
        })
        .unwrap();
    let r =
        rt.block_on(app.post_webhook("gitlab", raw.clone(), &gitlab_headers("ok", "Issue Hook")));
    assert_eq!(r.status(), 202);
    rt.block_on(app.stop());
}

#[tokio::test]
async fn forge_webhooks_refuse_what_they_cannot_trust_or_read_and_say_why() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |s| s.server.max_body_bytes = 64 * 1024,
        None,
    )
    .await;
    let raw = fixture("github", GH_OPENED);
    let status_and_body = |r: reqwest::Response| async move {
        let status = r.status().as_u16();
        (status, r.json::<Value>().await.unwrap_or(Value::Null))
    };
    // the legacy SHA-1 header alone
    let sha1 = vec![
        (
            "X-Hub-Signature".to_string(),
            format!("sha1={}", "a".repeat(40)),
        ),
        ("X-GitHub-Event".to_string(), "issues".to_string()),
    ];
    let (status, v) = status_and_body(app.post_webhook("github", raw.clone(), &sha1).await).await;
    assert_eq!(status, 401, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("X-Hub-Signature-256"),
        "{v}"
    );
    // no token, wrong token
    let (status, _) = status_and_body(app.post_webhook("gitlab", raw.clone(), &[]).await).await;
    assert_eq!(status, 401);
    // no event header: 400 naming it
    let mut headers = github_headers(&raw, "d1", "issues");
    headers.retain(|(k, _)| k != "X-GitHub-Event");
    let (status, v) =
        status_and_body(app.post_webhook("github", raw.clone(), &headers).await).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (400, Some("X-GitHub-Event")),
        "{v}"
    );
    // not JSON
    let junk = b"{not json".to_vec();
    let (status, v) = status_and_body(
        app.post_webhook(
            "github",
            junk.clone(),
            &github_headers(&junk, "j", "issues"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (400, Some("body")),
        "{v}"
    );
    // an issue without a number
    let mut doc: Value = serde_json::from_slice(&raw).unwrap();
    doc["issue"].as_object_mut().unwrap().remove("number");
    let body = serde_json::to_vec(&doc).unwrap();
    let (status, v) = status_and_body(
        app.post_webhook(
            "github",
            body.clone(),
            &github_headers(&body, "n", "issues"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (400, Some("issue.number")),
        "{v}"
    );
    let mut doc: Value = serde_json::from_slice(&fixture("gitlab", GL_OPENED)).unwrap();
    doc["object_attributes"]
        .as_object_mut()
        .unwrap()
        .remove("iid");
    let body = serde_json::to_vec(&doc).unwrap();
    let (status, v) = status_and_body(
        app.post_webhook("gitlab", body, &gitlab_headers("g", "Issue Hook"))
            .await,
    )
    .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (400, Some("object_attributes.iid")),
        "{v}"
    );
    // oversized, as on the other routes
    let big = vec![b' '; 64 * 1024 + 1];
    for (tracker, headers) in [
        ("github", github_headers(&big, "big", "issues")),
        ("gitlab", gitlab_headers("big", "Issue Hook")),
    ] {
        let (status, v) =
            status_and_body(app.post_webhook(tracker, big.clone(), &headers).await).await;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (413, Some("payload_too_large")),
            "{tracker}"
        );
    }
    assert_eq!(count_jobs(&app.store).await, 0);
    app.stop().await;
}

#[tokio::test]
async fn delivery_ids_make_redeliveries_no_ops_on_both_forges() {
    let app = spawn_app(Backend::Postgres).await;
    let raw = fixture("github", GH_OPENED);
    let headers = github_headers(&raw, "72d3162e-cc78-11e3-81ab-4c9367dc0958", "issues");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = app.post_webhook("github", raw.clone(), &headers).await;
        let v: Value = r.json().await.unwrap();
        statuses.push(v["status"].as_str().unwrap().to_string());
    }
    assert_eq!(statuses, ["queued", "duplicate", "duplicate"]);
    // GitLab: the same Idempotency-Key is the same delivery even under a new event UUID
    // and with other bytes (a retry by GitLab 17.4+)
    let raw = fixture("gitlab", GL_OPENED);
    let mut first = gitlab_headers("uuid-1", "Issue Hook");
    first.push(("Idempotency-Key".into(), "idem-1".into()));
    let mut retry = gitlab_headers("uuid-2", "Issue Hook");
    retry.push(("Idempotency-Key".into(), "idem-1".into()));
    let mut respaced = raw.clone();
    respaced.push(b'\n');
    let a: Value = app
        .post_webhook("gitlab", raw.clone(), &first)
        .await
        .json()
        .await
        .unwrap();
    let b: Value = app
        .post_webhook("gitlab", respaced, &retry)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (a["status"].as_str(), b["status"].as_str()),
        (Some("queued"), Some("duplicate"))
    );
    assert_eq!(a["key"], "adambirds/zulip-gitlab-test#2");
    assert_eq!(count_jobs(&app.store).await, 2);
    app.stop().await;
}

#[tokio::test]
async fn the_pull_request_conversation_never_gets_a_comment() {
    let server = MockServer::start().await;
    let github = FakeGithub::mount(&server).await;
    let uri = server.uri();
    let app = spawn_app_with(
        Backend::Sqlite,
        move |s| {
            s.github.api_url = uri;
            s.github.token = Some(Secret::new("ghs_test"));
        },
        None,
    )
    .await;
    for file in [
        "zulip-issue_comment__pull_request_comment.json",
        "zulip-issue_comment__edited__unchanged.json",
    ] {
        let raw = fixture("github", file);
        let r = app
            .post_webhook(
                "github",
                raw.clone(),
                &github_headers(&raw, file, "issue_comment"),
            )
            .await;
        let v: Value = r.json().await.unwrap();
        assert_eq!(
            (v["status"].as_str(), v["reason"].as_str()),
            (Some("ignored"), Some("pull_request")),
            "{file}"
        );
    }
    // a pull request under the `pull_request` event, and one posing as an issue
    let mut pr: Value = serde_json::from_slice(&fixture("github", GH_OPENED)).unwrap();
    pr["issue"]["pull_request"] = json!({"url": "https://api.github.com/repos/a/b/pulls/33"});
    for event in ["issues", "pull_request"] {
        pr["action"] = json!(if event == "issues" {
            "opened"
        } else {
            "synchronize"
        });
        let body = serde_json::to_vec(&pr).unwrap();
        let r = app
            .post_webhook("github", body.clone(), &github_headers(&body, event, event))
            .await;
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["reason"], "pull_request", "{event}: {v}");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        count_jobs(&app.store).await,
        0,
        "no job, so nothing to write"
    );
    let requests = github.state.lock().unwrap().requests.clone();
    assert!(requests.is_empty(), "GitHub was never called: {requests:?}");
    app.stop().await;
}

#[tokio::test]
async fn forge_keys_are_found_url_encoded_in_the_tickets_api_and_the_web_page() {
    let app = spawn_app(Backend::Sqlite).await;
    let gh = fixture("github", GH_OPENED);
    app.post_webhook("github", gh.clone(), &github_headers(&gh, "k1", "issues"))
        .await;
    let gl = fixture("gitlab", "zulip-issue_hook__task_created.json");
    app.post_webhook("gitlab", gl, &gitlab_headers("k2", "Issue Hook"))
        .await;
    for (path, key) in [
        (
            "github/DhruvShetty22%2Fzulip-test%2333",
            "DhruvShetty22/zulip-test#33",
        ),
        (
            "gitlab/sathwikshetty33-group%2FmVc%237",
            "sathwikshetty33-group/mVc#7",
        ),
    ] {
        let v: Value = wait_for(|| async {
            let r = app.get(&format!("/api/v1/tickets/{path}")).await;
            if r.status() == 200 {
                r.json().await.ok()
            } else {
                None
            }
        })
        .await;
        assert_eq!(v["ticket"]["key"], key, "{v}");
        assert_eq!(v["ticket"]["tracker"], path.split('/').next().unwrap());
    }
    // the web page's ticket view takes the same encoded keys
    let page = app
        .get("/tickets/github/DhruvShetty22%2Fzulip-test%2333")
        .await;
    let status = page.status();
    let html = page.text().await.unwrap();
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("DhruvShetty22/zulip-test#33") && html.contains("GitHub"),
        "{html}"
    );
    let r = app.get("/api/v1/tickets/github/no-such%2Frepo%2399").await;
    assert_eq!(r.status(), 404);
    let r = app.get("/api/v1/tickets/github/not%20a%20key").await;
    assert_eq!(r.status(), 404);
    app.stop().await;
}

/// With `confidential_issues` off, a confidential GitLab issue leaves no text anywhere: not
/// in a ticket, not in a job, not in the delivery log; one that turns confidential is
/// removed. With it on, it is a ticket like any other.
#[tokio::test]
async fn confidential_gitlab_issues_leave_no_text_behind_unless_accepted() {
    let created = fixture(
        "gitlab",
        "zulip-issue_hook__confidential_issue_created_with_hidden_comment_in_description.json",
    );
    let reopened = fixture(
        "gitlab",
        "zulip-issue_hook__confidential_issue_reopened.json",
    );
    let app = spawn_app(Backend::Sqlite).await;
    let hook = "Confidential Issue Hook";
    let a: Value = app
        .post_webhook("gitlab", created.clone(), &gitlab_headers("c1", hook))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (a["status"].as_str(), a["reason"].as_str()),
        (Some("ignored"), Some("confidential"))
    );
    let b: Value = app
        .post_webhook("gitlab", reopened, &gitlab_headers("c2", hook))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (b["status"].as_str(), b["kind"].as_str()),
        (Some("queued"), Some("deleted"))
    );
    for text in &crate::db::kept_texts(&app.store).await {
        assert!(
            !text.contains("hidden comment") && !text.contains("Testing Test"),
            "{text}"
        );
    }
    app.stop().await;

    let app = spawn_app_with(
        Backend::Sqlite,
        |s| s.gitlab.confidential_issues = true,
        None,
    )
    .await;
    let a: Value = app
        .post_webhook("gitlab", created, &gitlab_headers("c1", hook))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (a["status"].as_str(), a["key"].as_str()),
        (Some("queued"), Some("joe.bloggs/testing#1"))
    );
    app.stop().await;
}
