//! The backtest (`ticketlens eval self`): past tickets that dated commits name are replayed
//! as of each ticket's time, judged as live accuracy judges, stored, and shown by the
//! accuracy API, `/metrics` and the overview page until live numbers exist.

use crate::helpers::{spawn_app_over, wait_for, Backend, TestApp, TestDb};
use crate::history::Repo;
use serde_json::{json, Value};
use ticketlens::config::{RepositorySettings, Settings};
use ticketlens::eval::self_test::{backtest, Report};

/// The past tickets, as an exported file would give them: `(id, days ago reported, title,
/// body)`; their keys are `TES-<id>`.
const PAST: [(&str, i64, &str, &str); 6] = [
    (
        "5",
        85,
        "Login page is slow",
        "verify_password takes seconds",
    ),
    (
        "1",
        90,
        "Session cookie expires on token refresh",
        "refresh_session_token drops the session cookie",
    ),
    (
        "2",
        60,
        "Invoice totals are wrong",
        "InvoiceRenderer prints the invoice total_cents rounded",
    ),
    // said only by a commit made after this ticket's report, and by its own fix
    ("3", 40, "Zebra quokka", "zebra quokka"),
    // the same words after that commit
    ("4", 20, "Zebra quokka", "zebra quokka"),
    ("9", 15, "Never fixed", "nothing names this ticket"),
];

/// A repository with dated commits naming the tickets: TES-5 only before its report, the
/// others after; "zebra quokka" enters the history 35 days ago, in a commit naming no ticket.
fn history() -> Repo {
    let mut repo = Repo::new();
    repo.commit(
        "alice",
        100,
        "Initial import",
        &[
            (
                "src/auth/session.rs",
                "//! Session cookies and their expiry on token refresh.\npub fn refresh_session_token(t: &str) -> bool { t.len() > 8 }\n",
            ),
            ("src/auth/login.rs", "//! Password login.\npub fn verify_password(h: &str, p: &str) -> bool { h == p }\n"),
            (
                "src/billing/invoice.rs",
                "//! Invoice rendering, totals in cents.\npub struct InvoiceRenderer { pub total_cents: i64 }\n",
            ),
            ("src/report/export.rs", "//! Report export.\npub fn export_rows() {}\n"),
            ("src/ui/screen.rs", "//! The main screen.\npub fn draw() {}\n"),
        ],
    );
    repo.commit("bob", 95, "TES-5: faster login", &[("src/auth/login.rs", "//! Password login, faster.\npub fn verify_password(h: &str, p: &str) -> bool { h == p }\n")]);
    repo.commit("bob", 80, "TES-1: keep the cookie on refresh", &[("src/auth/session.rs", "//! Session cookies and their expiry on token refresh.\npub fn refresh_session_token(t: &str) -> bool { !t.is_empty() }\n")]);
    repo.commit("bob", 50, "TES-2: round invoice totals once", &[("src/billing/invoice.rs", "//! Invoice rendering, totals in cents.\npub struct InvoiceRenderer { pub total_cents: i128 }\n")]);
    repo.commit(
        "carol",
        35,
        "Zebra quokka rows in the export",
        &[(
            "src/report/export.rs",
            "//! Report export.\npub fn export_rows() { let _ = 1; }\n",
        )],
    );
    repo.commit(
        "carol",
        30,
        "TES-3: export fixed",
        &[(
            "src/report/export.rs",
            "//! Report export.\npub fn export_rows() { let _ = 2; }\n",
        )],
    );
    repo.commit(
        "carol",
        10,
        "TES-4: export fixed again",
        &[(
            "src/report/export.rs",
            "//! Report export.\npub fn export_rows() { let _ = 3; }\n",
        )],
    );
    repo
}

/// Settings naming `repo` as the repository `app`.
fn over(repo: &Repo) -> impl Fn(&mut Settings) + Clone {
    let path = repo.dir.path().to_path_buf();
    move |s| {
        s.repositories = vec![RepositorySettings {
            name: "app".into(),
            path: Some(path.clone()),
            branch: "main".into(),
            ..Default::default()
        }];
    }
}

/// Imports `PAST` as Jira tickets `TES-<id>`, reported on their days.
async fn import_past(app: &TestApp) {
    use ticketlens::backfill::{self, FileFormat, FileTarget, FileTickets, Source};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("past.jsonl");
    let now = ticketlens::store::now_ms() / 1000;
    let text: String = PAST
        .iter()
        .map(|(id, days, title, body)| {
            let at = time::OffsetDateTime::from_unix_timestamp(now - days * 86_400).unwrap();
            let at = at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            let r =
                json!({"id": format!("app-{id}"), "title": title, "body": body, "reported_at": at});
            format!("{r}\n")
        })
        .collect();
    std::fs::write(&file, text).unwrap();
    let target = FileTarget {
        tracker: ticketlens::domain::Tracker::Jira,
        project: Some("TES".into()),
    };
    let source = Source::File {
        name: file.display().to_string(),
        tickets: FileTickets::read(&file, FileFormat::Jsonl, &target).unwrap(),
    };
    backfill::run(&app.store, &source, 10, false, |_| {})
        .await
        .unwrap();
}

