//! `POST /api/v1/analyze` over a small git repository the test builds itself: readiness
//! waits for the code index, ranking and evidence, owners, and the background refresh.

use crate::helpers::{fixtures_dir, jira_headers, spawn_app_with, Backend, TestApp};
use git2::{IndexAddOption, Repository, Signature};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

pub(crate) fn commit(repo: &Repository, files: &[(&str, &str)], message: &str) {
    let root = repo.workdir().expect("work tree").to_path_buf();
    for (path, text) in files {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let mut index = repo.index().unwrap();
    index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::now("Dev", "dev@example.com").unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap();
}

pub(crate) fn build_repository(dir: &Path) -> Repository {
    let repo = Repository::init(dir).unwrap();
    commit(
        &repo,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
            ("CODEOWNERS", "* @acme/everyone\n/crates/auth/ @acme/security\n"),
            ("crates/auth/Cargo.toml", "[package]\nname = \"auth\"\n"),
            (
                "crates/auth/src/session.rs",
                "//! Session cookies and their expiry.\n\npub struct SessionStore;\n\nimpl SessionStore {\n    /// Extends the cookie expiry of a live session token.\n    pub fn refresh_session_token(&self, token: &str) -> bool {\n        token.len() > 8\n    }\n}\n",
            ),
            ("crates/auth/src/login.rs", "//! Password login.\npub fn verify_password(hash: &str, password: &str) -> bool { hash == password }\n"),
            ("crates/billing/Cargo.toml", "[package]\nname = \"billing\"\n"),
            (
                "crates/billing/src/invoice.rs",
                "//! Invoice rendering as PDF.\npub struct InvoiceRenderer;\nimpl InvoiceRenderer {\n    pub fn render_pdf(&self, total_cents: u64) -> Vec<u8> { total_cents.to_be_bytes().to_vec() }\n}\n",
            ),
        ],
        "initial import",
    );
    commit(
        &repo,
        &[("crates/auth/src/session.rs", "//! Session cookies and their expiry.\n\npub struct SessionStore;\n\nimpl SessionStore {\n    /// Extends the cookie expiry of a live session token.\n    pub fn refresh_session_token(&self, token: &str) -> bool {\n        token.len() > 16\n    }\n}\n")],
        "fix session cookie expiry for short tokens",
    );
    repo
}

pub(crate) async fn spawn_with_repository(dir: &Path, index_dir: &Path) -> TestApp {
    let repo = ticketlens::config::RepositorySettings {
        name: "app".into(),
        path: Some(dir.to_path_buf()),
        ..Default::default()
    };
    spawn_with_repositories(index_dir, vec![repo]).await
}

/// The server with these repositories, refreshed every second.
pub(crate) async fn spawn_with_repositories(
    index_dir: &Path,
    repositories: Vec<ticketlens::config::RepositorySettings>,
) -> TestApp {
    let index_dir = index_dir.to_path_buf();
    spawn_app_with(
        Backend::Sqlite,
        move |s| {
            s.codeindex.index_dir = index_dir;
            s.codeindex.refresh_interval_secs = 1;
            s.repositories = repositories;
        },
        None,
    )
    .await
}

pub(crate) async fn wait_until_ready(app: &TestApp) {
    crate::helpers::wait_for(|| async {
        let r = app.api().readyz().await;
        // ready for webhooks at once; the code index reports its own state
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        (body["checks"]["code_index"] == "ok").then_some(())
    })
    .await
}

async fn analyze(app: &TestApp, body: Value) -> (u16, Value) {
    let r = app.api().analyze(&body).await;
    (r.status().as_u16(), r.json().await.expect("json body"))
}

