//! Mined history through the store and the modules API, on SQLite and PostgreSQL.

use crate::helpers::{spawn_app, Backend, TestApp};
use git2::{Oid, Repository, Signature, Time};
use std::collections::BTreeMap;
use ticketlens::config::HistorySettings;
use ticketlens::history_refresh::refresh;

/// A bare repository grown commit by commit on `main`.
pub(crate) struct Repo {
    pub(crate) dir: tempfile::TempDir,
    repo: Repository,
    files: BTreeMap<String, String>,
    pub(crate) tip: Option<Oid>,
}

impl Repo {
    pub(crate) fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        Repo {
            dir,
            repo,
            files: BTreeMap::new(),
            tip: None,
        }
    }

    pub(crate) fn commit(
        &mut self,
        author: &str,
        days_ago: i64,
        message: &str,
        changes: &[(&str, &str)],
    ) {
        for (path, content) in changes {
            self.files.insert(path.to_string(), content.to_string());
        }
        let tree = self.tree("");
        let tree = self.repo.find_tree(tree).unwrap();
        let when = Time::new(ticketlens::store::now_ms() / 1000 - days_ago * 86_400, 0);
        let sig = Signature::new(author, &format!("{author}@example.com"), &when).unwrap();
        let parent = self.tip.map(|p| self.repo.find_commit(p).unwrap());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        let oid = self
            .repo
            .commit(None, &sig, &sig, message, &tree, &parents)
            .unwrap();
        self.repo
            .reference("refs/heads/main", oid, true, "test")
            .unwrap();
        self.tip = Some(oid);
    }

    fn tree(&self, prefix: &str) -> Oid {
        let mut b = self.repo.treebuilder(None).unwrap();
        let mut dirs = std::collections::BTreeSet::new();
        for (path, content) in &self.files {
            let Some(rest) = path.strip_prefix(prefix) else {
                continue;
            };
            match rest.split_once('/') {
                Some((dir, _)) => {
                    dirs.insert(dir.to_string());
                }
                None => {
                    let blob = self.repo.blob(content.as_bytes()).unwrap();
                    b.insert(rest, blob, 0o100644).unwrap();
                }
            }
        }
        for dir in dirs {
            let sub = self.tree(&format!("{prefix}{dir}/"));
            b.insert(&dir, sub, 0o040000).unwrap();
        }
        b.write().unwrap()
    }
}

fn history() -> Repo {
    let mut r = Repo::new();
    r.commit(
        "alice",
        40,
        "Initial import",
        &[
            ("src/auth/login.rs", "a\nb\nc\n"),
            ("src/auth/session.rs", "s\n"),
            ("src/auth/token.rs", "t\n"),
            ("src/billing/pay.rs", "p\n"),
            ("src/billing/invoice.rs", "i\n"),
            ("src/billing/tax.rs", "x\n"),
        ],
    );
    r.commit(
        "bob",
        30,
        "Fix login loop",
        &[
            ("src/auth/login.rs", "a\nB\nc\n"),
            ("src/billing/pay.rs", "p\nq\n"),
        ],
    );
    r.commit(
        "carol",
        20,
        "Fix session expiry",
        &[
            ("src/auth/login.rs", "a\nB\nC\n"),
            ("src/billing/pay.rs", "p\nQ\n"),
        ],
    );
    r.commit(
        "alice",
        10,
        "Fix token refresh",
        &[
            ("src/auth/login.rs", "A\nB\nC\n"),
            ("src/billing/pay.rs", "P\nQ\n"),
        ],
    );
    r.commit("dave", 5, "Add docs", &[("docs/index.md", "hello\n")]);
    r.commit(
        "dave",
        4,
        "Split the login form",
        &[("src/auth/login.rs", "A\nB\nC\nD\n")],
    );
    r
}

pub(crate) async fn mine(
    app: &TestApp,
    repo: &Repo,
) -> ticketlens::history_refresh::RefreshSummary {
    let target = ticketlens::history_refresh::Target {
        repository: "app",
        path: repo.dir.path().to_path_buf(),
        branch: "main",
        at: None,
    };
    let rules = ticketlens::modules::ModuleRules::default();
    refresh(
        &app.store,
        &HistorySettings::default(),
        &rules,
        target,
        None,
    )
    .await
    .expect("refresh")
}

