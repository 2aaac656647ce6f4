//! What one caller, tracker or broken file can do to the rest of the service, through the
//! real server: repository credentials stay off the disk and off command lines and a changed
//! URL is followed; a broken derived index is rebuilt and the service starts; blank tokens
//! refuse the start; a signed-out session stays out; failed authentication is throttled per
//! peer; one peer cannot hold every connection; a tracker gets one `Authorization` header and
//! its echo of it is not stored.

use crate::helpers::{
    fixtures_dir, jira_headers, spawn_app_over, spawn_app_with, test_settings, Backend, TestApp,
    TestDb,
};
use reqwest::header::{COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE};
use serde_json::{json, Value};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ticketlens::config::{JiraFlavor, RepositorySettings, Secret, Settings};
use ticketlens::startup::Application;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PASS_A: &str = "first-pass-6c1f09";
const PASS_B: &str = "second-pass-93d2a7";
const PASS_C: &str = "third-pass-0b77e1";
const READ: &str = "hardening-read-token-3e8a";

// ---------------------------------------------------------------- repository sources

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A bare repository `root/<name>.git` with one commit adding `file`, laid out for git's
/// "dumb" HTTP protocol (plain files); returns its head commit.
fn served_repository(root: &Path, name: &str, file: &str) -> String {
    let work = root.join(format!("{name}-work"));
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    std::fs::write(work.join(file), format!("//! {file}\npub fn run() {{}}\n")).unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", &format!("add {file}")]);
    let bare = root.join(format!("{name}.git"));
    git(
        root,
        &[
            "clone",
            "-q",
            "--bare",
            &work.to_string_lossy(),
            &bare.to_string_lossy(),
        ],
    );
    git(&bare, &["repack", "-a", "-d", "-q"]);
    git(&bare, &["update-server-info"]);
    git(&bare, &["rev-parse", "HEAD"])
}

/// Adds a commit adding `file` to the served repository `root/<name>.git`; its id.
fn push_commit(root: &Path, name: &str, file: &str) -> String {
    let work = root.join(format!("{name}-work"));
    std::fs::write(work.join(file), format!("//! {file}\npub fn run() {{}}\n")).unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", &format!("add {file}")]);
    let bare = root.join(format!("{name}.git"));
    git(&work, &["push", "-q", &bare.to_string_lossy(), "main"]);
    git(&bare, &["repack", "-a", "-d", "-q"]);
    git(&bare, &["update-server-info"]);
    git(&bare, &["rev-parse", "HEAD"])
}

/// A git host: the files of the repositories under `root`, each request slowed a little
/// (so git is seen running), only to exactly one `Authorization: Basic` of these credentials.
struct DumbGit {
    root: PathBuf,
    basic: String,
}

