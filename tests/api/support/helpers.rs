//! Shared test plumbing: fresh databases on both backends and `spawn_app()` on port 0.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use ticketlens::config::{Secret, Settings};
use ticketlens::startup::Application;
use ticketlens::store::Store;
use ticketlens::worker::JobHandler;
use tokio_util::sync::CancellationToken;

pub const JIRA_SECRET: &str = "jira-test-secret-5bd1";
pub const LINEAR_SECRET: &str = "linear-test-secret-9c2e";
pub const GITHUB_SECRET: &str = "github-test-secret-41aa";
pub const GITLAB_TOKEN: &str = "gitlab-test-token-7f03";

/// Where the tests look for a PostgreSQL server when `TEST_POSTGRES_URL` is unset.
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The PostgreSQL server the tests use: `TEST_POSTGRES_URL` (`.ci/run` sets it), else the
/// server on the default address, else — when nothing answers there — a throwaway server of
/// the tests' own (`tests/support/postgres.sh`), stopped when the test process exits.
pub fn postgres_admin_url() -> String {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("TEST_POSTGRES_URL") {
            return url;
        }
        let default: std::net::SocketAddr = "127.0.0.1:5432".parse().unwrap();
        if std::net::TcpStream::connect_timeout(&default, std::time::Duration::from_secs(2)).is_ok()
        {
            return DEFAULT_POSTGRES_URL.to_string();
        }
        throwaway_postgres()
    })
    .clone()
}

/// Starts `tests/support/postgres.sh` and reads the URL it prints; the script stays behind
/// as a watchdog that stops the server when this process is gone.
fn throwaway_postgres() -> String {
    use std::io::BufRead;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/postgres.sh");
    let mut child = std::process::Command::new("bash")
        .arg(&script)
        .arg(std::process::id().to_string())
        .arg(port.to_string())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run tests/support/postgres.sh");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("read the throwaway server's URL");
    let url = line.trim().to_string();
    assert!(
        url.starts_with("postgres://"),
        "nothing answers at {DEFAULT_POSTGRES_URL} and starting a throwaway PostgreSQL failed \
         (set TEST_POSTGRES_URL, or run {} to see why)",
        script.display()
    );
    eprintln!(
        "tests: nothing answers at {DEFAULT_POSTGRES_URL}; using a throwaway server at {url}"
    );
    // the watchdog outlives this handle on purpose
    std::mem::forget(child);
    url
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database for one test, removed when dropped.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                TestDb {
                    url,
                    _dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("tl_test_{}", uuid::Uuid::new_v4().simple());
                let admin = postgres_admin_url();
                let store = Store::connect(&admin, 1)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL must be reachable at {admin}: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(store.pool())
                    .await
                    .expect("create test database");
                store.close().await;
                let url = match admin.rsplit_once('/') {
                    Some((base, _)) => format!("{base}/{name}"),
                    None => panic!("admin url has no database part"),
                };
                TestDb {
                    url,
                    _dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// A migrated store over this database.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.url, 8).await.expect("connect");
        store.migrate().await.expect("migrate");
        store
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Drop runs inside the test's runtime; a separate thread with its own runtime may block.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok(store) = Store::connect(&postgres_admin_url(), 1).await {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(store.pool())
                        .await;
                    store.close().await;
                }
            });
        })
        .join();
    }
}

/// Settings for a test app: port 0, the given database, test secrets, quiet logs.
pub fn test_settings(db_url: &str) -> Settings {
    let mut s = Settings::from_toml("").expect("defaults");
    s.server.listen = "127.0.0.1:0".parse().unwrap();
    s.server.shutdown_grace_secs = 5;
    s.database.url = Secret::new(db_url);
    s.queue.poll_interval_ms = 50;
    s.queue.backoff_base_ms = 50;
    s.jira.webhook_secret = Some(Secret::new(JIRA_SECRET));
    s.linear.webhook_secret = Some(Secret::new(LINEAR_SECRET));
    s.github.webhook_secret = Some(Secret::new(GITHUB_SECRET));
    s.gitlab.webhook_token = Some(Secret::new(GITLAB_TOKEN));
    s.log.level = "warn".into();
    s
}

/// A running application and what tests need to talk to it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub shutdown: CancellationToken,
    pub db: TestDb,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// Starts the real server on port 0 over a fresh database of the given backend.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}, None).await
}

pub async fn spawn_app_with(
    backend: Backend,
    tweak: impl FnOnce(&mut Settings),
    handler: Option<Arc<dyn JobHandler>>,
) -> TestApp {
    let db = TestDb::new(backend).await;
    spawn_app_over(db, tweak, handler).await
}