fn judged<'a>(report: &'a Report, key: &str) -> &'a ticketlens::domain::Judged {
    let r = report
        .replayed
        .iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("{key} not replayed: {report:#?}"));
    r.judged.as_ref().expect("judged")
}

/// On both backends: the history is mined when it is not, the linked tickets are replayed in
/// time order (TES-5, named only before its report, and the unnamed TES-9 are not), a word
/// said only by a commit after a ticket's report does not help it while the same words
/// later do, the sample keeps the most recent tickets, and the latest result is stored.
async fn the_backtest_replays_linked_tickets_as_of_their_time(backend: Backend) {
    let repo = history();
    let app = spawn_app_over(TestDb::new(backend).await, |_| {}, None).await;
    import_past(&app).await;
    let mut settings = Settings::default();
    over(&repo)(&mut settings);
    assert!(app.store.history_state("app").await.unwrap().is_none());
    let report = backtest(&app.store, &settings, "app", 200).await.unwrap();
    assert!(
        app.store.history_state("app").await.unwrap().is_some(),
        "mined first"
    );
    assert_eq!(report.linked, 5, "{report:#?}");
    assert_eq!(report.skipped["no commit after its report names it"], 1);
    let keys: Vec<&str> = report.replayed.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(
        keys,
        ["TES-1", "TES-2", "TES-3", "TES-4"],
        "in report order"
    );
    for key in ["TES-1", "TES-2", "TES-4"] {
        assert!(judged(&report, key).first_module_right, "{report:#?}");
    }
    let early = judged(&report, "TES-3");
    assert!(
        !early.any_module_right && !early.any_file_right,
        "the zebra commit came after TES-3's report: {report:#?}"
    );
    let tes4 = report.replayed.iter().find(|r| r.key == "TES-4").unwrap();
    assert!(tes4.precedents >= 1, "TES-3's fix is older than TES-4");
    let stored = app.store.backtest("app").await.unwrap().unwrap();
    assert_eq!(stored, report.backtest);
    assert_eq!((stored.sample, stored.accuracy.tickets), (4, 4));
    assert_eq!(stored.accuracy.first_module_right, Some(0.75));

    let small = backtest(&app.store, &settings, "app", 2).await.unwrap();
    let keys: Vec<&str> = small.replayed.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["TES-3", "TES-4"], "the most recent two");
    let stored = app.store.backtest("app").await.unwrap().unwrap();
    assert_eq!((stored.sample, stored.accuracy.tickets), (2, 2));
    assert_eq!(stored.accuracy.first_module_right, Some(0.5));
    assert!(app.store.backtest("other").await.unwrap().is_none());
    app.stop().await;
}

crate::both_backends!(the_backtest_replays_linked_tickets_as_of_their_time);

/// The stored backtest in the accuracy API (null before it runs), `/metrics` and the
/// overview page (in Chromium), labelled as a backtest while no live ticket is measured.
#[tokio::test]
async fn the_backtest_is_shown_until_live_numbers_exist() {
    let repo = history();
    let set = over(&repo);
    let app = spawn_app_over(TestDb::new(Backend::Sqlite).await, set.clone(), None).await;
    let before: Value = app.api().accuracy("app").await.json().await.unwrap();
    assert!(before["backtest"].is_null(), "{before}");
    import_past(&app).await;
    // serve mines the repository on its own; the backtest then reads what it mined
    wait_for(|| async {
        let v: Value = app.api().repositories().await.json().await.ok()?;
        (v["repositories"][0]["links"]["keys_matched"] == 5).then_some(())
    })
    .await;
    let mut settings = Settings::default();
    set(&mut settings);
    let report = backtest(&app.store, &settings, "app", 200).await.unwrap();
    let acc: Value = app.api().accuracy("app").await.json().await.unwrap();
    let b = &acc["backtest"];
    assert_eq!(b["tickets"], 4, "{acc}");
    assert_eq!(b["sample"], 4);
    assert_eq!(b["first_module_right"], json!(0.75));
    assert_eq!(b["ran_at"], json!(report.backtest.ran_at));
    assert_eq!(acc["tickets"], 0, "live numbers stay apart: {acc}");
    let metrics = app.api().metrics().await.text().await.unwrap();
    assert!(
        metrics.contains(
            r#"ticketlens_accuracy_share{measure="first_module_right",repository="app",scope="backtest"} 0.75"#
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"ticketlens_accuracy_tickets{repository="app",scope="backtest"} 4"#),
        "{metrics}"
    );

    let browser = crate::browser::Browser::launch().await;
    let mut tab = browser.tab().await;
    tab.goto(&format!("{}/", app.address)).await;
    let text = tab.text().await;
    let today = time::OffsetDateTime::now_utc().date();
    let headline = format!(
        "Backtest on 4 past fixed tickets (replayed as of each ticket's time, run {today}): \
         the first module named was right 75% of the time"
    );
    assert!(text.contains(&headline), "{text}");
    assert!(text.contains("No fixed ticket is measured yet"), "{text}");
    assert_eq!(tab.accessibility_problems().await, json!([]));
    tab.screenshot("overview-backtest", 1280, false).await;
    app.stop().await;
}