#[tokio::test]
async fn analyze_ranks_the_file_named_in_a_stack_trace_first_with_its_module_owners_and_evidence() {
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    let repo = build_repository(repo_dir.path());
    let app = spawn_with_repository(repo_dir.path(), index_dir.path()).await;
    wait_until_ready(&app).await;

    let (status, body) = analyze(
        &app,
        json!({
            "title": "Session expires right after login",
            "body": "thread 'main' panicked at crates/auth/src/session.rs:7:9 in `SessionStore::refresh_session_token`"
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let top = &body["files"][0];
    assert_eq!(top["path"], "crates/auth/src/session.rs", "{body:#}");
    assert_eq!(top["repository"], "app");
    assert_eq!(top["module"], "crates/auth");
    let terms: Vec<&str> = top["matched_terms"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        terms.contains(&"refreshsessiontoken") || terms.contains(&"session"),
        "{terms:?}"
    );
    let reasons = top["reasons"].to_string();
    assert!(reasons.contains("session.rs"), "{reasons}");
    let module = &body["modules"][0];
    assert_eq!(module["module"], "crates/auth");
    assert_eq!(module["name"], "crates/auth");
    assert_eq!(module["codeowners"], json!(["@acme/security"]));
    assert_eq!(module["top_files"][0], "crates/auth/src/session.rs");

    // once serve has mined the history, the same analysis carries fragility and the people
    // who know the module, beside its CODEOWNERS
    let body = crate::helpers::wait_for(|| async {
        let (_, body) = analyze(
            &app,
            json!({"title": "Session expires right after login", "body": "crates/auth/src/session.rs"}),
        )
        .await;
        (!body["modules"][0]["fragility"].is_null()).then_some(body)
    })
    .await;
    let module = &body["modules"][0];
    assert_eq!(module["owners"], json!(["Dev"]));
    assert_eq!(module["codeowners"], json!(["@acme/security"]));
    assert_eq!(module["history"]["commits_all"], 2);
    assert_eq!(module["history"]["fixes_all"], 1);

    // plain words, no path: the invoice file wins on content
    let (_, body) = analyze(&app, json!({"title": "Invoice PDF shows the wrong total"})).await;
    assert_eq!(
        body["files"][0]["path"], "crates/billing/src/invoice.rs",
        "{body:#}"
    );
    assert_eq!(body["modules"][0]["codeowners"], json!(["@acme/everyone"]));

    // a new commit is picked up by the background refresh, re-indexing only what changed
    commit(
        &repo,
        &[(
            "crates/billing/src/refund.rs",
            "//! Refunds of paid invoices.\npub fn issue_refund(invoice_id: u64) {}\n",
        )],
        "add refunds",
    );
    crate::helpers::wait_up_to(
        Duration::from_secs(10),
        "the refresh indexing the new file",
        || async {
            let (_, body) = analyze(
                &app,
                json!({"title": "issue_refund fails", "repository": "app"}),
            )
            .await;
            (body["files"][0]["path"] == "crates/billing/src/refund.rs").then_some(())
        },
    )
    .await;
    app.stop().await;
}

#[tokio::test]
async fn analyze_refuses_empty_text_and_unknown_repositories() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}, None).await;
    let (status, body) = analyze(&app, json!({"title": " ", "body": ""})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "bad_request");
    let (status, body) = analyze(&app, json!({"title": "x", "repository": "nope"})).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["field"], "repository");
    let (status, _) = analyze(&app, json!({"titel": "typo"})).await;
    assert_eq!(status, 400);
    app.stop().await;
}

#[tokio::test]
async fn analyze_names_likely_duplicates_among_known_tickets() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |s| s.duplicates.related_threshold = 0.0,
        None,
    )
    .await;
    let mut known: Value = serde_json::from_slice(
        &std::fs::read(fixtures_dir().join("jira/mattermost-webhook-issue-created.json")).unwrap(),
    )
    .unwrap();
    known["issue"]["fields"]["summary"] =
        json!("Checkout crashes with NullPointerException in PaymentService");
    known["issue"]["fields"]["description"] =
        json!("PaymentService.charge throws NullPointerException");
    let body = serde_json::to_vec(&known).unwrap();
    let r = app
        .post_webhook("jira", body.clone(), &jira_headers(&body, "k"))
        .await;
    assert_eq!(r.status(), 202);
    let (status, answer) = crate::helpers::wait_for(|| async {
        let (status, answer) = analyze(
            &app,
            json!({"title": "NullPointerException in PaymentService during checkout", "body": ""}),
        )
        .await;
        (answer["duplicates"]
            .as_array()
            .is_some_and(|d| !d.is_empty()))
        .then_some((status, answer))
    })
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer["duplicates"][0]["key"], "TES-41", "{answer}");
    assert!(
        answer["modules"].as_array().unwrap().is_empty(),
        "no repository configured"
    );
    app.stop().await;
}

