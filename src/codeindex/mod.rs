//! The code index: configured repositories indexed with tantivy at a commit (one document
//! per source file), module detection and CODEOWNERS, history signals from git2, and the
//! query that maps a ticket's text to ranked files and modules with evidence.
//! tantivy and git2 types never leave this room.

mod build;
mod codeowners;
mod corpus;
mod deps;
mod extract;
mod fileindex;
mod gitsrc;
mod glob;
mod history;
mod nearbydocs;
mod neighbours;
mod pasttickets;
mod precedent;
mod query;
mod rank;
mod repo;
mod signals;
mod snapshot;
mod tokens;
mod vocab;

pub use corpus::{CommitView, Corpus};
pub use deps::{dependencies_of_clone, CloneDeps, DepsStats};
pub use pasttickets::{Reader, MAX_TICKETS as MAX_PAST_TICKETS};
pub use repo::{clone_dir, RefreshReport};
pub use signals::Params;

use crate::domain::{FileHit, ModuleHit, PastTicket, Precedent};
use pasttickets::TicketWords;
use rank::{rank_files, rank_modules};
use repo::RepoIndex;
use signals::{HistoryView, TeamTexts};
use std::path::PathBuf;
use std::sync::Arc;

/// A repository to index (`Debug` shows its URL without credentials).
#[derive(Clone, PartialEq, Eq)]
pub struct RepoSpec {
    pub name: String,
    /// A local clone (bare or not).
    pub path: Option<PathBuf>,
    /// Cloned bare under the index directory when `path` is absent.
    pub url: Option<String>,
    pub branch: String,
    /// `(glob, module)` overrides.
    pub modules: Vec<(String, String)>,
}

impl std::fmt::Debug for RepoSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RepoSpec")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("url", &self.url.as_deref().map(gitsrc::redact))
            .field("branch", &self.branch)
            .field("modules", &self.modules)
            .finish()
    }
}

/// How every repository is indexed.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Where indexes and clones live; `None` keeps indexes in memory.
    pub dir: Option<PathBuf>,
    /// How modules are cut (overrides come from each `RepoSpec`).
    pub modules: crate::modules::ModuleRules,
    /// Commits of history read for the history signals.
    pub history_depth: usize,
}

/// One repository's indexing state, as `GET /api/v1/repositories` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RepoStatus {
    pub name: String,
    /// The local path, or the clone URL without credentials.
    pub source: String,
    pub branch: String,
    pub indexed_commit: Option<String>,
    pub files: usize,
    pub modules: usize,
    pub last_refresh_ms: Option<i64>,
    /// `building` (never indexed yet), `ready`, or `failed` (its last refresh failed; an
    /// earlier index, if any, still serves).
    pub state: &'static str,
    /// The last refresh's error (credentials in URLs are redacted by the cloner).
    pub last_error: Option<String>,
}

/// Ranked files and modules for one text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Located {
    pub files: Vec<FileHit>,
    pub modules: Vec<ModuleHit>,
}

/// Why a text could not be located.
#[derive(Debug, thiserror::Error)]
pub enum LocateError {
    #[error("the code index is not ready yet")]
    NotReady,
    #[error("unknown repository {0}")]
    UnknownRepository(String),
    #[error("code index failure")]
    Index(#[from] anyhow::Error),
}

/// Anything that maps a ticket's text to files and modules: the live index or an
/// evaluation view of a repository at one commit.
pub trait Locate {
    fn locate(
        &self,
        title: &str,
        body: &str,
        repository: Option<&str>,
        limit: usize,
    ) -> Result<Located, LocateError>;

    /// The same, with the files of similar earlier tickets' fixes as evidence. A locator
    /// that reads no history ignores them.
    fn locate_with(
        &self,
        title: &str,
        body: &str,
        repository: Option<&str>,
        limit: usize,
        precedents: &[Precedent],
    ) -> Result<Located, LocateError> {
        let _ = precedents;
        self.locate(title, body, repository, limit)
    }

