//! The dependency map from the code's own imports: built when `serve` indexes a
//! repository, stored, served by `GET /api/v1/modules/{id}/dependencies`, refreshed when a
//! commit adds an import.

use crate::analyze::{commit, spawn_with_repository, wait_until_ready};
use crate::helpers::TestApp;
use git2::Repository;
use serde_json::Value;
use std::path::Path;

/// A workspace of three crates: `billing` and `shop` use `auth`; `shop` uses `billing`.
pub(crate) fn build_workspace(dir: &Path) -> Repository {
    let repo = Repository::init(dir).unwrap();
    commit(
        &repo,
        &[
            ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
            ("crates/auth/Cargo.toml", "[package]\nname = \"auth\"\n"),
            (
                "crates/auth/src/lib.rs",
                "pub mod session;\npub mod login;\n",
            ),
            ("crates/auth/src/session.rs", "pub struct SessionStore;\n"),
            (
                "crates/auth/src/login.rs",
                "use crate::session::SessionStore;\npub fn login(_: &SessionStore) {}\n",
            ),
            (
                "crates/billing/Cargo.toml",
                "[package]\nname = \"billing\"\n",
            ),
            (
                "crates/billing/src/lib.rs",
                "pub mod invoice;\nuse auth::session::SessionStore;\nuse serde::Serialize;\n",
            ),
            (
                "crates/billing/src/invoice.rs",
                "// use auth::login; (a comment, not an import)\npub struct Invoice;\n",
            ),
            ("crates/shop/Cargo.toml", "[package]\nname = \"shop\"\n"),
            (
                "crates/shop/src/main.rs",
                "use auth::login::login;\nuse billing::invoice::Invoice;\nfn main() {}\n",
            ),
        ],
        "initial import",
    );
    repo
}

/// The id of a module of repository `app`, once it is scored.
pub(crate) async fn module_id(app: &TestApp, module: &str) -> String {
    crate::helpers::wait_for(|| async {
        let body = app_modules(app).await?;
        body["modules"]
            .as_array()?
            .iter()
            .find(|m| m["module"] == module)
            .and_then(|m| m["id"].as_str().map(str::to_string))
    })
    .await
}

/// `GET /api/v1/modules?repository=app`, when it answers JSON.
pub(crate) async fn app_modules(app: &TestApp) -> Option<Value> {
    app.api().modules("?repository=app").await.json().await.ok()
}

/// `GET /api/v1/modules/{id}/dependencies`, once `ready` holds of its body.
async fn dependencies_when(app: &TestApp, id: &str, ready: impl Fn(&Value) -> bool) -> Value {
    crate::helpers::wait_for(|| async {
        let v: Value = app.api().module_dependencies(id).await.json().await.ok()?;
        ready(&v).then_some(v)
    })
    .await
}

/// True for a non-empty JSON array.
fn has(list: &Value) -> bool {
    list.as_array().is_some_and(|a| !a.is_empty())
}

