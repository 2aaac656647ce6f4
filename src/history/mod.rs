//! History: the git2 miner, the commit classifier (`classify`: what kind of change each
//! commit is, sweep, bot; its evaluation against hand labels is `eval::commits`), people
//! (`people`: `.mailmap`, one person per email and name), ticket ↔ commit links, per-file
//! and per-module metrics, the fragility score with its plain-words reasons (evaluated
//! against future real fixes by `eval::fragility`). Pure and synchronous: callers persist the facts
//! (`store::history`) and run it off the async threads.
//!
//! Merge commits are *skipped*: they are recorded but carry no file changes, because every
//! change they bring in is already counted once in the commit that made it (the same choice
//! `git log --numstat` makes). Sweeps and bots' commits are counted apart from changes;
//! commits touching more than `mass_change_files` files are also left out of coupling.

pub mod activity;
pub mod classify;
pub mod facts;
mod links;
mod metrics;
mod miner;
pub mod people;
mod reasons;
mod score;

pub use crate::modules::ModuleMap;
pub use classify::{Class, Classifier, Kind};
pub use links::{KeyedPattern, LinkPattern, Linker, PatternError, MAX_KEYS as MAX_LINKED_KEYS};
pub use metrics::AuthorStat;
pub use metrics::{compute, Coupled, EntityMetrics, HistoryMetrics, Params, Stats};
pub use miner::{mine, mine_shas, tree_paths, MineOutcome, MineRequest};
pub use score::{score_all, score_with, Scored, Weights, WEIGHTS};

use std::path::Path;

/// Why history could not be mined or evaluated.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot open repository {path}: {source}")]
    Open { path: String, source: git2::Error },
    #[error("branch or revision `{0}` not found")]
    NoBranch(String),
    #[error("git: {0}")]
    Git(git2::Error),
    #[error("invalid bug-fix pattern: {0}")]
    Pattern(#[from] regex::Error),
}

impl HistoryError {
    fn open(path: &Path, source: git2::Error) -> Self {
        HistoryError::Open {
            path: path.display().to_string(),
            source,
        }
    }
}

#[cfg(test)]
pub(crate) mod testrepo;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_signals;
