//! Nothing written on one ticket leaks from, or acts on, another — through the real server
//! and the fakes: a ticket of another tracker, another project or behind a security level is
//! never quoted (as a precedent or a duplicate); a bare `#2` in a mined commit names only
//! its own repository's issue 2; a crafted title quoted in a GitLab note never starts a
//! line (`/close`) and `@all` is no mention there nor in Jira's ADF; the web page shows such
//! a title as text; and a comment id that is not the tracker's fails the write.

use crate::analyze::{build_repository, commit, wait_until_ready};
use crate::fakes::FakeJira;
use crate::forge_harness::Forge;
use crate::helpers::wait_for;
use crate::helpers::*;
use crate::helpers::{jobs_in, settle};
use serde_json::{json, Value};
use ticketlens::config::{RepositorySettings, Settings};
use ticketlens::domain::{AudienceScope, Enrichment};
use ticketlens::store::JobState;
use wiremock::MockServer;

/// The zero-width space the writers put after a sigil.
const ZWSP: char = '\u{200B}';

const INVOICE: &str = "Invoice PDF export crashes on negative totals";
const INVOICE_BODY: &str =
    "InvoiceRenderer::render_pdf panics when total_cents is negative; the PDF export of a refund fails";

fn fixture_json(tracker: &str, file: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixtures_dir().join(tracker).join(file)).unwrap())
        .unwrap()
}

/// A Jira "issue created" webhook; `secured` puts the issue behind a security level.
fn jira_issue(key: &str, id: u64, title: &str, secured: bool) -> Vec<u8> {
    let mut v = fixture_json("jira", "mattermost-webhook-issue-created.json");
    v["issue"]["key"] = json!(key);
    v["issue"]["id"] = json!(id.to_string());
    v["issue"]["fields"]["summary"] = json!(title);
    v["issue"]["fields"]["description"] = json!(INVOICE_BODY);
    if secured {
        v["issue"]["fields"]["security"] = json!({"id": "10001", "name": "Staff only"});
    }
    serde_json::to_vec(&v).unwrap()
}

/// A GitHub "issue opened" webhook in `repo`, public or private; its id is `id`.
fn github_issue(repo: &str, number: u64, id: u64, title: &str, private: bool) -> Vec<u8> {
    let mut v = fixture_json("github", crate::forges::GH_OPENED);
    v["repository"]["full_name"] = json!(repo);
    v["repository"]["private"] = json!(private);
    v["repository"]["visibility"] = json!(if private { "private" } else { "public" });
    v["issue"]["number"] = json!(number);
    v["issue"]["id"] = json!(id);
    v["issue"]["title"] = json!(title);
    v["issue"]["body"] = json!(INVOICE_BODY);
    v["issue"]["html_url"] = json!(format!("https://github.com/{repo}/issues/{number}"));
    serde_json::to_vec(&v).unwrap()
}

async fn post(app: &TestApp, tracker: &str, body: Vec<u8>, delivery: &str) {
    let headers = match tracker {
        "jira" => jira_headers(&body, delivery),
        _ => github_headers(&body, delivery, "issues"),
    };
    let r = app.post_webhook(tracker, body, &headers).await;
    assert_eq!(r.status(), 202, "{:?}", r.text().await);
}

/// Waits for a ticket's comment record (dry run or sent) and returns its analysis and body.
async fn analysed(app: &TestApp, tracker: &str, id: &str) -> (Enrichment, String) {
    wait_for(|| async {
        let c = app.store.comment(tracker, id).await.unwrap()?;
        matches!(c.state.as_str(), "dry_run" | "sent").then_some(())
    })
    .await;
    let c = app.store.comment(tracker, id).await.unwrap().unwrap();
    (serde_json::from_str(&c.analysis).unwrap(), c.body)
}

fn keys(e: &Enrichment) -> (Vec<String>, Vec<String>) {
    (
        e.precedents.iter().map(|p| p.key.clone()).collect(),
        e.duplicates.iter().map(|d| d.key.clone()).collect(),
    )
}

