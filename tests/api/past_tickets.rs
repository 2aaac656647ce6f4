//! Past tickets' words in the service, on SQLite and PostgreSQL: the stored tickets that mined
//! commits name are handed to the code index on the next refresh pass, and a product word
//! only such a ticket says brings a new ticket to the file that ticket's fix changed, with
//! the reason naming it.

use crate::analyze::{build_repository, commit, wait_until_ready};
use crate::helpers::{spawn_app_with, wait_up_to, Backend, TestApp};
use crate::itself::post_ticket;
use serde_json::{json, Value};
use std::time::Duration;

const FIXED: &str = "crates/display/src/orientation.rs";

async fn draft(app: &TestApp) -> Value {
    let r = app
        .api()
        .analyze(&json!({"title": "The kiosk misbehaves for showroom visitors", "body": ""}))
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// The reasons given for `path` in an analysis, if it is ranked.
fn reasons_of(v: &Value, path: &str) -> Option<String> {
    v["files"]
        .as_array()?
        .iter()
        .find(|f| f["path"] == path)
        .map(|f| f["reasons"].to_string())
}

async fn a_product_word_only_a_past_linked_ticket_says_finds_the_file_its_fix_changed(
    backend: Backend,
) {
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    let repo = build_repository(repo_dir.path());
    // the fix's commit names the ticket and says nothing of kiosks; neither does the code
    commit(
        &repo,
        &[(
            FIXED,
            "//! Display rotation.\npub fn lock_rotation(landscape: bool) -> bool { !landscape }\n",
        )],
        "TES-50 lock the rotation while idle",
    );
    let repository = ticketlens::config::RepositorySettings {
        name: "app".into(),
        path: Some(repo_dir.path().to_path_buf()),
        ..Default::default()
    };
    let dir = index_dir.path().to_path_buf();
    let app = spawn_app_with(
        backend,
        move |s| {
            s.codeindex.index_dir = dir;
            s.codeindex.refresh_interval_secs = 1;
            s.repositories = vec![repository];
        },
        None,
    )
    .await;
    wait_until_ready(&app).await;
    let before = draft(&app).await;
    assert!(
        !before.to_string().contains("past tickets saying"),
        "no stored ticket yet: {before}"
    );

    post_ticket(
        &app,
        "TES-50",
        "10050",
        "Kiosk mode for showroom tablets",
        "Showroom tablets run the app as a kiosk all day",
    )
    .await;
    // the next refresh pass reads the stored ticket the mined commit names
    let after = wait_up_to(
        Duration::from_secs(30),
        "the past ticket's words",
        || async {
            let v = draft(&app).await;
            reasons_of(&v, FIXED)
                .is_some_and(|r| r.contains("past tickets saying"))
                .then_some(v)
        },
    )
    .await;
    assert_eq!(after["files"][0]["path"], FIXED, "{after}");
    let why = reasons_of(&after, FIXED).unwrap();
    assert!(
        why.contains("changed for past tickets saying")
            && why.contains("`kiosk`")
            && why.contains("TES-50: Kiosk mode for showroom tablets"),
        "{why}"
    );
    app.stop().await;
}

crate::both_backends!(a_product_word_only_a_past_linked_ticket_says_finds_the_file_its_fix_changed);
