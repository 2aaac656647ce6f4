//! TicketLens measures itself: keys mined from commit messages meet the tickets' keys
//! through a key template (and say so when they do not), past tickets imported from a file
//! become precedents, and a fix landing after a ticket's analysis records how the analysis
//! did, shown by the accuracy API and the overview page.

use crate::analyze::{build_repository, commit, wait_until_ready};
use crate::helpers::{
    fixtures_dir, github_headers, jira_headers, spawn_app_over, wait_for, TestApp, TestDb,
};
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

/// A repository built for the test (`build_repository` and one more commit), and the
/// directory its code index lives in.
pub(crate) struct Site {
    pub(crate) repo_dir: tempfile::TempDir,
    index_dir: tempfile::TempDir,
    pub(crate) repo: git2::Repository,
}

impl Site {
    pub(crate) fn with_commit(path: &str, text: &str, message: &str) -> Site {
        let repo_dir = tempfile::tempdir().unwrap();
        let repo = build_repository(repo_dir.path());
        commit(&repo, &[(path, text)], message);
        Site {
            repo_dir,
            index_dir: tempfile::tempdir().unwrap(),
            repo,
        }
    }

    /// The app over this repository with `patterns` (and `tweak`), ready for webhooks.
    pub(crate) async fn serve(
        &self,
        db: TestDb,
        patterns: Vec<LinkPattern>,
        tweak: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let set_repo = over_repository(self.repo_dir.path(), self.index_dir.path(), patterns);
        let app = spawn_app_over(
            db,
            move |s| {
                set_repo(s);
                tweak(s);
            },
            None,
        )
        .await;
        wait_until_ready(&app).await;
        app
    }
}

async fn sqlite() -> TestDb {
    TestDb::new(crate::helpers::Backend::Sqlite).await
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
        let v: Value = app.api().repositories().await.json().await.ok()?;
        let l = v["repositories"][0]["links"].clone();
        (l.is_object()).then_some(l)
    })
    .await
}