async fn modules_are_listed_and_explained(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut repo = history();
    let first = mine(&app, &repo).await;
    // docs are no source: they belong to no module and are not scored
    assert_eq!((first.new_commits, first.modules, first.files), (6, 2, 6));

    let body: serde_json::Value = app
        .api()
        .modules("?repository=app")
        .await
        .json()
        .await
        .unwrap();
    let list = body["modules"].as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|m| m["module"].as_str().unwrap()).collect();
    assert_eq!(names, ["src/auth", "src/billing"]);
    assert_eq!(list[0]["name"], "auth");
    assert_eq!(list[0]["files"], 3);
    assert_eq!(list[0]["owners"][0], "alice");
    assert_eq!(list[0]["commits"], 5);
    // the most fragile of the two by rank, but five changes in the window are too few for
    // `high` in absolute terms (a module needs ten, with three fixes and two people)
    assert!(list[0]["fragility"]["score"].as_f64().unwrap() >= 60.0);
    assert_eq!(list[0]["fragility"]["level"], "medium");
    let by_size: serde_json::Value = app
        .api()
        .modules("?sort=name&order=asc")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_size["modules"][0]["module"], "src/auth");
    let none: serde_json::Value = app
        .api()
        .modules("?repository=other")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["modules"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.api().modules("?sort=colour").await.status().as_u16(),
        400
    );

    let id = list[0]["id"].as_str().unwrap();
    let auth: serde_json::Value = app
        .get(&format!("/api/v1/modules/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(auth["module"], "src/auth");
    assert_eq!(auth["metrics"]["window"]["fixes"], 3);
    assert_eq!(auth["experts"][0]["author"], "alice");
    assert_eq!(auth["owners"][0], "alice");
    assert_eq!(auth["history"]["fixes"], 3);
    assert!(auth["history"]["last_fix_ms"].as_i64().unwrap() > 0);
    // auth and billing changed together in fewer than five commits: no coupling claim
    assert_eq!(auth["coupled"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        auth["fragility"]["coupled_with"].as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(auth["hottest_files"][0]["path"], "src/auth/login.rs");
    let reasons = auth["fragility"]["reasons"].as_array().unwrap();
    assert!(
        !reasons
            .iter()
            .any(|r| r.as_str().unwrap().contains("together")),
        "{reasons:?}"
    );
    assert_eq!(app.get("/api/v1/modules/nope").await.status().as_u16(), 404);

    repo.commit(
        "erin",
        1,
        "Tune docs",
        &[("docs/index.md", "hello\nworld\n")],
    );
    let second = mine(&app, &repo).await;
    assert_eq!(
        (
            second.new_commits,
            second.dropped_commits,
            second.force_pushed
        ),
        (1, 0, false)
    );
    let again = mine(&app, &repo).await;
    assert_eq!(again.new_commits, 0);
    let commits = app.store.load_history("app").await.unwrap();
    assert_eq!(commits.len(), 7);
    assert_eq!(commits.iter().map(|c| c.files.len()).sum::<usize>(), 15);
    let facts = app.store.module_facts("app").await.unwrap();
    assert_eq!(facts["src/auth"].fragility.level, "medium");
    assert_eq!(facts.len(), 2);
    app.stop().await;
}

/// A commit naming a bug ticket the service has seen counts as a fix, without fix words.
async fn bug_ticket_keys_mark_fix_commits(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut repo = Repo::new();
    repo.commit("alice", 9, "Initial import", &[("pay/cart.rs", "a\n")]);
    repo.commit(
        "bob",
        8,
        "PAY-7 handle an empty cart",
        &[("pay/cart.rs", "b\n")],
    );
    repo.commit("bob", 7, "PAY-8 show totals", &[("pay/cart.rs", "c\n")]);
    crate::db::insert_jira_tickets(
        &app.store,
        &[("1", "PAY-7", "Bug"), ("2", "PAY-8", "Story")],
    )
    .await;
    mine(&app, &repo).await;
    let body: serde_json::Value = app.api().modules("").await.json().await.unwrap();
    // one source file: the whole repository is one module, its root
    assert_eq!(body["modules"][0]["module"], ".");
    assert_eq!(body["modules"][0]["fixes"], 1);
    let kinds = |list: Vec<ticketlens::store::StoredCommit>| -> Vec<(String, String)> {
        list.into_iter().map(|c| (c.subject, c.kind)).collect()
    };
    let stored = app.store.list_commits(Some("app"), None, 10).await.unwrap();
    assert_eq!(
        kinds(stored),
        [
            ("PAY-8 show totals".to_string(), "feature".to_string()),
            ("PAY-7 handle an empty cart".into(), "bugfix".into()),
            ("Initial import".into(), "feature".into()),
        ]
    );
    // the tracker re-types PAY-8 as a bug: the stored kinds follow without a re-mine
    crate::db::retype_ticket(&app.store, "PAY-8", "Bug").await;
    assert_eq!(mine(&app, &repo).await.new_commits, 0);
    let fixes = app
        .store
        .list_commits(Some("app"), Some("bugfix"), 10)
        .await
        .unwrap();
    assert_eq!(fixes.len(), 2);
    assert_eq!(fixes[0].rule, "ticket PAY-8 is a bug");
    let body: serde_json::Value = app.get("/api/v1/modules").await.json().await.unwrap();
    assert_eq!(body["modules"][0]["fixes"], 2);
    app.stop().await;
}

/// The history miner and the code index cut the same tree into the same modules.
async fn history_and_code_index_agree_on_every_files_module(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut repo = Repo::new();
    let mut files: Vec<(String, String)> = Vec::new();
    for (dir, n) in [
        ("java/org/apache/catalina", 4),
        ("java/org/apache/catalina/startup", 5),
        ("java/org/apache/catalina/core", 5),
        ("java/org/apache/coyote", 4),
        ("java/org/apache/coyote/http2", 2),
        ("test/org/apache/catalina/startup", 3),
        ("webapps/examples/WEB-INF/classes", 3),
    ] {
        for i in 0..n {
            files.push((format!("{dir}/F{i}.java"), format!("class F{i} {{}}\n")));
        }
    }
    files.push(("webapps/docs/changelog.xml".into(), "<x/>\n".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    repo.commit("alice", 3, "Initial import", &refs);
    repo.commit(
        "bob",
        1,
        "Fix deploy order",
        &[(
            "java/org/apache/catalina/startup/F1.java",
            "class F1 { int x; }\n",
        )],
    );
    mine(&app, &repo).await;
    let code = code_index_of(&repo);
    for (_, r) in code.refresh() {
        r.unwrap();
    }
    let rows = app
        .store
        .list_scores(
            "file",
            Some("app"),
            ticketlens::store::ScoreSort::Name,
            false,
            500,
            0,
        )
        .await
        .unwrap();
    assert_eq!(
        rows.len(),
        files.len() - 1,
        "every source file is scored, the changelog is not"
    );
    for row in &rows {
        assert_eq!(
            code.module_of("app", &row.name).as_deref(),
            Some(row.module.as_str()),
            "{}",
            row.name
        );
    }
    let module = |p: &str| rows.iter().find(|r| r.name == p).unwrap().module.clone();
    // the mirrored test lands in the package it tests; the two-file package joins its parent
    assert_eq!(
        module("test/org/apache/catalina/startup/F0.java"),
        "java/org/apache/catalina/startup"
    );
    assert_eq!(
        module("java/org/apache/coyote/http2/F0.java"),
        "java/org/apache/coyote"
    );
    app.stop().await;
}

/// A clone with a missing blob is indexed: the file is skipped and counted, not an abort.
#[test]
fn a_missing_blob_is_skipped_and_counted_by_the_code_index() {
    let mut repo = Repo::new();
    repo.commit(
        "alice",
        2,
        "Initial import",
        &[
            ("src/a.rs", "pub fn alpha() {}\n"),
            ("src/b.rs", "pub fn beta() {}\n"),
            ("src/c.rs", "pub fn gamma_only_here() {}\n"),
        ],
    );
    let blob = repo
        .repo
        .blob(b"pub fn gamma_only_here() {}\n")
        .unwrap()
        .to_string();
    let object = repo
        .dir
        .path()
        .join("objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&object).expect("the blob is a loose object");
    let code = code_index_of(&repo);
    let (_, report) = code.refresh().pop().unwrap();
    let report = report.expect("indexing goes on past a missing blob");
    assert_eq!((report.files, report.missing_objects), (2, 1));
    assert_eq!(code.statuses()[0].state, "ready");
}

crate::both_backends!(history_and_code_index_agree_on_every_files_module);

crate::both_backends!(bug_ticket_keys_mark_fix_commits);

crate::both_backends!(modules_are_listed_and_explained);

/// An in-memory code index of the test repository, as `app`.
fn code_index_of(repo: &Repo) -> ticketlens::codeindex::CodeIndex {
    ticketlens::codeindex::CodeIndex::open(
        vec![ticketlens::codeindex::RepoSpec {
            name: "app".into(),
            path: Some(repo.dir.path().to_path_buf()),
            url: None,
            branch: "main".into(),
            modules: vec![],
        }],
        &ticketlens::codeindex::IndexOptions {
            dir: None,
            modules: Default::default(),
            history_depth: 100,
        },
    )
    .unwrap()
}
