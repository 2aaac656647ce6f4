//! The service under test: its configuration, the one-off preparation (code index, mined
//! history), and `ticketlens serve` processes that can be SIGKILLed and restarted.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ticketlens");

pub struct Setup {
    pub dir: PathBuf,
    pub database_url: String,
    pub jira_base: String,
    pub repo: PathBuf,
    pub repo_name: String,
    pub workers: usize,
    pub shown: usize,
    /// Dropped at the end (PostgreSQL only).
    pub pg_database: Option<(String, String)>,
}

pub fn admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn psql(url: &str, sql: &str) {
    let ok = Command::new("psql")
        .args([url, "-qtAc", sql])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "psql failed: {sql}");
}

impl Setup {
    /// The database: a SQLite file in `dir`, or a fresh PostgreSQL database.
    pub fn database(backend: &str, dir: &Path) -> (String, Option<(String, String)>) {
        match backend {
            "sqlite" => (
                format!("sqlite://{}", dir.join("replay.db").display()),
                None,
            ),
            "postgres" => {
                let admin = admin_url();
                let name = format!("tl_replay_{}", std::process::id());
                psql(
                    &admin,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                );
                psql(&admin, &format!("CREATE DATABASE {name}"));
                let base = admin.rsplit_once('/').expect("database URL").0;
                (format!("{base}/{name}"), Some((admin, name)))
            }
            other => panic!("unknown backend {other}"),
        }
    }

    /// The configuration of service process `n` (each has its own listener and code index
    /// directory, as pods with their own volumes would; the database is shared).
    pub fn config(&self, n: usize, port: u16) -> PathBuf {
        let text = format!(
            r#"[server]
listen = "127.0.0.1:{port}"
[database]
url = "{db}"
[queue]
workers = {workers}
[log]
level = "warn"
format = "text"
[comments]
max_duplicates = {shown}
[duplicates]
limit = {shown}
related_threshold = 0.0
[jira]
webhook_secret = "{secret}"
base_url = "{jira}"
flavor = "cloud"
email = "replay@example.com"
api_token = "replay-token"
[codeindex]
index_dir = "{dir}/codeindex-{n}"
[[repositories]]
name = "{name}"
path = "{repo}"
branch = "HEAD"
"#,
            db = self.database_url,
            workers = self.workers,
            shown = self.shown,
            secret = super::webhook::SECRET,
            jira = self.jira_base,
            dir = self.dir.display(),
            name = self.repo_name,
            repo = self.repo.display(),
        );
        let path = self.dir.join(format!("service-{n}.toml"));
        std::fs::write(&path, text).expect("write config");
        path
    }

    /// Builds the code index and mines the repository's history into the database, the way
    /// an operator would before starting the service; returns the seconds each took.
    pub fn prepare(&self, processes: usize) -> (f64, f64) {
        let config = self.config(0, 0);
        let t = Instant::now();
        run(&[
            "--config",
            config.to_str().unwrap(),
            "history",
            "mine",
            "--repo",
            self.repo.to_str().unwrap(),
            "--name",
            &self.repo_name,
            "--branch",
            "HEAD",
        ]);
        let mined = t.elapsed().as_secs_f64();
        let t = Instant::now();
        run(&["--config", config.to_str().unwrap(), "index"]);
        let indexed = t.elapsed().as_secs_f64();
        for n in 1..processes {
            let copy = Command::new("cp")
                .arg("-r")
                .arg(self.dir.join("codeindex-0"))
                .arg(self.dir.join(format!("codeindex-{n}")))
                .status()
                .expect("cp");
            assert!(copy.success(), "copying the code index failed");
        }
        (mined, indexed)
    }
}

fn run(args: &[&str]) {
    let out = Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("ticketlens runs");
    assert!(
        out.status.success(),
        "ticketlens {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One `ticketlens serve` slot: restarted with the same configuration after a kill.
pub struct Service {
    pub base: String,
    config: PathBuf,
    log: PathBuf,
    child: Option<Child>,
    /// Peak resident memory (VmHWM) of every process this slot ran, in KiB.
    pub peak_kib: Arc<Mutex<u64>>,
}

impl Service {
    pub fn start(setup: &Setup, n: usize) -> Service {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut s = Service {
            base: format!("http://127.0.0.1:{port}"),
            config: setup.config(n, port),
            log: setup.dir.join(format!("service-{n}.log")),
            child: None,
            peak_kib: Arc::new(Mutex::new(0)),
        };
        s.spawn();
        s
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("service log");
        let child = Command::new(BIN)
            .args(["--config", self.config.to_str().unwrap(), "serve"])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("ticketlens serve starts");
        let (pid, peak) = (child.id(), self.peak_kib.clone());
        std::thread::spawn(move || sample_peak(pid, peak));
        self.child = Some(child);
    }

    /// SIGKILL, then start again with the same configuration.
    pub fn kill_and_restart(&mut self) {
        self.kill();
        self.spawn();
    }

    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Waits for `/readyz` (database migrated, code index loaded).
    pub async fn ready(&self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let ok = client
                .get(format!("{}/readyz", self.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} not ready; see {}",
                self.base,
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn peak_mib(&self) -> f64 {
        *self.peak_kib.lock().unwrap() as f64 / 1024.0
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Follows a process's VmHWM (peak resident set) until it exits, keeping the largest seen.
fn sample_peak(pid: u32, peak: Arc<Mutex<u64>>) {
    let path = format!("/proc/{pid}/status");
    while let Ok(status) = std::fs::read_to_string(&path) {
        if status.contains("State:\tZ") {
            return;
        }
        let hwm = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
        if let Some(kib) = hwm {
            let mut p = peak.lock().unwrap();
            *p = (*p).max(kib);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