    /// The same, for `reader`: the past tickets' words it may use (never its own ticket's,
    /// never one its audience may not be quoted). A locator without past tickets of its own
    /// ignores the reader.
    fn locate_for(
        &self,
        title: &str,
        body: &str,
        repository: Option<&str>,
        limit: usize,
        precedents: &[Precedent],
        reader: &Reader,
    ) -> Result<Located, LocateError> {
        let _ = reader;
        self.locate_with(title, body, repository, limit, precedents)
    }
}

/// The service's code index over every configured repository.
pub struct CodeIndex {
    repos: Vec<Arc<RepoIndex>>,
    params: Params,
}

impl CodeIndex {
    /// The index of every configured `[[repositories]]` entry (prepared, not built): how
    /// `serve` and every command open it.
    pub fn configured(settings: &crate::config::Settings) -> anyhow::Result<CodeIndex> {
        let specs = settings
            .repositories
            .iter()
            .map(|r| RepoSpec {
                name: r.name.clone(),
                path: r.path.clone(),
                url: r.url.clone(),
                branch: r.branch_or_head().to_string(),
                modules: r
                    .modules
                    .iter()
                    .map(|(g, m)| (g.clone(), m.clone()))
                    .collect(),
            })
            .collect();
        let c = &settings.codeindex;
        CodeIndex::open(
            specs,
            &IndexOptions {
                dir: Some(c.index_dir.clone()),
                modules: settings.modules.clone(),
                history_depth: c.history_depth,
            },
        )
    }