fn edges(v: &Value) -> Vec<(String, u64)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["module"].as_str().unwrap().to_string(),
                e["imports"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_module_shows_what_uses_it_and_what_it_uses_and_a_new_import_shows_up_after_the_next_refresh(
) {
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    let repo = build_workspace(repo_dir.path());
    let app = spawn_with_repository(repo_dir.path(), index_dir.path()).await;
    wait_until_ready(&app).await;
    let auth = module_id(&app, "crates/auth").await;
    let deps = dependencies_when(&app, &auth, |v| has(&v["modules"][0]["used_by"])).await;
    let m = &deps["modules"][0];
    assert_eq!(m["module"], "crates/auth", "{deps}");
    assert_eq!(
        edges(&m["used_by"]),
        [
            ("crates/billing".to_string(), 1),
            ("crates/shop".to_string(), 1)
        ],
        "{deps}"
    );
    assert!(edges(&m["depends_on"]).is_empty(), "{deps}");
    // the crate's own `use crate::…` and `mod` lines stay inside it
    assert_eq!(m["imports"]["internal_resolved"], 3, "{deps}");
    // shop uses auth directly; billing's users (shop) are two steps away
    assert_eq!(m["blast_radius"]["modules"], 2, "{deps}");
    assert_eq!(m["blast_radius"]["files_two_steps"], 2, "{deps}");
    let pairs: Vec<&str> = deps["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["link"].as_str().unwrap())
        .collect();
    assert_eq!(pairs, ["imports", "imports"], "{deps}");
    // repository-wide counts: 3 + billing's 2 (1 external) + shop's 2
    assert_eq!(deps["imports"]["internal_resolved"], 7, "{deps}");
    assert_eq!(deps["imports"]["external"], 1, "{deps}");
    // the analysis carries who uses a located module (the comment says it from five up)
    let body =
        serde_json::json!({ "title": "SessionStore loses the session", "repository": "app" });
    let analysis: Value = app.api().analyze(&body).await.json().await.unwrap();
    let hit = analysis["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "crates/auth")
        .unwrap_or_else(|| panic!("{analysis}"));
    assert_eq!(hit["dependents"]["used_by"], 2, "{analysis}");
    assert_eq!(
        hit["dependents"]["reach"],
        serde_json::json!(["crates/billing", "crates/shop"])
    );

    // a new import is read at the next refresh (only the changed file is re-read)
    commit(
        &repo,
        &[("crates/auth/src/login.rs", "use crate::session::SessionStore;\nuse billing::invoice::Invoice;\npub fn login(_: &SessionStore) {}\n")],
        "log in with an invoice",
    );
    let after = dependencies_when(&app, &auth, |v| has(&v["modules"][0]["depends_on"])).await;
    assert_eq!(
        edges(&after["modules"][0]["depends_on"]),
        [("crates/billing".to_string(), 1)]
    );
    // auth ↔ billing now import each other
    assert_eq!(
        after["cycles"][0],
        serde_json::json!(["crates/auth", "crates/billing"]),
        "{after}"
    );
    let missing = app.api().module_dependencies("nope").await;
    assert_eq!(missing.status(), 404);
    drop(repo);
    app.stop().await;
}

#[tokio::test]
async fn a_stored_graph_reads_back_the_same_on_sqlite_and_postgres_and_is_replaced_whole() {
    use crate::helpers::{Backend, TestDb};
    use ticketlens::domain::{DependencyGraph, ImportCounts, ModuleDeps, ModuleEdge};
    let graph = |commit: &str, imports: u64| DependencyGraph {
        commit: commit.into(),
        imports: ImportCounts {
            internal_resolved: imports,
            internal_unresolved: 1,
            external: 2,
        },
        modules: vec![ModuleDeps {
            module: "crates/auth".into(),
            name: "auth".into(),
            depends_on: vec![],
            used_by: vec![ModuleEdge {
                module: "crates/shop".into(),
                imports,
            }],
            imports: ImportCounts::default(),
            blast: Default::default(),
        }],
        ..Default::default()
    };
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        assert!(store.dependencies(None).await.unwrap().is_empty());
        store
            .save_dependencies("app", &graph("a1", 3), 1)
            .await
            .unwrap();
        store
            .save_dependencies("app", &graph("b2", 5), 2)
            .await
            .unwrap();
        store
            .save_dependencies("other", &graph("c3", 1), 2)
            .await
            .unwrap();
        let all = store.dependencies(None).await.unwrap();
        assert_eq!(all.len(), 2, "{backend:?}");
        let app = store.dependencies(Some("app")).await.unwrap();
        assert_eq!(
            app,
            vec![("app".to_string(), graph("b2", 5))],
            "{backend:?}"
        );
        assert_eq!(
            store.dependencies_commit("app").await.unwrap().as_deref(),
            Some("b2")
        );
    }
}

#[tokio::test]
async fn the_module_page_and_the_overview_show_what_the_dependencies_api_answers() {
    use crate::browser::Browser;
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    let repo = build_workspace(repo_dir.path());
    let app = spawn_with_repository(repo_dir.path(), index_dir.path()).await;
    wait_until_ready(&app).await;
    let billing = module_id(&app, "crates/billing").await;
    let api = dependencies_when(&app, &billing, |v| has(&v["modules"][0]["used_by"])).await;
    let browser = Browser::launch().await;
    let mut tab = browser.tab().await;
    tab.goto(&format!("{}/modules/{billing}", app.address))
        .await;
    let text = tab.text().await;
    assert!(
        text.contains("What it depends on and what uses it"),
        "{text}"
    );
    // the lists name the API's modules, in its order, with its counts
    let list = |id: &str| {
        format!("Array.from(document.querySelectorAll('ul[aria-labelledby=\"{id}\"] li')).map(li => li.innerText)")
    };
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let n = e["imports"].as_u64().unwrap();
                let unit = if n == 1 { "import" } else { "imports" };
                format!("{} ({n} {unit})", e["name"].as_str().unwrap())
            })
            .collect()
    };
    let m = &api["modules"][0];
    assert_eq!(
        tab.eval(&list("used-h")).await,
        serde_json::json!(names(&m["used_by"]))
    );
    assert_eq!(
        tab.eval(&list("on-h")).await,
        serde_json::json!(names(&m["depends_on"]))
    );
    assert_eq!(
        tab.eval(&list("on-h")).await,
        serde_json::json!(["crates/auth (1 import)"])
    );
    // the graph is drawn by the server: one line per edge, each a link to its module
    let edges = tab
        .eval("document.querySelectorAll('svg.depgraph a line.edge').length")
        .await;
    assert_eq!(edges, serde_json::json!(2));
    let scripts = tab.eval("document.querySelectorAll('script').length").await;
    assert_eq!(scripts, serde_json::json!(0));
    assert_eq!(tab.accessibility_problems().await, serde_json::json!([]));
    tab.screenshot("module-dependencies", 1280, false).await;
    // the overview names the most depended-on modules as its API does
    let overview: Value = app.api().overview("app").await.json().await.unwrap();
    assert_eq!(
        overview["most_used"][0]["module"], "crates/auth",
        "{overview}"
    );
    assert_eq!(overview["most_used"][0]["used_by"], 2, "{overview}");
    tab.goto(&format!("{}/?repository=app", app.address)).await;
    let first = tab
        .eval("document.querySelector('table.most-used tbody tr td').innerText")
        .await;
    assert_eq!(first, serde_json::json!("crates/auth"));
    assert_eq!(tab.accessibility_problems().await, serde_json::json!([]));
    drop(repo);
    app.stop().await;
}
