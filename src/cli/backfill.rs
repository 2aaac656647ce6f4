//! `ticketlens backfill jira|linear|github|gitlab|file`: imports existing tickets, with a progress bar in a
//! terminal and a log line per page elsewhere.

use crate::backfill::{self, Progress, Source};
use crate::config::Settings;
use crate::domain::redact::url_without_credentials as redact_url;
use crate::store::Store;
use crate::ticketindex::TicketIndex;
use crate::trackers::client::{ClientOptions, TrackerClient};
use crate::trackers::github::api::GithubApi;
use crate::trackers::gitlab::api::GitlabApi;
use crate::trackers::jira::api::JiraApi;
use crate::trackers::linear::api::LinearApi;
use crate::worker::index_sync;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Subcommand)]
pub enum BackfillCommand {
    /// Jira issues matching a JQL query (Cloud: `search/jql` with `nextPageToken`; Data
    /// Center: `/rest/api/2/search` with `startAt`; see `[jira] flavor`).
    Jira {
        /// The JQL, e.g. `project = PROJ ORDER BY created ASC`.
        #[arg(long)]
        jql: String,
        #[command(flatten)]
        common: Common,
    },
    /// The issues of one Linear team (GraphQL `issues` connection with cursors).
    Linear {
        /// The team key, e.g. `ENG`.
        #[arg(long)]
        team: String,
        #[command(flatten)]
        common: Common,
    },
    /// The issues of one GitHub repository, every page (`Link` header), with the issues
    /// those closed as duplicates were marked duplicates of. Pull requests are left out.
    Github {
        /// The repository, `owner/repo`.
        #[arg(long)]
        repo: String,
        #[command(flatten)]
        common: Common,
    },
    /// The issues of one GitLab project, every page (`X-Next-Page`), with the issue each
    /// was closed as a duplicate of.
    Gitlab {
        /// The project path, `group/project` (subgroups allowed).
        #[arg(long)]
        project: String,
        #[command(flatten)]
        common: Common,
    },
    /// Past tickets from an export file: this project's dataset JSON Lines, a Jira CSV
    /// export or a Bugzilla CSV export (the columns read: `docs/accuracy.md`). Resumable;
    /// importing the same file again updates the same tickets. Never commented on.
    File {
        #[command(flatten)]
        file: FileArgs,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Args)]
pub struct FileArgs {
    /// `jsonl` (this project's dataset records) or `csv` (a Jira or Bugzilla CSV export,
    /// told apart by its header).
    #[arg(long, value_enum)]
    format: crate::backfill::FileFormat,
    /// The tracker the tickets are stored under (jira, linear, github, gitlab).
    #[arg(long, default_value = "jira")]
    tracker: String,
    /// The project whose key prefixes bare numbers (`BZ` makes bug 55970 `BZ-55970`);
    /// a dataset record's own project otherwise, `BZ` for a Bugzilla export.
    #[arg(long)]
    project: Option<String>,
    /// The export file.
    path: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct Common {
    /// Tickets per request (1–100).
    #[arg(long, default_value_t = 100)]
    page_size: u32,
    /// Starts over instead of resuming an interrupted run.
    #[arg(long)]
    restart: bool,
}

/// Runs a back-fill, then brings the on-disk ticket index up to date when no running
/// service holds it (a running service follows the store by itself).
pub async fn run(cmd: BackfillCommand, settings: &Settings) -> anyhow::Result<()> {
    let client = TrackerClient::new(ClientOptions::default())?;
    let (source, common) = match cmd {
        BackfillCommand::Jira { jql, common } => {
            let api = JiraApi::new(&settings.jira, client).map_err(anyhow::Error::msg)?;
            (Source::Jira { api, jql }, common)
        }
        BackfillCommand::Linear { team, common } => {
            let api = LinearApi::new(&settings.linear, client).map_err(anyhow::Error::msg)?;
            (Source::Linear { api, team }, common)
        }
        BackfillCommand::Github { repo, common } => {
            GithubApi::check_repo(&repo).map_err(anyhow::Error::msg)?;
            let api = GithubApi::new(&settings.github, client).map_err(anyhow::Error::msg)?;
            (Source::Github { api, repo }, common)
        }
        BackfillCommand::Gitlab { project, common } => {
            GitlabApi::check_project(&project).map_err(anyhow::Error::msg)?;
            let api = GitlabApi::new(&settings.gitlab, client).map_err(anyhow::Error::msg)?;
            (Source::Gitlab { api, project }, common)
        }
        BackfillCommand::File { file, common } => (file_source(&file)?, common),
    };
    // settings are checked before anything is created on disk
    let url = settings.database.url.expose();
    let store = Store::connect(url, 2)
        .await
        .with_context(|| format!("failed to open the database {}", redact_url(url)))?;
    store.migrate().await?;
    let mut bar = Bar::new();
    let outcome = backfill::run(&store, &source, common.page_size, common.restart, |p| {
        bar.show(p)
    })
    .await;
    bar.finish();
    let outcome = outcome?;
    tracing::info!(
        fetched = outcome.fetched,
        pages = outcome.pages,
        resumed = outcome.resumed,
        "back-fill done"
    );
    if let Some(dir) = settings.duplicates.index_dir.clone() {
        match tokio::task::spawn_blocking(move || TicketIndex::open(Some(&dir))).await? {
            Ok((index, fresh)) => {
                index_sync::prepare(&store, Arc::new(index), fresh).await?;
            }
            Err(e) => {
                tracing::info!(error = %e, "ticket index busy; the running service indexes the tickets")
            }
        }
    }
    store.close().await;
    Ok(())
}

/// An export file's tickets, read whole, named by its absolute path (the cursor's name).
fn file_source(f: &FileArgs) -> anyhow::Result<Source> {
    let tracker = crate::domain::Tracker::parse(&f.tracker)
        .with_context(|| format!("unknown tracker `{}`", f.tracker))?;
    let target = crate::backfill::FileTarget {
        tracker,
        project: f.project.clone(),
    };
    let tickets = crate::backfill::FileTickets::read(&f.path, f.format, &target)?;
    let path = std::fs::canonicalize(&f.path)?;
    Ok(Source::File {
        name: format!("{}:{}", f.tracker, path.display()),
        tickets,
    })
}

/// A one-line progress bar on stderr when it is a terminal.
struct Bar {
    tty: bool,
    started: Instant,
    drawn: bool,
}

impl Bar {
    fn new() -> Bar {
        Bar {
            tty: std::io::stderr().is_terminal(),
            started: Instant::now(),
            drawn: false,
        }
    }

    fn show(&mut self, p: Progress) {
        let rate = p.fetched as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
        if !self.tty {
            tracing::info!(
                fetched = p.fetched,
                total = p.total,
                "back-fill page stored"
            );
            return;
        }
        let line = match p.total {
            Some(total) if total > 0 => {
                let done = (p.fetched.min(total) * 30 / total) as usize;
                format!(
                    "[{}{}] {}/{} tickets  {:.0}/s",
                    "#".repeat(done),
                    "-".repeat(30 - done),
                    p.fetched,
                    total,
                    rate
                )
            }
            _ => format!("{} tickets  {:.0}/s", p.fetched, rate),
        };
        eprint!("\r{line}\x1b[K");
        let _ = std::io::stderr().flush();
        self.drawn = true;
    }

    fn finish(&self) {
        if self.drawn {
            eprintln!();
        }
    }
}