#[tokio::test]
async fn a_key_template_makes_bare_bug_numbers_meet_the_tickets_and_a_mismatch_is_said() {
    let site = Site::with_commit(
        "crates/auth/src/session.rs",
        "//! Session cookies and their expiry.\npub fn refresh_session_token(t: &str) -> bool { t.len() > 32 }\n",
        "Fix for bug 41: the session cookie expired on token refresh",
    );
    let bare = vec![LinkPattern::Bare(BUG.into())];
    let app = site.serve(sqlite().await, bare, |_| {}).await;
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
    let app = site.serve(db, vec![as_jira_key()], |_| {}).await;
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

/// Whether the analysis' first module, or any of its first three, holds `path` (module ids
/// are the repository's directories here).
fn named(analysis: &Value, path: &str) -> (bool, bool) {
    let holds = |m: &Value| {
        m["module"]
            .as_str()
            .is_some_and(|id| path.starts_with(&format!("{id}/")))
    };
    let modules = analysis["modules"].as_array().cloned().unwrap_or_default();
    (
        modules.first().is_some_and(holds),
        modules.iter().take(3).any(holds),
    )
}

/// Live accuracy end to end: two tickets are analysed, commits naming them land later (one
/// fix where its analysis pointed, one elsewhere, with a file it created), and the next
/// refresh judges both; a ticket whose fix was already mined when it was analysed is not
/// measured. The accuracy API, `/metrics` and the overview page (in Chromium) show it.
#[tokio::test]
async fn fixes_landing_after_the_analysis_are_measured_and_shown() {
    let site = Site::with_commit(
        "crates/billing/src/invoice.rs",
        "//! Invoice rendering as PDF, totals in cents.\npub struct InvoiceRenderer;\n",
        "TES-52: invoice totals rounded",
    );
    let repo = &site.repo;
    let app = site.serve(sqlite().await, vec![], |_| {}).await;
    links_of(&app).await; // mined
    let session = jira_ticket(
        &app,
        "TES-50",
        "10050",
        "Session token refresh expires the cookie",
        "SessionStore::refresh_session_token returns false for short tokens",
    )
    .await;
    let invoice = jira_ticket(
        &app,
        "TES-51",
        "10051",
        "Invoice PDF shows the wrong total",
        "InvoiceRenderer::render_pdf prints total_cents wrongly",
    )
    .await;
    jira_ticket(
        &app,
        "TES-52",
        "10052",
        "Invoice totals are rounded",
        "InvoiceRenderer rounds the totals",
    )
    .await;
    let (fix_a, fix_b) = ("crates/auth/src/session.rs", "crates/auth/src/login.rs");
    let (first_a, any_a) = named(&session["analysis"], fix_a);
    let (first_b, any_b) = named(&invoice["analysis"], fix_b);
    assert!(
        first_a,
        "the session ticket lands in auth: {}",
        session["analysis"]
    );
    assert!(
        !first_b,
        "the invoice ticket lands in billing: {}",
        invoice["analysis"]
    );
    // git times are whole seconds: the fixes are made after the analyses
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    commit(repo, &[(fix_a, "//! Session cookies.\npub fn refresh_session_token(t: &str) -> bool { !t.is_empty() }\n")], "TES-50: keep the cookie on refresh");
    commit(
        repo,
        &[(fix_b, "//! Password login.\npub fn verify_password(h: &str, p: &str) -> bool { h == p }\n"), ("crates/auth/src/totp.rs", "pub fn totp() {}\n")],
        "TES-51: the total was a login problem after all",
    );
    let acc: Value = wait_for(|| async {
        let v: Value = app.api().accuracy("app").await.json().await.ok()?;
        (v["tickets"] == 2).then_some(v)
    })
    .await;
    let share = |a: bool, b: bool| json!((u8::from(a) + u8::from(b)) as f64 / 2.0);
    assert_eq!(acc["first_module_right"], share(first_a, first_b), "{acc}");
    assert_eq!(acc["any_module_right"], share(any_a, any_b), "{acc}");
    assert_eq!(acc["recent"]["tickets"], 2);
    assert_eq!(acc["projects"][0]["project"], "TES");
    assert_eq!(acc["projects"][0]["all"]["tickets"], 2);
    for k in ["first_module_right", "any_module_right", "any_file_right"] {
        let v = acc[k].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{k}: {v}");
    }
    let metrics = app.api().metrics().await.text().await.unwrap();
    assert!(
        metrics.contains(r#"ticketlens_accuracy_tickets{repository="app",scope="all"} 2"#),
        "{metrics}"
    );
    assert!(metrics.contains(&format!(
        r#"ticketlens_accuracy_share{{measure="first_module_right",repository="app",scope="all"}} {}"#,
        acc["first_module_right"]
    )), "{metrics}");
    assert_eq!(app.api().accuracy("nope").await.status(), 404);

    overview_gives_the_counts_of_two(&app, &acc).await;
    app.stop().await;
}

/// The overview, in Chromium, says how the two measured tickets did (counts, no shares).
async fn overview_gives_the_counts_of_two(app: &TestApp, acc: &Value) {
    let browser = crate::browser::Browser::launch().await;
    let mut tab = browser.tab().await;
    tab.goto(&format!("{}/", app.address)).await;
    let text = tab.text().await;
    let right = |k: &str| (acc[k].as_f64().unwrap() * 2.0).round() as i64;
    let headline = format!(
        "2 fixed tickets measured so far, too few for a share (it takes 10): the first module \
         named was right on {}, one of the modules shown on {}, one of the files shown on {}",
        right("first_module_right"),
        right("any_module_right"),
        right("any_file_right")
    );
    assert!(
        !text.contains("A file shown right"),
        "no table of shares over 2 tickets"
    );
    assert!(
        text.contains("How often it is right") && text.contains(&headline),
        "{text}"
    );
    assert_eq!(tab.accessibility_problems().await, json!([]));
    tab.screenshot("overview-accuracy", 1280, false).await;
}

/// A repository whose commits say `(#8)` for its GitHub project's issue 8: with the
/// project named (`forge_project`), the fix of `octo/shop#8` is found and measured.
#[tokio::test]
async fn a_bare_issue_reference_is_measured_against_the_forge_projects_issue() {
    let site = Site::with_commit(
        "crates/billing/src/invoice.rs",
        "//! Invoice rendering as PDF, totals in cents.\npub struct InvoiceRenderer;\n",
        "Render invoices (#3)",
    );
    let app = site
        .serve(sqlite().await, vec![], |s| {
            s.repositories[0].forge_project = Some("octo/shop".into());
        })
        .await;
    let links = links_of(&app).await;
    assert_eq!(links["keys_mined"], 1, "{links}");
    let mut issue: Value = serde_json::from_slice(
        &std::fs::read(fixtures_dir().join("github").join(crate::forges::GH_OPENED)).unwrap(),
    )
    .unwrap();
    issue["repository"]["full_name"] = json!("octo/shop");
    issue["issue"]["number"] = json!(8);
    issue["issue"]["title"] = json!("Session token refresh expires the cookie");
    issue["issue"]["body"] =
        json!("SessionStore::refresh_session_token returns false for short tokens");
    let raw = serde_json::to_vec(&issue).unwrap();
    let r = app
        .post_webhook(
            "github",
            raw.clone(),
            &github_headers(&raw, "bare-8", "issues"),
        )
        .await;
    assert_eq!(r.status(), 202);
    wait_for(|| async {
        let t: Value = app
            .api()
            .ticket("github", "octo/shop#8")
            .await
            .json()
            .await
            .ok()?;
        t["analysis"].is_object().then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    commit(
        &site.repo,
        &[(
            "crates/auth/src/session.rs",
            "//! Session cookies.\npub fn refresh_session_token(t: &str) -> bool { !t.is_empty() }\n",
        )],
        "Keep the cookie on refresh (#8)",
    );
    let acc: Value = wait_for(|| async {
        let v: Value = app.api().accuracy("app").await.json().await.ok()?;
        (v["tickets"] == 1).then_some(v)
    })
    .await;
    assert_eq!(acc["projects"][0]["project"], "octo/shop", "{acc}");
    app.stop().await;
}

/// What the two tickets' analyses showed: `src/auth` then `src/billing`, `session.rs`, and
/// similar past work whose fix changed `login.rs` (which TOM-1's fix changes too).
fn auth_then_billing() -> ticketlens::domain::Predicted {
    ticketlens::domain::Predicted {
        modules: vec![
            ("app".into(), "src/auth".into()),
            ("app".into(), "src/billing".into()),
        ],
        files: vec![("app".into(), "src/auth/session.rs".into())],
        precedents: vec![ticketlens::domain::ShownPrecedent {
            key: "TOM-0".into(),
            repository: "app".into(),
            files: vec!["src/auth/login.rs".into(), "src/auth/token.rs".into()],
        }],
    }
}

/// The store's side on both backends: a fix made after the analysis is judged once (files
/// it created not counted), one made before is not, and the key counts read the links.
async fn outcomes_are_judged_once_against_fixes_made_after_the_analysis(
    backend: crate::helpers::Backend,
) {
    use ticketlens::store::AnalysedTicket;
    let app = crate::helpers::spawn_app(backend).await;
    let mut repo = crate::history::Repo::new();
    repo.commit(
        "alice",
        40,
        "Initial import",
        &[
            ("src/auth/login.rs", "a\n"),
            ("src/auth/session.rs", "s\n"),
            ("src/auth/token.rs", "t\n"),
            ("src/billing/pay.rs", "p\n"),
            ("src/billing/invoice.rs", "i\n"),
            ("src/billing/tax.rs", "x\n"),
        ],
    );
    repo.commit(
        "bob",
        10,
        "TOM-2: fixed before its analysis",
        &[("src/billing/pay.rs", "q\n")],
    );
    let day = 86_400_000;
    let now = ticketlens::store::now_ms();
    let shown = auth_then_billing();
    for (id, key) in [("1", "TOM-1"), ("2", "TOM-2")] {
        let t = AnalysedTicket {
            tracker: "jira",
            ticket_id: id,
            ticket_key: key,
            project: "TOM",
        };
        app.store
            .record_prediction(t, &shown, now - 5 * day)
            .await
            .unwrap();
    }
    assert_eq!(crate::history::mine(&app, &repo).await.measured, 0);
    repo.commit(
        "carol",
        1,
        "TOM-1: fix the login",
        &[("src/auth/login.rs", "b\n"), ("src/auth/new.rs", "n\n")],
    );
    assert_eq!(crate::history::mine(&app, &repo).await.measured, 1);
    repo.commit(
        "carol",
        0,
        "TOM-1: and once more",
        &[("src/billing/pay.rs", "r\n")],
    );
    assert_eq!(
        crate::history::mine(&app, &repo).await.measured,
        0,
        "judged once"
    );
    let acc = app
        .store
        .accuracy("app", Some("TOM"), Some(10))
        .await
        .unwrap();
    assert_eq!(acc.tickets, 1);
    assert_eq!(
        (
            acc.first_module_right,
            acc.any_module_right,
            acc.any_file_right
        ),
        (Some(1.0), Some(1.0), Some(0.0)),
        "login.rs is in the first module; the created new.rs counts for nothing"
    );
    assert_eq!(
        app.store
            .accuracy("app", Some("ENG"), None)
            .await
            .unwrap()
            .tickets,
        0
    );
    assert_eq!(app.store.accuracy_projects("app").await.unwrap(), ["TOM"]);
    let precedents = app.store.precedent_accuracy("app").await.unwrap();
    assert_eq!(
        (precedents.tickets, precedents.fix_overlap),
        (1, Some(1.0)),
        "TOM-1's named precedent had changed login.rs"
    );
    let keys = app.store.key_match(Some("app")).await.unwrap();
    assert_eq!((keys.keys_mined, keys.keys_matched), (2, 0));
    assert_eq!(keys.unmatched_examples, ["TOM-1", "TOM-2"]);
    assert_eq!(app.store.key_match(None).await.unwrap().keys_mined, 2);
    app.stop().await;
}

crate::both_backends!(outcomes_are_judged_once_against_fixes_made_after_the_analysis);

/// Past tickets from a file (this project's dataset format) become precedents: the commits
/// name them by number, a key template meets them, and a new ticket alike is shown the old
/// one's fix. Importing the file again changes nothing; none of them gets a comment.
#[tokio::test]
async fn a_backfilled_file_of_past_tickets_gives_a_new_ticket_its_precedent() {
    use ticketlens::backfill::{self, FileFormat, FileTarget, FileTickets, Source};
    let site = Site::with_commit(
        "crates/auth/src/session.rs",
        "//! Session cookies.\npub fn refresh_session_token(t: &str) -> bool { t.len() > 4 }\n",
        "Fix for bug 4101: the session cookie expired on token refresh",
    );
    let app = site
        .serve(sqlite().await, vec![as_jira_key()], |_| {})
        .await;
    let past = tempfile::tempdir().unwrap();
    let file = past.path().join("past.jsonl");
    let records = [
        json!({"id": "app-4101", "project": "app", "title": "Session token refresh expires the cookie", "body": "refresh_session_token drops the session cookie for short tokens", "reported_at": "2024-03-01T10:00:00"}),
        json!({"id": "app-4102", "project": "app", "title": "Invoice PDF has no logo", "body": "InvoiceRenderer::render_pdf leaves the logo out", "reported_at": "2024-03-02T10:00:00"}),
    ];
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&file, text).unwrap();
    let target = FileTarget {
        tracker: ticketlens::domain::Tracker::Jira,
        project: Some("TES".into()),
    };
    let source = || Source::File {
        name: file.display().to_string(),
        tickets: FileTickets::read(&file, FileFormat::Jsonl, &target).unwrap(),
    };
    let first = backfill::run(&app.store, &source(), 1, false, |_| {})
        .await
        .unwrap();
    assert_eq!((first.fetched, first.pages), (2, 2));
    let again = backfill::run(&app.store, &source(), 1, false, |_| {})
        .await
        .unwrap();
    assert_eq!(
        again.fetched, 2,
        "a finished import run again updates the same tickets"
    );
    let stored = app.store.key_match(None).await.unwrap();
    assert_eq!(stored.tickets_stored, 2);
    assert!(
        app.store
            .comment("jira", "TES-4101")
            .await
            .unwrap()
            .is_none(),
        "never commented on"
    );
    let links = wait_for(|| async {
        let l = links_of(&app).await;
        (l["keys_matched"] == 1).then_some(l)
    })
    .await;
    assert!(links["problem"].is_null(), "{links}");
    // an imported ticket has no issue type: the commit classifier reads the linked tickets'
    assert_eq!(app.store.ticket_types_for("app").await.unwrap(), []);
    let (title, body) = (
        "Cookie expires after session token refresh",
        "the session cookie is gone after refresh_session_token",
    );
    // the running service's ticket index follows the store on its own interval
    wait_for(|| async {
        let a: Value = app
            .api()
            .analyze(&json!({ "title": title, "body": body }))
            .await
            .json()
            .await
            .ok()?;
        (a["precedents"].as_array()?.len() == 1).then_some(())
    })
    .await;
    let new = jira_ticket(&app, "TES-4200", "14200", title, body).await;
    let p = &new["analysis"]["precedents"][0];
    assert_eq!(p["key"], "TES-4101", "{p}");
    assert_eq!(p["files"][0], "crates/auth/src/session.rs", "{p}");
    app.stop().await;
}

/// Shadow mode: with Jira credentials configured, `[comments] mode = "shadow"` analyses and
/// measures the ticket and sends Jira nothing that writes (the fake counts every request).
#[tokio::test]
async fn shadow_mode_writes_nothing_to_the_tracker_and_still_measures() {
    let jira = wiremock::MockServer::start().await;
    let fake = crate::fakes::FakeJira::mount(&jira).await;
    let site = Site::with_commit("README.md", "The app.\n", "Add a readme");
    let set_jira = crate::writeback::jira_cloud(&jira);
    let app = site
        .serve(sqlite().await, vec![], move |s| {
            set_jira(s);
            s.comments.mode = ticketlens::config::CommentMode::Shadow;
        })
        .await;
    links_of(&app).await;
    let t = jira_ticket(
        &app,
        "TES-60",
        "10060",
        "Session token refresh expires the cookie",
        "SessionStore::refresh_session_token returns false for short tokens",
    )
    .await;
    assert_eq!(t["comment"]["state"], "dry_run", "{}", t["comment"]);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    commit(
        &site.repo,
        &[("crates/auth/src/session.rs", "//! Session cookies.\npub fn refresh_session_token(t: &str) -> bool { !t.is_empty() }\n")],
        "TES-60: keep the cookie on refresh",
    );
    let acc: Value = wait_for(|| async {
        let v: Value = app.api().accuracy("app").await.json().await.ok()?;
        (v["tickets"] == 1).then_some(v)
    })
    .await;
    assert!(acc["first_module_right"].is_number(), "{acc}");
    let page = app.get("/tickets/jira/TES-60").await.text().await.unwrap();
    assert!(page.contains("shadow mode"), "{page}");
    let writes: Vec<String> = jira
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method != wiremock::http::Method::GET)
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert!(writes.is_empty(), "shadow mode wrote to Jira: {writes:?}");
    assert_eq!((fake.posts(), fake.puts()), (0, 0));
    app.stop().await;
}