/// Starts the real server over an existing database (a restart: `TestApp::stop` hands the
/// database back).
pub async fn spawn_app_over(
    db: TestDb,
    tweak: impl FnOnce(&mut Settings),
    handler: Option<Arc<dyn JobHandler>>,
) -> TestApp {
    let mut settings = test_settings(&db.url);
    tweak(&mut settings);
    let app = Application::build_with_handler(settings, handler)
        .await
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let shutdown = app.shutdown_token();
    let task = tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        store: db.store().await,
        shutdown,
        db,
        task: Some(task),
    }
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.api().get(path).await
    }

    /// The API as a caller without a token.
    pub fn api(&self) -> Caller<'_> {
        Caller {
            app: self,
            token: None,
        }
    }

    /// The API as a caller presenting `token` (`Authorization: Bearer`).
    pub fn api_as<'a>(&'a self, token: &'a str) -> Caller<'a> {
        Caller {
            app: self,
            token: Some(token),
        }
    }

    /// Posts a body to `/webhooks/{tracker}` with the given headers.
    pub async fn post_webhook(
        &self,
        tracker: &str,
        body: Vec<u8>,
        headers: &[(String, String)],
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}/webhooks/{tracker}", self.address))
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send().await.expect("request")
    }

    /// Stops the app and waits for it to finish.
    pub async fn stop(mut self) -> TestDb {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            task.await.expect("app task").expect("app stops cleanly");
        }
        self.store.close().await;
        self.db
    }
}

/// A caller of the running app: one method per endpoint of `openapi/ticketlens.yaml`, so a
/// test says what it asks, not how the request is put together.
pub struct Caller<'a> {
    app: &'a TestApp,
    token: Option<&'a str>,
}

impl Caller<'_> {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> reqwest::Response {
        let mut req = self
            .app
            .client
            .request(method, format!("{}{path}", self.app.address));
        if let Some(t) = self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.expect("request")
    }

    /// Any path, for the routes without a method of their own and for paths that exist on
    /// no route.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn healthz(&self) -> reqwest::Response {
        self.get("/healthz").await
    }

    pub async fn readyz(&self) -> reqwest::Response {
        self.get("/readyz").await
    }

    pub async fn metrics(&self) -> reqwest::Response {
        self.get("/metrics").await
    }

    /// `GET /api/v1/jobs?state=…`
    pub async fn jobs(&self, state: &str) -> reqwest::Response {
        self.get(&format!("/api/v1/jobs?state={state}")).await
    }

    /// `POST /api/v1/jobs/{id}/retry`
    pub async fn retry_job(&self, id: impl std::fmt::Display) -> reqwest::Response {
        let path = format!("/api/v1/jobs/{id}/retry");
        self.send(reqwest::Method::POST, &path, None).await
    }

    /// `POST /api/v1/jobs/retry` with a filter.
    pub async fn retry_jobs(&self, filter: &serde_json::Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, "/api/v1/jobs/retry", Some(filter))
            .await
    }

    /// `GET /api/v1/modules` with a query string (`""` for none).
    pub async fn modules(&self, query: &str) -> reqwest::Response {
        self.get(&format!("/api/v1/modules{query}")).await
    }

    /// `GET /api/v1/modules/{id}/dependencies`
    pub async fn module_dependencies(&self, id: &str) -> reqwest::Response {
        self.get(&format!("/api/v1/modules/{id}/dependencies"))
            .await
    }

    /// `GET /api/v1/plan` with a query string (`?release=2.4`, `?sprint=…`, `?open=true`).
    pub async fn plan(&self, query: &str) -> reqwest::Response {
        self.get(&format!("/api/v1/plan{query}")).await
    }

    /// `GET /api/v1/repositories/{name}/accuracy`
    pub async fn accuracy(&self, repository: &str) -> reqwest::Response {
        self.get(&format!("/api/v1/repositories/{repository}/accuracy"))
            .await
    }

    /// `GET /api/v1/repositories`
    pub async fn repositories(&self) -> reqwest::Response {
        self.get("/api/v1/repositories").await
    }

    /// `GET /api/v1/repositories/{name}/overview`
    pub async fn overview(&self, repository: &str) -> reqwest::Response {
        self.get(&format!("/api/v1/repositories/{repository}/overview"))
            .await
    }

    /// `GET /api/v1/tickets/{tracker}/{key}` (the key escaped as a path segment).
    pub async fn ticket(&self, tracker: &str, key: &str) -> reqwest::Response {
        let key = key.replace('/', "%2F").replace('#', "%23");
        self.get(&format!("/api/v1/tickets/{tracker}/{key}")).await
    }

    /// `GET /api/v1/duplicates/models`
    pub async fn duplicate_models(&self) -> reqwest::Response {
        self.get("/api/v1/duplicates/models").await
    }

    /// `POST /api/v1/analyze`
    pub async fn analyze(&self, request: &serde_json::Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, "/api/v1/analyze", Some(request))
            .await
    }
}