/// `serve` with only `[[repositories]]` indexes the code *and* mines the history: a webhook
/// gets a comment with fragility and history, with no other command run.
async fn serve_alone_reaches_a_comment_with_fragility(by_url: bool) {
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    let repo = build_repository(repo_dir.path());
    let dir = repo_dir.path().to_path_buf();
    let (path, url) = if by_url {
        (None, Some(format!("file://{}", dir.display())))
    } else {
        (Some(dir), None)
    };
    // no branch: the repository's own default branch
    let only = ticketlens::config::RepositorySettings {
        name: "app".into(),
        path,
        url,
        ..Default::default()
    };
    let app = spawn_with_repositories(index_dir.path(), vec![only]).await;
    wait_until_ready(&app).await;
    let modules: Value = crate::helpers::wait_for(|| async {
        let body: Value = app
            .api()
            .modules("?repository=app")
            .await
            .json()
            .await
            .unwrap();
        (!body["modules"].as_array().unwrap().is_empty()).then_some(body)
    })
    .await;
    let names: Vec<&str> = modules["modules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["module"].as_str())
        .collect();
    assert!(names.contains(&"crates/auth"), "{modules}");

    let comment = comment_on_a_session_ticket(&app, "k").await;
    assert!(comment.contains("crates/auth"), "{comment}");
    // the brief comment's facts line: fragility, who knows it, last change
    assert!(comment.contains("Fragility"), "{comment}");
    assert!(comment.contains("last changed"), "{comment}");
    let repos: Value = app.get("/api/v1/repositories").await.json().await.unwrap();
    let r = &repos["repositories"][0];
    assert_eq!(r["state"], "ready", "{repos}");
    assert_eq!(r["indexed_commit"], r["mined_commit"], "{repos}");
    assert!(r["modules"].as_u64().unwrap() >= 2, "{repos}");
    let auth_commits = |m: &Value| {
        m["modules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["module"] == "crates/auth")
            .map(|m| m["commits"].as_i64().unwrap())
    };
    let before = auth_commits(&modules).unwrap();

    // a new commit is indexed, mined and its module rescored at the next refresh
    commit(
        &repo,
        &[("crates/auth/src/login.rs", "//! Password login.\npub fn verify_password(hash: &str, password: &str) -> bool { hash == password && !hash.is_empty() }\n")],
        "fix empty password login",
    );
    let head = repo
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    // the scores are replaced after the mined history is saved: wait for the rescore
    crate::helpers::wait_for(|| async {
        let after = crate::dependencies::app_modules(&app).await?;
        (auth_commits(&after) == Some(before + 1)).then_some(())
    })
    .await;
    let v: Value = app.get("/api/v1/repositories").await.json().await.unwrap();
    assert_eq!(v["repositories"][0]["mined_commit"], head.as_str());
    drop(repo);
    app.stop().await;
}

#[tokio::test]
async fn serve_alone_indexes_and_mines_a_repository_given_by_path() {
    serve_alone_reaches_a_comment_with_fragility(false).await;
}

#[tokio::test]
async fn serve_alone_indexes_and_mines_a_repository_given_by_file_url_without_a_branch() {
    serve_alone_reaches_a_comment_with_fragility(true).await;
}

/// A repository that cannot be opened holds up no other: the good one is analysed, jobs
/// finish, none is dead, and readiness says the code index is degraded, not down.
#[tokio::test]
async fn a_broken_repository_beside_a_good_one_blocks_nothing() {
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    let _repo = build_repository(repo_dir.path());
    let dir = repo_dir.path().to_path_buf();
    let repos = vec![
        ticketlens::config::RepositorySettings {
            name: "gone".into(),
            path: Some(dir.join("does-not-exist")),
            ..Default::default()
        },
        ticketlens::config::RepositorySettings {
            name: "app".into(),
            path: Some(dir),
            ..Default::default()
        },
    ];
    let app = spawn_with_repositories(index_dir.path(), repos).await;
    let ready: Value = crate::helpers::wait_for(|| async {
        let r = app.api().readyz().await;
        assert_eq!(
            r.status(),
            200,
            "webhooks are taken whatever the code index does"
        );
        let body: Value = r.json().await.unwrap();
        (body["checks"]["code_index"] == "degraded").then_some(body)
    })
    .await;
    assert_eq!(ready["status"], "ready");
    let comment = comment_on_a_session_ticket(&app, "b1").await;
    assert!(comment.contains("crates/auth"), "{comment}");
    // the good repository's history is mined to the commit its code index holds
    let repos: Value = crate::helpers::wait_for(|| async {
        let v: Value = app.get("/api/v1/repositories").await.json().await.ok()?;
        let r = &v["repositories"][1];
        (r["mined_commit"] == r["indexed_commit"]).then_some(v)
    })
    .await;
    let repos = repos["repositories"].as_array().unwrap();
    assert_eq!(repos.len(), 2);
    assert_eq!(repos[0]["name"], "gone");
    assert_eq!(repos[0]["state"], "failed");
    assert!(repos[0]["last_error"]
        .as_str()
        .unwrap()
        .contains("does-not-exist"));
    assert_eq!(repos[1]["state"], "ready");
    assert_eq!(
        repos[1]["indexed_commit"], repos[1]["mined_commit"],
        "{repos:?}"
    );
    let dead = crate::helpers::jobs_in(&app.store, ticketlens::store::JobState::Dead).await;
    assert_eq!(dead, 0);
    app.stop().await;
}

/// Posts a real Jira "issue created" webhook about session tokens and waits for the comment
/// TicketLens writes on it (dry run: rendered and stored).
pub(crate) async fn comment_on_a_session_ticket(app: &TestApp, delivery: &str) -> String {
    let mut ticket: Value = serde_json::from_slice(
        &std::fs::read(fixtures_dir().join("jira/mattermost-webhook-issue-created.json")).unwrap(),
    )
    .unwrap();
    ticket["issue"]["fields"]["summary"] = json!("Session token refresh expires the cookie");
    ticket["issue"]["fields"]["description"] =
        json!("SessionStore::refresh_session_token returns false for short tokens");
    let body = serde_json::to_vec(&ticket).unwrap();
    let r = app
        .post_webhook("jira", body.clone(), &jira_headers(&body, delivery))
        .await;
    assert_eq!(r.status(), 202);
    crate::helpers::wait_for(|| async {
        let t: Value = app.api().ticket("jira", "TES-41").await.json().await.ok()?;
        t["comment"]["body"].as_str().map(str::to_string)
    })
    .await
}
