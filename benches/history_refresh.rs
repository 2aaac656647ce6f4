//! Incremental history refresh: a repository mined up to `HEAD~N`, then brought to `HEAD`
//! the way `serve` does after a code index refresh (mine the new commits, save them, rescore
//! every module and file). Not run in CI (it needs a real repository).
//!
//! ```sh
//! cargo bench --bench history_refresh -- --repo /work/.mirror/apache+tomcat/repo \
//!     [--branch main] [--new 10] [--rounds 3]
//! ```
//!
//! Reported per round: the refresh's mine, save and rescore times and its wall time.

#[path = "support/args.rs"]
mod args;

use args::arg;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;
use ticketlens::config::HistorySettings;
use ticketlens::history_refresh::{refresh, HistoryCache, Target};
use ticketlens::modules::ModuleRules;
use ticketlens::store::Store;

#[tokio::main]
async fn main() {
    let repo = PathBuf::from(arg("--repo", "/work/.mirror/apache+tomcat/repo"));
    let branch = arg("--branch", "main");
    let new: usize = arg("--new", "10").parse().expect("--new N");
    let rounds: usize = arg("--rounds", "3").parse().expect("--rounds N");
    let rev = |spec: String| {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(&repo)
            .args(["rev-parse", &spec])
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git rev-parse {spec} failed");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let (base, tip) = (rev(format!("{branch}~{new}")), rev(branch.clone()));
    let settings = HistorySettings::default();
    let rules = ModuleRules::default();
    for round in 1..=rounds {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = Store::connect(&url, 4).await.unwrap();
        store.migrate().await.unwrap();
        // serve's cache of the mined history, as it is after the first mine
        let cache = HistoryCache::default();
        let target = |at| Target {
            repository: "bench",
            path: repo.clone(),
            branch: &branch,
            at: Some(at),
        };
        let t = Instant::now();
        refresh(&store, &settings, &rules, target(&base), Some(&cache))
            .await
            .unwrap();
        let full = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let s = refresh(&store, &settings, &rules, target(&tip), Some(&cache))
            .await
            .unwrap();
        let wall = t.elapsed().as_secs_f64();
        println!(
            "round {round}: first mine {full:.2} s; then {} new commits: mine {} ms, save {} ms, \
             rescore {} ms, wall {:.0} ms",
            s.new_commits,
            s.mine_ms,
            s.save_ms,
            s.score_ms,
            wall * 1000.0
        );
        store.close().await;
    }
}