/// The server over one repository named `name`, with its history mined.
async fn spawn_mined(
    repo: &std::path::Path,
    index: &std::path::Path,
    name: &str,
    scope: AudienceScope,
) -> TestApp {
    let (repo, index, name) = (repo.to_path_buf(), index.to_path_buf(), name.to_string());
    let app = spawn_app_with(
        Backend::Sqlite,
        move |s: &mut Settings| {
            s.codeindex.index_dir = index;
            s.codeindex.refresh_interval_secs = 1;
            s.repositories = vec![RepositorySettings {
                name,
                path: Some(repo),
                ..Default::default()
            }];
            s.duplicates.related_threshold = 0.0;
            s.duplicates.audience = scope;
            // duplicates leave their project only when both settings say so
            s.duplicates.same_project = scope == AudienceScope::Project;
            // each job commits its ticket: the next ticket's search meets it
            s.duplicates.commit_interval_ms = 0;
        },
        None,
    )
    .await;
    wait_until_ready(&app).await;
    wait_for(|| async {
        let v: Value = app.get("/api/v1/repositories").await.json().await.ok()?;
        let r = &v["repositories"][0];
        (r["mined_commit"].is_string() && r["mined_commit"] == r["indexed_commit"]).then_some(())
    })
    .await;
    app
}

/// A repository whose commits fix TES-1, TES-2 (behind a security level) and, by a bare
/// `#2`, its own issue 2.
fn invoice_repository(dir: &std::path::Path) {
    let repo = build_repository(dir);
    let invoice = |n: u64| {
        format!("//! Invoice rendering as PDF.\npub struct InvoiceRenderer;\nimpl InvoiceRenderer {{\n    pub fn render_pdf(&self, total_cents: i64) -> Vec<u8> {{ total_cents.max({n}).to_be_bytes().to_vec() }}\n}}\n")
    };
    let path = "crates/billing/src/invoice.rs";
    commit(
        &repo,
        &[(path, &invoice(0))],
        "TES-1: fix the invoice PDF export for negative totals",
    );
    commit(
        &repo,
        &[(path, &invoice(1))],
        "TES-2: fix the invoice PDF export of refunds",
    );
    commit(
        &repo,
        &[(path, &invoice(2))],
        "Fix invoice PDF export crash on negative totals (#2)",
    );
}

