//! Back-fill: imports a tracker's existing tickets (or an export file's, `file`) page by
//! page into the store, saving the cursor after every page so an interrupted run resumes
//! where it stopped. No job is enqueued, so back-filled tickets are indexed (the index
//! follows the store) but never commented on.

mod file;

pub use file::{FileFormat, FileTickets, Target as FileTarget};

use crate::store::{BackfillCursor, Store};
use crate::trackers::client::ClientError;
use crate::trackers::github::api::GithubApi;
use crate::trackers::gitlab::api::GitlabApi;
use crate::trackers::jira::api::JiraApi;
use crate::trackers::linear::api::LinearApi;
use crate::trackers::page::FetchedPage;
use anyhow::Context;

/// Where tickets come from.
pub enum Source {
    Jira {
        api: JiraApi,
        jql: String,
    },
    Linear {
        api: LinearApi,
        team: String,
    },
    /// A GitHub repository (`owner/repo`): every issue, pull requests left out.
    Github {
        api: GithubApi,
        repo: String,
    },
    /// A GitLab project (`group/project`).
    Gitlab {
        api: GitlabApi,
        project: String,
    },
    /// An export file, read whole (`name` is its path).
    File {
        name: String,
        tickets: FileTickets,
    },
}

impl Source {
    /// The source's name in the cursor table: tracker plus query.
    pub fn name(&self) -> String {
        match self {
            Source::Jira { jql, .. } => format!("jira:{jql}"),
            Source::Linear { team, .. } => format!("linear:{team}"),
            Source::Github { repo, .. } => format!("github:{repo}"),
            Source::Gitlab { project, .. } => format!("gitlab:{project}"),
            Source::File { name, .. } => format!("file:{name}"),
        }
    }

    async fn page(&self, cursor: Option<&str>, size: u32) -> anyhow::Result<FetchedPage> {
        let api = |r: Result<FetchedPage, ClientError>| r.map_err(anyhow::Error::from);
        match self {
            Source::Jira { api: a, jql } => api(a.search_page(jql, cursor, size).await),
            Source::Linear { api: a, team } => api(a.issues_page(team, cursor, size).await),
            Source::Github { api: a, repo } => api(a.issues_page(repo, cursor, size).await),
            Source::Gitlab { api: a, project } => api(a.issues_page(project, cursor, size).await),
            Source::File { tickets, .. } => tickets.page(cursor, size),
        }
    }
}

/// Progress after a page.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Tickets stored by this source so far (earlier runs included).
    pub fetched: u64,
    /// Total matches, when the tracker tells.
    pub total: Option<u64>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub fetched: u64,
    pub pages: u64,
    /// Whether the run continued an interrupted one.
    pub resumed: bool,
}

/// Runs (or resumes) a back-fill. `restart` ignores a saved cursor; a source that finished
/// before starts over (a refresh). `on_page` sees progress after every stored page.
pub async fn run(
    store: &Store,
    source: &Source,
    page_size: u32,
    restart: bool,
    mut on_page: impl FnMut(Progress),
) -> anyhow::Result<Outcome> {
    let name = source.name();
    let saved = store
        .backfill_cursor(&name)
        .await
        .context("failed to read the back-fill cursor")?;
    let (mut cursor, resumed) = match saved {
        Some(c) if !restart && !c.done => (c, true),
        _ => (
            BackfillCursor {
                cursor: None,
                fetched: 0,
                done: false,
            },
            false,
        ),
    };
    if resumed {
        tracing::info!(source = %name, fetched = cursor.fetched, "resuming back-fill");
    }
    let mut pages = 0;
    loop {
        let page = source
            .page(cursor.cursor.as_deref(), page_size.clamp(1, 100))
            .await
            .with_context(|| format!("failed to fetch a page of {name}"))?;
        let now = store.now();
        for t in &page.tickets {
            store
                .apply_ticket_event(&t.event, now)
                .await
                .context("failed to store a back-filled ticket")?;
            for key in &t.duplicate_links {
                store
                    .add_duplicate_link(t.event.tracker.as_str(), &t.event.id, key)
                    .await
                    .context("failed to store a duplicate link")?;
            }
        }
        pages += 1;
        cursor.fetched += page.tickets.len() as i64;
        cursor.done = page.next.is_none();
        cursor.cursor = page.next;
        store
            .save_backfill_cursor(&name, &cursor, now)
            .await
            .context("failed to save the back-fill cursor")?;
        on_page(Progress {
            fetched: cursor.fetched as u64,
            total: page.total,
        });
        if cursor.done {
            return Ok(Outcome {
                fetched: cursor.fetched as u64,
                pages,
                resumed,
            });
        }
    }
}
