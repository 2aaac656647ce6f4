//! `POST /api/v1/analyze` over a small git repository the test builds itself: readiness
//! waits for the code index, ranking and evidence, owners, and the background refresh.

use crate::helpers::{fixtures_dir, jira_headers, spawn_app_with, Backend, TestApp};
use git2::{IndexAddOption, Repository, Signature};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

fn commit(repo: &Repository, files: &[(&str, &str)], message: &str) {
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

fn build_repository(dir: &Path) -> Repository {
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

async fn spawn_with_repository(dir: &Path, index_dir: &Path) -> TestApp {
    let (dir, index_dir) = (dir.to_path_buf(), index_dir.to_path_buf());
    spawn_app_with(
        Backend::Sqlite,
        move |s| {
            s.codeindex.index_dir = index_dir;
            s.codeindex.refresh_interval_secs = 1;
            s.repositories = vec![ticketlens::config::RepositorySettings {
                name: "app".into(),
                path: Some(dir),
                ..Default::default()
            }];
        },
        None,
    )
    .await
}

async fn wait_until_ready(app: &TestApp) {
    for _ in 0..200 {
        if app.get("/readyz").await.status() == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("code index never became ready");
}

async fn analyze(app: &TestApp, body: Value) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/analyze", app.address))
        .json(&body)
        .send()
        .await
        .expect("request");
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
    assert_eq!(module["owners"], json!(["@acme/security"]));
    assert_eq!(module["top_files"][0], "crates/auth/src/session.rs");
    assert!(module["fragility"].is_null());

    // plain words, no path: the invoice file wins on content
    let (_, body) = analyze(&app, json!({"title": "Invoice PDF shows the wrong total"})).await;
    assert_eq!(
        body["files"][0]["path"], "crates/billing/src/invoice.rs",
        "{body:#}"
    );
    assert_eq!(body["modules"][0]["owners"], json!(["@acme/everyone"]));

    // a new commit is picked up by the background refresh, re-indexing only what changed
    commit(
        &repo,
        &[(
            "crates/billing/src/refund.rs",
            "//! Refunds of paid invoices.\npub fn issue_refund(invoice_id: u64) {}\n",
        )],
        "add refunds",
    );
    let mut found = false;
    for _ in 0..100 {
        let (_, body) = analyze(
            &app,
            json!({"title": "issue_refund fails", "repository": "app"}),
        )
        .await;
        if body["files"][0]["path"] == "crates/billing/src/refund.rs" {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(found, "refresh never indexed the new file");
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
    let (status, answer) = crate::webhooks::wait_for(|| async {
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