#[tokio::test]
async fn a_cross_tracker_cross_project_or_secured_precedent_is_absent() {
    let (repo_dir, index_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    invoice_repository(repo_dir.path());
    // the repository is the GitHub project `…/zulip-test`: its bare `#2` is that issue 2
    let app = spawn_mined(
        repo_dir.path(),
        index_dir.path(),
        "zulip-test",
        AudienceScope::Project,
    )
    .await;
    let same = "DhruvShetty22/zulip-test";
    post(
        &app,
        "jira",
        jira_issue("TES-1", 20001, INVOICE, false),
        "j1",
    )
    .await;
    analysed(&app, "jira", "20001").await;
    post(
        &app,
        "jira",
        jira_issue("TES-2", 20002, INVOICE, true),
        "j2",
    )
    .await;
    analysed(&app, "jira", "20002").await;
    post(
        &app,
        "github",
        github_issue("other/lib", 2, 91, INVOICE, false),
        "g1",
    )
    .await;
    analysed(&app, "github", "91").await;
    post(
        &app,
        "github",
        github_issue(same, 2, 92, INVOICE, false),
        "g2",
    )
    .await;
    analysed(&app, "github", "92").await;
    settle(&app.store).await;

    // a public GitHub issue: its own repository's issue 2 (named `#2` by the repository's
    // commit) and nothing of Jira or of the other repository
    post(
        &app,
        "github",
        github_issue(same, 33, 93, INVOICE, false),
        "g3",
    )
    .await;
    let (e, body) = analysed(&app, "github", "93").await;
    let (precedents, duplicates) = keys(&e);
    assert_eq!(precedents, [format!("{same}#2")], "{e:?}");
    assert!(
        duplicates.iter().all(|k| k.starts_with(same)),
        "{duplicates:?}"
    );
    for absent in ["TES-1", "TES-2", "other/lib"] {
        assert!(!body.contains(absent), "{absent} in {body}");
    }

    // a Jira ticket of TES: TES-1, never TES-2 (security level) nor a GitHub issue
    post(
        &app,
        "jira",
        jira_issue("TES-41", 10040, INVOICE, false),
        "j3",
    )
    .await;
    let (e, body) = analysed(&app, "jira", "10040").await;
    let (precedents, duplicates) = keys(&e);
    assert_eq!(precedents, ["TES-1"], "{e:?}");
    assert!(duplicates.iter().all(|k| k == "TES-1"), "{duplicates:?}");
    assert!(!duplicates.is_empty(), "TES-1 is related: {e:?}");
    for absent in ["TES-2", "zulip-test", "other/lib"] {
        assert!(!body.contains(absent), "{absent} in {body}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_wider_audience_brings_public_issues_of_other_projects_but_nothing_private() {
    let (repo_dir, index_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    invoice_repository(repo_dir.path());
    let app = spawn_mined(
        repo_dir.path(),
        index_dir.path(),
        "zulip-test",
        AudienceScope::All,
    )
    .await;
    post(
        &app,
        "jira",
        jira_issue("TES-1", 20001, INVOICE, false),
        "j1",
    )
    .await;
    analysed(&app, "jira", "20001").await;
    post(
        &app,
        "github",
        github_issue("other/lib", 5, 95, INVOICE, false),
        "g1",
    )
    .await;
    analysed(&app, "github", "95").await;
    post(
        &app,
        "github",
        github_issue("other/secret", 6, 96, INVOICE, true),
        "g2",
    )
    .await;
    analysed(&app, "github", "96").await;
    settle(&app.store).await;
    let ours = github_issue("DhruvShetty22/zulip-test", 33, 93, INVOICE, false);
    post(&app, "github", ours, "g3").await;
    let (e, _) = analysed(&app, "github", "93").await;
    let (precedents, duplicates) = keys(&e);
    assert!(duplicates.contains(&"other/lib#5".to_string()), "{e:?}");
    for k in precedents.iter().chain(&duplicates) {
        assert!(
            k != "TES-1" && k != "other/secret#6",
            "{k} quoted on a public issue: {e:?}"
        );
    }
    // the Jira ticket, now allowed other trackers, takes the public issue, not the private one
    post(
        &app,
        "jira",
        jira_issue("TES-41", 10040, INVOICE, false),
        "j3",
    )
    .await;
    let (e, _) = analysed(&app, "jira", "10040").await;
    let (_, duplicates) = keys(&e);
    assert!(duplicates.contains(&"other/lib#5".to_string()), "{e:?}");
    assert!(!duplicates.contains(&"other/secret#6".to_string()), "{e:?}");
    app.stop().await;
}

/// The hostile title a GitLab issue can have.
const QUICK_ACTIONS: &str = "Invoice crash\n/close\n/label ~security\n/assign @mallory @all";

#[tokio::test]
async fn a_quoted_title_never_starts_a_line_nor_mentions_anyone_in_a_gitlab_note() {
    let server = MockServer::start().await;
    let forge = Forge::start("gitlab", &server).await;
    let configure = forge.settings(server.uri());
    let app = spawn_app_with(
        Backend::Sqlite,
        move |s: &mut Settings| {
            configure(s);
            s.duplicates.related_threshold = 0.0;
            s.duplicates.commit_interval_ms = 0;
            // the long form quotes every related title; the brief one may quote none
            s.comments.detail = ticketlens::render::Detail::Full;
        },
        None,
    )
    .await;
    let mut hostile: Value = serde_json::from_slice(&forge.other(5, QUICK_ACTIONS)).unwrap();
    hostile["object_attributes"]["description"] = json!(format!("{INVOICE}\n{INVOICE_BODY}"));
    forge
        .post(&app, serde_json::to_vec(&hostile).unwrap(), "h1")
        .await;
    settle(&app.store).await;
    let stored: Value = app
        .get("/api/v1/tickets/gitlab/adambirds%2Fzulip-gitlab-test%235")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        stored["ticket"]["title"], "Invoice crash /close /label ~security /assign @mallory @all",
        "folded at parse: {stored}"
    );

    let mut target: Value = serde_json::from_slice(&forge.event("created", INVOICE, 0)).unwrap();
    target["object_attributes"]["description"] = json!(INVOICE_BODY);
    forge
        .post(&app, serde_json::to_vec(&target).unwrap(), "h2")
        .await;
    let note = forge.assert_one_comment(&app, "hostile title quoted").await;
    assert!(
        note.body.contains("Invoice crash"),
        "the title is quoted: {}",
        note.body
    );
    for line in note.body.lines() {
        assert!(
            !line.trim_start().starts_with('/'),
            "a quick action line: {line:?}"
        );
    }
    for who in ["@mallory", "@all", "@security"] {
        assert!(!note.body.contains(who), "{who} mentioned: {}", note.body);
    }
    assert!(
        note.body.contains(&format!("@{ZWSP}mallory")),
        "named: {}",
        note.body
    );
    assert!(
        !note.body.contains("~security"),
        "a label reference: {}",
        note.body
    );
    app.stop().await;
}

fn adf_texts(v: &Value, out: &mut Vec<String>) {
    assert_ne!(v["type"], "mention", "no mention node: {v}");
    if let Some(t) = v["text"].as_str() {
        out.push(t.to_string());
    }
    for c in v["content"].as_array().into_iter().flatten() {
        adf_texts(c, out);
    }
}

#[tokio::test]
async fn at_all_is_no_mention_in_a_jira_comment_nor_on_the_ticket_page() {
    let jira = MockServer::start().await;
    let fake = FakeJira::mount(&jira).await;
    let configure = crate::writeback::jira_cloud(&jira);
    let app = spawn_app_with(
        Backend::Sqlite,
        move |s: &mut Settings| {
            configure(s);
            s.duplicates.commit_interval_ms = 0;
            s.comments.detail = ticketlens::render::Detail::Full;
        },
        None,
    )
    .await;
    let title = "Invoice PDF export @all [~accountid:5b10a2844c20165700ede21g] <script>alert(1)</script> https://evil.example/x";
    post(&app, "jira", jira_issue("TES-5", 20005, title, false), "a1").await;
    settle(&app.store).await;
    post(
        &app,
        "jira",
        jira_issue("TES-41", 10040, INVOICE, false),
        "a2",
    )
    .await;
    wait_for(|| async { (!fake.comments_on("TES-41").is_empty()).then_some(()) }).await;
    settle(&app.store).await;
    let comment = fake.comments_on("TES-41").remove(0);
    let mut texts = Vec::new();
    adf_texts(&comment.body, &mut texts);
    let all = texts.concat();
    assert!(
        all.contains("Invoice PDF export @"),
        "TES-5 is quoted: {all}"
    );
    assert!(
        !all.contains("@all") && all.contains(&format!("@{ZWSP}all")),
        "{all}"
    );
    assert!(!all.contains("https://evil"), "no bare address: {all}");
    let hrefs = comment.body.to_string();
    assert!(
        !hrefs.contains("evil.example/x\""),
        "never a link target: {hrefs}"
    );

    // the page shows the title as text
    let page = app.get("/tickets/jira/TES-5").await.text().await.unwrap();
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("href=\"https://evil"), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn a_comment_id_that_is_not_a_jira_id_fails_the_write() {
    let jira = MockServer::start().await;
    let fake = FakeJira::mount(&jira).await;
    fake.state.lock().unwrap().create_answer_id = Some("../../TES-999/comment/7".into());
    let app = spawn_app_with(Backend::Sqlite, crate::writeback::jira_cloud(&jira), None).await;
    post(
        &app,
        "jira",
        jira_issue("TES-41", 10040, INVOICE, false),
        "b1",
    )
    .await;
    wait_for(|| async { (jobs_in(&app.store, JobState::Dead).await == 1).then_some(()) }).await;
    let dead = app.store.list_jobs(JobState::Dead, 10).await.unwrap();
    let error = dead[0].last_error.clone().unwrap_or_default();
    assert!(error.contains("not one of its ids"), "{error}");
    assert_eq!(fake.puts(), 0, "nothing was updated");
    let record = app.store.comment("jira", "10040").await.unwrap().unwrap();
    assert_eq!(record.state.as_str(), "pending", "{record:?}");
    // an edit of the ticket: the create may have landed, so it is looked for and adopted
    // under the id Jira lists, never under the one the answer claimed
    post(
        &app,
        "jira",
        jira_issue("TES-41", 10040, &format!("{INVOICE}!"), false),
        "b2",
    )
    .await;
    settle(&app.store).await;
    let requests = fake.state.lock().unwrap().requests.clone();
    assert!(
        requests.iter().all(|r| r.contains("/issue/TES-41/comment")),
        "every request is about TES-41: {requests:?}"
    );
    let record = app.store.comment("jira", "10040").await.unwrap().unwrap();
    let genuine = fake.comments_on("TES-41")[0].id.clone();
    assert_eq!(
        record.comment_id.as_deref(),
        Some(genuine.as_str()),
        "{record:?}"
    );
    assert_eq!(fake.comments_on("TES-41").len(), 1);
    app.stop().await;
}
