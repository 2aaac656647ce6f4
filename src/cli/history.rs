//! `ticketlens history mine`: mines configured repositories (or one given path) into the
//! store, incrementally, and recomputes their fragility. `ticketlens history commits` lists
//! the mined commits with what the classifier made of them, and the rule that decided.

use crate::config::Settings;
use crate::history_refresh::{refresh, Target};
use crate::store::Store;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Mines new commits (all of them the first time) and rescores modules and files.
    Mine {
        /// A repository path (bare or not) instead of the configured `[[repositories]]`.
        #[arg(long)]
        repo: Option<PathBuf>,
        /// Name to store it under; defaults to the directory name.
        #[arg(long)]
        name: Option<String>,
        /// Branch or revision of `--repo`; its HEAD (the default branch) when not given.
        #[arg(long, default_value = "HEAD")]
        branch: String,
    },
    /// Lists mined commits, newest first, with kind, sweep and bot flags and the rule that
    /// decided (what a module's counts are made of).
    Commits {
        /// Only this repository (the name it is stored under).
        #[arg(long)]
        repository: Option<String>,
        /// Only this kind: bugfix, revert, feature, refactor, housekeeping, test; or `sweep`
        /// or `bot` for the flags.
        #[arg(long)]
        kind: Option<String>,
        /// At most this many commits.
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// Prints JSON Lines, one commit a line.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cmd: HistoryCommand, settings: &Settings) -> anyhow::Result<()> {
    match cmd {
        HistoryCommand::Mine { repo, name, branch } => mine(settings, repo, name, branch).await,
        HistoryCommand::Commits {
            repository,
            kind,
            limit,
            json,
        } => commits(settings, repository, kind, limit, json).await,
    }
}

async fn commits(
    settings: &Settings,
    repository: Option<String>,
    kind: Option<String>,
    limit: i64,
    json: bool,
) -> anyhow::Result<()> {
    if let Some(k) = &kind {
        anyhow::ensure!(
            crate::history::Kind::parse(k).is_some() || k == "sweep" || k == "bot",
            "--kind `{k}`: one of bugfix, revert, feature, refactor, housekeeping, test, sweep, bot"
        );
    }
    let store = Store::connect(settings.database.url.expose(), 2).await?;
    store.migrate().await?;
    let list = store
        .list_commits(repository.as_deref(), kind.as_deref(), limit.max(1))
        .await?;
    for c in &list {
        if json {
            println!("{}", serde_json::to_string(c)?);
        } else {
            let flags = match (c.sweep, c.bot) {
                (true, true) => " sweep bot",
                (true, false) => " sweep",
                (false, true) => " bot",
                _ => "",
            };
            println!(
                "{} {} {:<12}{flags:<10} {:>4} files  {}  [{}] ({})",
                &c.sha[..c.sha.len().min(10)],
                crate::render::date(c.time_ms),
                c.kind,
                c.files,
                c.subject,
                c.rule,
                c.author
            );
        }
    }
    if list.is_empty() && !json {
        println!("no classified commits: mine a repository first (`ticketlens history mine`)");
    }
    store.close().await;
    Ok(())
}

async fn mine(
    settings: &Settings,
    repo: Option<PathBuf>,
    name: Option<String>,
    branch: String,
) -> anyhow::Result<()> {
    let targets: Vec<(String, PathBuf, String)> = match repo {
        Some(path) => {
            let name = name.unwrap_or_else(|| default_name(&path));
            vec![(name, path, branch)]
        }
        None => settings
            .repositories
            .iter()
            .map(|r| {
                // a repository given by URL is mined from the clone the code index keeps
                let path = r.path.clone().unwrap_or_else(|| {
                    crate::codeindex::clone_dir(&settings.codeindex.index_dir, &r.name)
                });
                let branch = r.branch_or_head().to_string();
                (r.name.clone(), path, branch)
            })
            .collect(),
    };
    anyhow::ensure!(
        !targets.is_empty(),
        "nothing to mine: pass --repo or configure [[repositories]]"
    );
    let store = Store::connect(settings.database.url.expose(), 2).await?;
    store.migrate().await?;
    for (name, path, branch) in targets {
        let rules = settings.module_rules(&name);
        let target = Target {
            repository: &name,
            path,
            branch: &branch,
            at: None,
        };
        let s = refresh(&store, &settings.history_of(&name), &rules, target, None).await?;
        println!("{}", serde_json::to_string(&s)?);
    }
    store.close().await;
    Ok(())
}

/// `…/apache+tomcat/repo` → `apache+tomcat`; `…/app.git` → `app`.
fn default_name(path: &std::path::Path) -> String {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut parts = canonical
        .iter()
        .rev()
        .map(|p| p.to_string_lossy().to_string());
    let last = parts.next().unwrap_or_default();
    let name = match last.as_str() {
        "repo" | ".git" => parts.next().unwrap_or(last),
        _ => last,
    };
    name.trim_end_matches(".git").to_string()
}
