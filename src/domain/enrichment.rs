//! What an analysis says about a ticket: likely modules and files, fragility, duplicates.

use super::Tracker;
use serde::{Deserialize, Serialize};

/// A file the ticket likely touches, with the evidence that put it there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileHit {
    /// Repository name as configured.
    pub repository: String,
    /// Repository-relative path, forward slashes.
    pub path: String,
    /// The module (see `ModuleHit::module`) the file belongs to.
    pub module: String,
    pub score: f32,
    /// Query terms that matched this file, strongest first.
    pub matched_terms: Vec<String>,
    /// Why, in words: "path named in the stack trace", "identifier `FooBar` defined here".
    pub reasons: Vec<String>,
}

/// A module the ticket likely lands in, ranked by aggregating its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleHit {
    pub repository: String,
    /// Module id: a repository-relative directory such as `auth` or `crates/session/src`.
    pub module: String,
    pub score: f32,
    /// Owners from CODEOWNERS, as written there (`@team`, emails).
    pub owners: Vec<String>,
    /// The module's best files, strongest first (paths).
    pub top_files: Vec<String>,
    pub matched_terms: Vec<String>,
    /// Filled in when fragility metrics exist for the module.
    pub fragility: Option<Fragility>,
}

/// How risky changing a module or file is, from its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fragility {
    /// 0–100.
    pub score: f32,
    /// `low`, `medium` or `high`.
    pub level: String,
    /// Two or three plain-words reasons a PM understands.
    pub reasons: Vec<String>,
    /// Modules this one usually changes together with, strongest first.
    pub coupled_with: Vec<String>,
}

/// Tiers of ticket similarity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateTier {
    LikelyDuplicate,
    Related,
    /// Already linked as a duplicate in the tracker: shown, not suggested.
    AlreadyLinked,
}

/// Another ticket that may describe the same problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateCandidate {
    pub tracker: Tracker,
    /// Stable tracker id of the candidate.
    pub id: String,
    pub key: String,
    pub title: String,
    pub status: Option<String>,
    pub url: Option<String>,
    /// Calibrated similarity in [0, 1]: comparable across queries.
    pub similarity: f32,
    pub tier: DuplicateTier,
    /// Key terms both tickets share, strongest first.
    pub shared_terms: Vec<String>,
    /// Code modules both tickets map to.
    pub shared_modules: Vec<String>,
}

/// The full analysis of one ticket (or ad-hoc text), ready to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Enrichment {
    pub modules: Vec<ModuleHit>,
    pub files: Vec<FileHit>,
    pub duplicates: Vec<DuplicateCandidate>,
    /// "Changes here usually also touch `billing/`" hints, from change coupling.
    pub estimation_hints: Vec<String>,
}