impl Respond for DumbGit {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let auth: Vec<&str> = req
            .headers
            .get_all("authorization")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if auth != [self.basic.as_str()] {
            return ResponseTemplate::new(401)
                .insert_header("WWW-Authenticate", "Basic realm=\"git\"");
        }
        let rel = req.url.path().trim_start_matches('/');
        if rel.split('/').any(|p| p == "..") {
            return ResponseTemplate::new(404);
        }
        match std::fs::read(self.root.join(rel)) {
            Ok(bytes) => ResponseTemplate::new(200)
                .insert_header("content-type", "application/octet-stream")
                .set_body_bytes(bytes)
                .set_delay(Duration::from_millis(100)),
            Err(_) => ResponseTemplate::new(404),
        }
    }
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    let pair = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// Watches every process's command line until `stop`: how many git processes naming
/// `marker` it saw, and every command line holding one of `secrets`.
fn watch_command_lines(
    secrets: Vec<String>,
    marker: String,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<(usize, std::collections::BTreeSet<String>)> {
    std::thread::spawn(move || {
        let mut git_pids = std::collections::HashSet::new();
        let mut leaked = std::collections::BTreeSet::new();
        while !stop.load(Ordering::Relaxed) {
            for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else {
                    continue;
                };
                let line = String::from_utf8_lossy(&raw).replace('\0', " ");
                if line.contains("git") && line.contains(&marker) {
                    git_pids.insert(entry.file_name());
                }
                if secrets.iter().any(|s| line.contains(s.as_str())) {
                    leaked.insert(line);
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        (git_pids.len(), leaked)
    })
}

/// Settings of the repository `creds`, given by `url`, indexed under `index`.
fn url_source(index: &Path, url: String) -> impl FnOnce(&mut Settings) {
    let index = index.to_path_buf();
    move |s: &mut Settings| {
        s.codeindex.index_dir = index;
        s.codeindex.refresh_interval_secs = 0;
        s.repositories = vec![RepositorySettings {
            name: "creds".into(),
            url: Some(url),
            ..Default::default()
        }];
    }
}

/// Waits (30 s at most) until the first repository is `ready` at `commit`.
async fn wait_indexed(app: &TestApp, commit: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v: Value = app.get("/api/v1/repositories").await.json().await.unwrap();
        let repo = v["repositories"][0].clone();
        if repo["state"] == "ready" && repo["indexed_commit"] == commit {
            return repo;
        }
        assert!(Instant::now() < deadline, "not indexed at {commit}: {repo}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_changed_repository_url_repoints_the_clone_and_no_credential_reaches_disk_or_argv() {
    let served = tempfile::tempdir().unwrap();
    let head_a = served_repository(served.path(), "a", "alpha.rs");
    let head_b = served_repository(served.path(), "b", "beta.rs");
    let host = MockServer::start().await;
    for (repo, password) in [("a", PASS_A), ("b", PASS_B)] {
        Mock::given(path_regex(format!(r"^/{repo}\.git/")))
            .respond_with(DumbGit {
                root: served.path().to_path_buf(),
                basic: basic("bot", password),
            })
            .mount(&host)
            .await;
    }
    let port = host.address().port();
    let url =
        |repo: &str, password: &str| format!("http://bot:{password}@127.0.0.1:{port}/{repo}.git");
    let index = tempfile::tempdir().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch_command_lines(
        vec![PASS_A.into(), PASS_B.into(), PASS_C.into()],
        format!("127.0.0.1:{port}"),
        stop.clone(),
    );

    let app = spawn_app_with(
        Backend::Sqlite,
        url_source(index.path(), url("a", PASS_A)),
        None,
    )
    .await;
    let first = wait_indexed(&app, &head_a).await;
    assert_eq!(first["source"], format!("http://127.0.0.1:{port}/a.git"));
    let db = app.stop().await;
    // the same repository entry, now another path behind another password: the next
    // refresh (this start's first) fetches from there, with that password
    let app = spawn_app_over(db, url_source(index.path(), url("b", PASS_B)), None).await;
    let second = wait_indexed(&app, &head_b).await;
    assert_eq!(second["source"], format!("http://127.0.0.1:{port}/b.git"));
    assert!(second["last_error"].is_null(), "{second}");
    let db = app.stop().await;
    // the password alone changes (the host now refuses the old one)
    host.reset().await;
    Mock::given(path_regex(r"^/b\.git/"))
        .respond_with(DumbGit {
            root: served.path().to_path_buf(),
            basic: basic("bot", PASS_C),
        })
        .mount(&host)
        .await;
    let head_c = push_commit(served.path(), "b", "gamma.rs");
    let app = spawn_app_over(db, url_source(index.path(), url("b", PASS_C)), None).await;
    wait_indexed(&app, &head_c).await;
    app.stop().await;
    stop.store(true, Ordering::Relaxed);
    let (git_runs, leaked) = watcher.join().unwrap();

    assert!(git_runs >= 3, "git was seen running ({git_runs} processes)");
    assert!(
        leaked.is_empty(),
        "a password on a command line: {leaked:?}"
    );
    let clone = ticketlens::codeindex::clone_dir(index.path(), "creds");
    assert_eq!(
        git(&clone, &["config", "--get", "remote.origin.url"]),
        format!("http://127.0.0.1:{port}/b.git"),
        "the clone now points at the new URL, without credentials"
    );
    for file in files_under(index.path()) {
        let bytes = std::fs::read(&file).unwrap();
        for secret in [PASS_A, PASS_B, PASS_C] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds a password",
                file.display()
            );
        }
    }
    use std::os::unix::fs::PermissionsExt;
    for dir in [index.path().join("creds"), clone] {
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{} is {mode:o}", dir.display());
    }
}

// ---------------------------------------------------------------- derived indexes

/// Cuts every postings file (`*.idx`) under `dir` to half its length; how many.
fn truncate_segments(dir: &Path) -> usize {
    let mut n = 0;
    for file in files_under(dir) {
        if file.extension().is_some_and(|e| e == "idx") {
            let len = std::fs::metadata(&file).unwrap().len();
            let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
            f.set_len(len / 2).unwrap();
            n += 1;
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_truncated_segment_of_either_index_is_set_aside_and_rebuilt_and_the_service_starts() {
    let repo = tempfile::tempdir().unwrap();
    crate::analyze::build_repository(repo.path());
    let dirs = tempfile::tempdir().unwrap();
    let (tickets, code) = (dirs.path().join("tickets"), dirs.path().join("code"));
    let tweak = || {
        let (tickets, code, repo) = (tickets.clone(), code.clone(), repo.path().to_path_buf());
        move |s: &mut Settings| {
            s.duplicates.index_dir = Some(tickets);
            s.codeindex.index_dir = code;
            s.codeindex.refresh_interval_secs = 0;
            s.repositories = vec![RepositorySettings {
                name: "app".into(),
                path: Some(repo),
                ..Default::default()
            }];
        }
    };
    let app = spawn_app_with(Backend::Sqlite, tweak(), None).await;
    let body =
        std::fs::read(fixtures_dir().join("jira/mattermost-webhook-issue-created.json")).unwrap();
    let r = app
        .post_webhook("jira", body.clone(), &jira_headers(&body, "t-1"))
        .await;
    assert_eq!(r.status(), 202);
    crate::helpers::wait_for(|| async { app.store.ticket_by_key("jira", "TES-41").await.unwrap() })
        .await;
    wait_ready_files(&app).await;
    let db = app.stop().await;
    let (before, _) = ticketlens::ticketindex::TicketIndex::open(Some(tickets.as_path())).unwrap();
    assert_eq!(before.len(), 1, "the ticket was indexed");
    drop(before);
    assert!(truncate_segments(&tickets) >= 1);
    assert!(truncate_segments(&code.join("app").join("files")) >= 1);

    // the service starts, both indexes are set aside and rebuilt
    let app = spawn_app_over(db, tweak(), None).await;
    let files = wait_ready_files(&app).await;
    assert!(files > 0);
    assert!(code.join("app").join("files.broken").is_dir());
    assert!(tickets.join("broken-ticket-index").is_dir());
    app.stop().await;
    let (after, fresh) =
        ticketlens::ticketindex::TicketIndex::open(Some(tickets.as_path())).unwrap();
    assert!(!fresh, "the rebuilt index opens as it is");
    assert_eq!(after.len(), 1, "rebuilt from the store");
}

/// Waits until the first repository is indexed; its file count.
async fn wait_ready_files(app: &TestApp) -> u64 {
    crate::helpers::wait_for(|| async {
        let v: Value = app.get("/api/v1/repositories").await.json().await.ok()?;
        let repo = &v["repositories"][0];
        (repo["state"] == "ready").then(|| repo["files"].as_u64().unwrap_or(0))
    })
    .await
}

// ---------------------------------------------------------------- tokens and sessions

#[tokio::test]
async fn an_empty_or_blank_token_refuses_the_start_naming_its_key() {
    for (read, operator, key) in [
        (vec![""], vec![], "api.read_tokens[0]"),
        (vec!["a-real-token"], vec!["  \t"], "api.operator_tokens[0]"),
        (vec!["a-real-token", " "], vec![], "api.read_tokens[1]"),
    ] {
        let db = TestDb::new(Backend::Sqlite).await;
        let mut s = test_settings(&db.url);
        s.api.read_tokens = read.into_iter().map(Secret::new).collect();
        s.api.operator_tokens = operator.into_iter().map(Secret::new).collect();
        let err = Application::build(s)
            .await
            .err()
            .expect("the start is refused");
        assert!(format!("{err:#}").contains(key), "{err:#}");
    }
}

fn no_redirects(local: Option<IpAddr>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(local)
        .build()
        .unwrap()
}

/// The `name=value` of a response's Set-Cookie for `name`.
fn cookie_of(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// Signs in with `token`: the sign-in answer, and the CSRF cookie and value it used.
async fn sign_in(
    c: &reqwest::Client,
    base: &str,
    token: &str,
) -> (reqwest::Response, String, String) {
    let form = c.get(format!("{base}/signin")).send().await.unwrap();
    let csrf_cookie = cookie_of(&form, "tl_csrf").unwrap();
    let csrf = csrf_cookie.split_once('=').unwrap().1.to_string();
    let r = c
        .post(format!("{base}/signin"))
        .header(COOKIE, csrf_cookie.clone())
        .form(&[("token", token), ("csrf", &csrf), ("next", "/")])
        .send()
        .await
        .unwrap();
    (r, csrf_cookie, csrf)
}

crate::both_backends!(a_session_cookie_replayed_after_sign_out_is_refused_by_every_replica);

async fn a_session_cookie_replayed_after_sign_out_is_refused_by_every_replica(backend: Backend) {
    let app = spawn_app_with(
        backend,
        |s| s.api.read_tokens = vec![Secret::new(READ)],
        None,
    )
    .await;
    let c = no_redirects(None);
    let (r, csrf_cookie, csrf) = sign_in(&c, &app.address, READ).await;
    assert_eq!(r.status(), 303);
    let session = cookie_of(&r, "tl_session").expect("a session");
    let cookies = format!("{session}; {csrf_cookie}");
    let home = |base: String, cookies: String| {
        let c = c.clone();
        async move {
            c.get(format!("{base}/"))
                .header(COOKIE, cookies)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        home(app.address.clone(), cookies.clone()).await.status(),
        200
    );
    let out = c
        .post(format!("{}/signout", app.address))
        .header(COOKIE, cookies.clone())
        .form(&[("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    // the very cookie, replayed: sent to sign in again
    let replay = home(app.address.clone(), cookies.clone()).await;
    assert_eq!(replay.status(), 303);
    assert!(replay.headers()[LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/signin"));

    // another replica over the same store refuses it too
    let mut s = test_settings(&app.db.url);
    s.api.read_tokens = vec![Secret::new(READ)];
    let other = Application::build(s).await.unwrap();
    let other_base = format!("http://127.0.0.1:{}", other.port());
    let stop = other.shutdown_token();
    let task = tokio::spawn(other.run_until_stopped());
    assert_eq!(home(other_base.clone(), cookies).await.status(), 303);
    // while a fresh sign-in there works
    let (r, csrf_cookie, _) = sign_in(&c, &other_base, READ).await;
    let fresh = format!("{}; {csrf_cookie}", cookie_of(&r, "tl_session").unwrap());
    assert_eq!(home(other_base, fresh).await.status(), 200);
    stop.cancel();
    task.await.unwrap().unwrap();
    app.stop().await;
}

#[tokio::test]
async fn failed_authentications_from_one_peer_are_throttled_and_another_peer_is_not() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |s| {
            s.api.read_tokens = vec![Secret::new(READ)];
            s.api.max_auth_failures = 3;
        },
        None,
    )
    .await;
    let jobs = format!("{}/api/v1/jobs", app.address);
    let here = no_redirects(None);
    // calls that present no token guess nothing: refused, never counted
    for _ in 0..5 {
        assert_eq!(here.get(&jobs).send().await.unwrap().status(), 401);
    }
    for _ in 0..3 {
        let r = here.get(&jobs).bearer_auth("guess").send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
    // past its failures, this address is refused whatever it sends, the right token too
    let r = here.get(&jobs).bearer_auth(READ).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
    let (signin, _, _) = sign_in(&here, &app.address, READ).await;
    assert_eq!(signin.status(), 429, "the sign-in page shares the count");
    assert!(cookie_of(&signin, "tl_session").is_none());

    // another address is not held up
    let there = no_redirects(Some("127.0.0.2".parse().unwrap()));
    let r = there.get(&jobs).bearer_auth(READ).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // and wrong sign-ins count as well
    for _ in 0..3 {
        let (r, _, _) = sign_in(&there, &app.address, "guess").await;
        assert_eq!(r.status(), 401);
    }
    let (r, _, _) = sign_in(&there, &app.address, READ).await;
    assert_eq!(r.status(), 429);
    app.stop().await;
}

// ---------------------------------------------------------------- connections per peer

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_peer_over_its_connection_cap_is_closed_at_once_and_another_peer_is_answered() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |s| s.server.max_connections_per_peer = 4,
        None,
    )
    .await;
    let addr: SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    // four slow clients: a request head that never ends
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // a fifth from the same address is closed without an answer
    let mut fifth = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _ = fifth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(3), fifth.read(&mut buf))
        .await
        .expect("closed at once, not left waiting");
    assert!(matches!(read, Ok(0) | Err(_)), "answered: {read:?}");
    // another address is answered
    let there = no_redirects(Some("127.0.0.2".parse().unwrap()));
    let r = there
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // a closed connection gives its place back
    drop(held.pop());
    let here = no_redirects(None);
    let r = crate::helpers::wait_for(|| async {
        here.get(format!("{}/healthz", app.address))
            .send()
            .await
            .ok()
            .filter(|r| r.status() == 200)
    })
    .await;
    assert_eq!(r.status(), 200);
    drop(held);
    app.stop().await;
}

// ---------------------------------------------------------------- trackers

/// Answers a comment create with 400 and a body that echoes the request's `Authorization`
/// headers back, the way a misconfigured proxy does.
struct EchoingProxy;

impl Respond for EchoingProxy {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let echoed: Vec<String> = req
            .headers
            .get_all("authorization")
            .iter()
            .map(|v| v.to_str().unwrap_or("").to_string())
            .collect();
        ResponseTemplate::new(400).set_body_json(json!({
            "errorMessages": [format!("proxy refused; it saw Authorization: {}", echoed.join(", "))]
        }))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tracker_url_with_credentials_sends_one_authorization_header_and_its_echo_is_not_stored()
{
    let jira = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/rest/api/3/issue/[A-Z]+-[0-9]+/comment$"))
        .respond_with(EchoingProxy)
        .mount(&jira)
        .await;
    let base = jira
        .uri()
        .replace("http://", "http://urlbot:url-pass-5150@");
    let app = spawn_app_with(
        Backend::Sqlite,
        move |s| {
            s.jira.base_url = Some(base);
            s.jira.flavor = JiraFlavor::Cloud;
            s.jira.email = Some("bot@example.com".into());
            s.jira.api_token = Some(Secret::new("jira-api-token-77"));
            s.comments.http_attempts = 1;
            s.comments.http_backoff_ms = 20;
            s.queue.max_attempts = 1;
        },
        None,
    )
    .await;
    let body =
        std::fs::read(fixtures_dir().join("jira/mattermost-webhook-issue-created.json")).unwrap();
    let r = app
        .post_webhook("jira", body.clone(), &jira_headers(&body, "a-1"))
        .await;
    assert_eq!(r.status(), 202);
    let error: String = crate::helpers::wait_for(|| crate::db::a_job_error(&app.store)).await;
    let requests = jira.received_requests().await.unwrap();
    assert!(!requests.is_empty());
    for r in &requests {
        let n = r.headers.get_all("authorization").iter().count();
        assert_eq!(
            n, 1,
            "{} {} sent {n} Authorization headers",
            r.method, r.url
        );
        assert!(
            r.url.username().is_empty(),
            "no credentials in the request line"
        );
    }
    let sent = basic("bot@example.com", "jira-api-token-77");
    let sent = sent.trim_start_matches("Basic ");
    assert!(error.contains("proxy refused"), "{error}");
    for secret in [sent, "url-pass-5150", "jira-api-token-77"] {
        assert!(!error.contains(secret), "stored: {error}");
    }
    app.stop().await;
}
