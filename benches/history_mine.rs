//! Full-history mining benchmark: `git log --numstat --no-renames` against the git2 miner
//! on the same repository in the same run. Not run in CI (it needs a real repository).
//!
//! ```sh
//! cargo bench --bench history_mine -- --repo /work/.mirror/apache+tomcat/repo \
//!     [--branch main] [--threads 0] [--rounds 2]
//! ```
//!
//! Reported: wall time of each, commits and file changes found, and this process's peak
//! resident memory after mining (VmHWM; the miner is the only large allocation).

#[path = "support/args.rs"]
mod args;

use args::arg;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;
use ticketlens::history::{mine, MineRequest};

fn main() {
    let repo = PathBuf::from(arg("--repo", "/work/.mirror/apache+tomcat/repo"));
    let branch = arg("--branch", "main");
    let threads: usize = arg("--threads", "0").parse().expect("--threads N");
    let rounds: usize = arg("--rounds", "2").parse().expect("--rounds N");
    for round in 1..=rounds {
        let t = Instant::now();
        let status = Command::new("git")
            .arg("--git-dir")
            .arg(&repo)
            .args([
                "log",
                "--numstat",
                "--no-renames",
                "--format=%H %ae %ct",
                &branch,
            ])
            .stdout(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git log failed");
        let git_s = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let out = mine(&MineRequest {
            path: repo.clone(),
            branch: branch.clone(),
            known_tip: None,
            next_seq: 0,
            threads,
        })
        .expect("mining succeeds");
        let ours_s = t.elapsed().as_secs_f64();
        let changes: usize = out.commits.iter().map(|c| c.files.len()).sum();
        println!(
            "round {round}: git log --numstat --no-renames {git_s:.2} s | git2 miner {ours_s:.2} s \
             ({:.2}x git) | {} commits, {changes} file changes, {} missing objects | peak RSS {} MB",
            ours_s / git_s,
            out.commits.len(),
            out.missing_objects,
            peak_rss_mb()
        );
    }
}

fn peak_rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