    /// Prepares (does not build) the index of each repository.
    pub fn open(specs: Vec<RepoSpec>, opts: &IndexOptions) -> anyhow::Result<CodeIndex> {
        let repos = specs
            .into_iter()
            .map(|spec| {
                let rules = crate::modules::ModuleRules {
                    overrides: spec.modules.clone(),
                    ..opts.modules.clone()
                };
                RepoIndex::open(spec, opts.dir.clone(), rules, opts.history_depth).map(Arc::new)
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(CodeIndex {
            repos,
            params: Params::default(),
        })
    }

    /// Builds or incrementally refreshes every repository. Blocking; one repository's
    /// failure does not stop the others (the first error is returned at the end).
    pub fn refresh(&self) -> Vec<(String, anyhow::Result<RefreshReport>)> {
        self.repos
            .iter()
            .map(|r| {
                let result = r.refresh();
                *r.last_error.lock().expect("error lock") =
                    result.as_ref().err().map(|e| format!("{e:#}"));
                *r.last_refresh_ms.lock().expect("time lock") = Some(crate::domain::now_ms());
                (r.spec.name.clone(), result)
            })
            .collect()
    }

    /// Each repository's indexing state, in configuration order.
    pub fn statuses(&self) -> Vec<RepoStatus> {
        self.repos
            .iter()
            .map(|r| {
                let state = r.state();
                let error = r.last_error.lock().ok().and_then(|e| e.clone());
                RepoStatus {
                    name: r.spec.name.clone(),
                    source: match (&r.spec.path, &r.spec.url) {
                        (Some(p), _) => p.display().to_string(),
                        (None, Some(u)) => gitsrc::redact(u),
                        (None, None) => String::new(),
                    },
                    branch: r.spec.branch.clone(),
                    indexed_commit: state.as_ref().map(|s| s.snapshot.commit.clone()),
                    files: state.as_ref().map_or(0, |s| s.snapshot.files.len()),
                    modules: state.as_ref().map_or(0, |s| s.snapshot.cut.modules().len()),
                    last_refresh_ms: r.last_refresh_ms.lock().ok().and_then(|t| *t),
                    state: match (&state, &error) {
                        (_, Some(_)) => "failed",
                        (Some(_), None) => "ready",
                        (None, None) => "building",
                    },
                    last_error: error,
                }
            })
            .collect()
    }

    /// `ok` when every repository is indexed, `degraded` when one failed its last refresh
    /// (the others serve analyses), `building` while one has not been indexed yet.
    pub fn status(&self) -> &'static str {
        let failed = self
            .repos
            .iter()
            .any(|r| r.last_error.lock().map(|e| e.is_some()).unwrap_or(false));
        if failed {
            "degraded"
        } else if self.is_ready() {
            "ok"
        } else {
            "building"
        }
    }

    /// True when there is nothing to index or every repository has been indexed once.
    /// Analyses do not wait for it: they use the repositories that are ready.
    pub fn is_ready(&self) -> bool {
        self.repos.iter().all(|r| r.state().is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.repos.is_empty()
    }

    /// The module id of an indexed file, once its repository is indexed.
    pub fn module_of(&self, repository: &str, path: &str) -> Option<String> {
        let r = self.repos.iter().find(|r| r.spec.name == repository)?;
        let state = r.state()?;
        state.snapshot.by_path(path).map(|f| f.module.clone())
    }

    /// Makes `tickets` (the stored tickets that `repository`'s mined commits name, most
    /// recently fixed first) the past tickets whose words rank that repository's files,
    /// unless they are the ones it already has. Blocking (it indexes their texts). Returns
    /// how many it indexed, `None` when nothing changed or the repository is unknown.
    pub fn set_past_tickets(&self, repository: &str, tickets: &[PastTicket]) -> Option<usize> {
        let r = self.repos.iter().find(|r| r.spec.name == repository)?;
        let fingerprint = pasttickets::fingerprint(tickets);
        if r.tickets().map(|t| t.fingerprint()) == Some(fingerprint) {
            return None;
        }
        let words = (!tickets.is_empty())
            .then(|| TicketWords::build(tickets, crate::domain::now_ms().div_euclid(1000)));
        let n = words.as_ref().map_or(0, TicketWords::len);
        r.set_tickets(words);
        Some(n)
    }

    /// Tells whether the configured `repository` is the forge project `forge_path`
    /// (`owner/repo`, `group/sub/project`), so that its commits' bare `#12` name that
    /// project's issue 12: its clone URL's path is `forge_path`, or its name is
    /// `forge_path` or, for a name without `/`, the path's last segment. Compared without
    /// regard to case, as GitHub and GitLab resolve paths.
    pub fn is_forge_project(&self, repository: &str, forge_path: &str) -> bool {
        let Some(r) = self.repos.iter().find(|r| r.spec.name == repository) else {
            return false;
        };
        let same = |a: &str| a.eq_ignore_ascii_case(forge_path);
        let last = forge_path.rsplit('/').next().unwrap_or(forge_path);
        let name = &r.spec.name;
        same(name)
            || (!name.contains('/') && name.eq_ignore_ascii_case(last))
            || r.spec
                .url
                .as_deref()
                .and_then(crate::config::url_project_path)
                .is_some_and(same)
    }
}

impl Locate for CodeIndex {
    fn locate(
        &self,
        title: &str,
        body: &str,
        repository: Option<&str>,
        limit: usize,
    ) -> Result<Located, LocateError> {
        self.locate_with(title, body, repository, limit, &[])
    }

    fn locate_with(
        &self,
        title: &str,
        body: &str,
        repository: Option<&str>,
        limit: usize,
        precedents: &[Precedent],
    ) -> Result<Located, LocateError> {
        let reader = Reader::default();
        self.locate_for(title, body, repository, limit, precedents, &reader)
    }

    fn locate_for(
        &self,
        title: &str,
        body: &str,
        repository: Option<&str>,
        limit: usize,
        precedents: &[Precedent],
        reader: &Reader,
    ) -> Result<Located, LocateError> {
        let q = query::parse(title, body);
        let selected: Vec<&Arc<RepoIndex>> = match repository {
            Some(name) => vec![self
                .repos
                .iter()
                .find(|r| r.spec.name == name)
                .ok_or_else(|| LocateError::UnknownRepository(name.to_string()))?],
            None => self.repos.iter().collect(),
        };
        // one repository that is not indexed (still building, or broken) holds up no other:
        // the text is located in those that are ready, and only waits when none is
        let ready: Vec<(&Arc<RepoIndex>, Arc<repo::RepoState>)> = selected
            .into_iter()
            .filter_map(|r| r.state().map(|s| (r, s)))
            .collect();
        if ready.is_empty() && !self.repos.is_empty() {
            return Err(LocateError::NotReady);
        }
        let mut out = Located::default();
        for (r, state) in ready {
            let past = r.tickets();
            let mask = past.as_ref().map(|t| t.mask(reader));
            let hv = HistoryView {
                history: &state.history,
                mask: None,
                recency: &state.recency,
                words: &state.words,
                tickets: past
                    .as_ref()
                    .zip(mask.as_deref())
                    .map(|(t, mask)| TeamTexts {
                        history: &t.history,
                        mask,
                        words: &t.words,
                    }),
            };
            let files = rank_files(
                &r.files,
                &state.snapshot,
                Some(&hv),
                &q,
                precedents,
                &self.params,
                limit.max(30),
            )?;
            out.modules
                .extend(rank_modules(&state.snapshot, &files, limit));
            out.files.extend(files);
        }
        out.files.sort_by(|a, b| b.score.total_cmp(&a.score));
        out.files.truncate(limit);
        out.modules.sort_by(|a, b| b.score.total_cmp(&a.score));
        out.modules.truncate(limit);
        Ok(out)
    }
}