/// Directory of the webhook fixtures (copies of the shared folder's, see `tests/data/README.md`).
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixtures/webhooks")
}

/// Signs a Jira body the way Jira Cloud does.
pub fn jira_headers(body: &[u8], delivery: &str) -> Vec<(String, String)> {
    let sig = ticketlens::trackers::signature::hex_hmac(JIRA_SECRET.as_bytes(), body);
    vec![
        ("X-Hub-Signature".into(), format!("sha256={sig}")),
        ("X-Atlassian-Webhook-Identifier".into(), delivery.into()),
    ]
}

/// Signs a Linear body the way Linear does.
pub fn linear_headers(body: &[u8], delivery: &str) -> Vec<(String, String)> {
    let sig = ticketlens::trackers::signature::hex_hmac(LINEAR_SECRET.as_bytes(), body);
    vec![
        ("Linear-Signature".into(), sig),
        ("Linear-Delivery".into(), delivery.into()),
        ("Linear-Event".into(), "Issue".into()),
    ]
}

/// Signs a GitHub body the way GitHub does (with the legacy SHA-1 header beside it, which
/// must play no part).
pub fn github_headers(body: &[u8], delivery: &str, event: &str) -> Vec<(String, String)> {
    let sig = ticketlens::trackers::signature::hex_hmac(GITHUB_SECRET.as_bytes(), body);
    vec![
        ("X-Hub-Signature-256".into(), format!("sha256={sig}")),
        ("X-Hub-Signature".into(), format!("sha1={}", "0".repeat(40))),
        ("X-GitHub-Event".into(), event.into()),
        ("X-GitHub-Delivery".into(), delivery.into()),
        ("X-GitHub-Hook-ID".into(), "424242".into()),
    ]
}

/// The headers GitLab sends with a hook.
pub fn gitlab_headers(delivery: &str, event: &str) -> Vec<(String, String)> {
    vec![
        ("X-Gitlab-Token".into(), GITLAB_TOKEN.into()),
        ("X-Gitlab-Event".into(), event.into()),
        ("X-Gitlab-Event-UUID".into(), delivery.into()),
        ("X-Gitlab-Instance".into(), "https://gitlab.com".into()),
    ]
}

/// The `X-GitHub-Event` a zulip GitHub fixture was sent with (its name says).
pub fn github_event_of(file: &str) -> &'static str {
    if file.contains("issue_comment") {
        "issue_comment"
    } else {
        "issues"
    }
}

/// The `X-Gitlab-Event` a zulip GitLab fixture was sent with.
pub fn gitlab_event_of(file: &str) -> &'static str {
    if file.contains("confidential_issue") {
        "Confidential Issue Hook"
    } else {
        "Issue Hook"
    }
}

/// Rewrites a Linear fixture's `webhookTimestamp` to now (fixtures are years old), keeping
/// every other byte as it was.
pub fn freshen_linear(body: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(body);
    let now = ticketlens::store::now_ms();
    let Some(start) = text.find("\"webhookTimestamp\"") else {
        return body.to_vec();
    };
    let rest = &text[start..];
    let colon = rest.find(':').expect("colon after key");
    let digits_start = rest[colon + 1..]
        .find(|c: char| c.is_ascii_digit())
        .map(|i| colon + 1 + i)
        .expect("timestamp digits");
    let digits_len = rest[digits_start..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len() - digits_start);
    let from = start + digits_start;
    format!("{}{}{}", &text[..from], now, &text[from + digits_len..]).into_bytes()
}

pub use crate::db::count_jobs;

/// Declares each test once per backend: `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    )*};
}

/// The one polling helper: calls `f` every 25 ms until it returns `Some`, and fails the test
/// after 10 s.
pub async fn wait_for<T, F, Fut>(f: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    wait_up_to(std::time::Duration::from_secs(10), "condition", f).await
}

/// `wait_for` with its own bound, for work known to take longer (a learner's round, a
/// queue of thousands); the failure names `what`.
pub async fn wait_up_to<T, F, Fut>(limit: std::time::Duration, what: &str, f: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what} not reached in {limit:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// How many jobs are in a state.
pub async fn jobs_in(store: &Store, state: ticketlens::store::JobState) -> usize {
    store.list_jobs(state, 500).await.unwrap().len()
}

/// Waits until no job is queued or running, read in one query: counting the two states
/// one after the other could miss a job that failed an attempt and went back from running to
/// queued between the two reads.
pub async fn settle(store: &Store) {
    wait_for(|| async { (crate::db::unfinished_jobs(store).await == 0).then_some(()) }).await;
}
