//! What an analysis says about a ticket: likely modules and files, fragility, duplicates,
//! precedents and the footprint of their fixes.

use super::{Footprint, Precedent, Tracker};
use serde::{Deserialize, Serialize};

/// A file the ticket likely touches, with the evidence that put it there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
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
    /// The file's own history, when mined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<FileHistory>,
}

/// A file's history in the window: how often it changed and was fixed, and when last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileHistory {
    pub window_days: i64,
    pub commits: u32,
    pub fixes: u32,
    pub last_change_ms: i64,
    pub fragility: Fragility,
}

/// A module the ticket likely lands in, ranked by aggregating its files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ModuleHit {
    pub repository: String,
    /// Module id: a repository-relative directory such as `auth` or `crates/session/src`
    /// (`modules::ModuleCut`), or an override's name.
    pub module: String,
    /// Short display name (`catalina/startup`).
    #[serde(default)]
    pub name: String,
    /// Source files in the module.
    #[serde(default)]
    pub files: u32,
    pub score: f32,
    /// Who knows it: the top authors of its recent history (`history.experts`), else its
    /// CODEOWNERS entries.
    pub owners: Vec<String>,
    /// Owners from CODEOWNERS, as written there (`@team`, emails).
    #[serde(default)]
    pub codeowners: Vec<String>,
    /// The module's best files, strongest first (paths).
    pub top_files: Vec<String>,
    /// The history of each of `top_files` (same order), when mined.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top_files_history: Vec<Option<FileHistory>>,
    pub matched_terms: Vec<String>,
    /// Filled in when fragility metrics exist for the module.
    pub fragility: Option<Fragility>,
    /// What its history says (changes, people, last fix, age, coupling), when mined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<ModuleHistory>,
    /// Which modules import it, from the code's own imports, when any do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependents: Option<super::Dependents>,
}

/// A module's history: the answers to a PM's questions about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ModuleHistory {
    pub window_days: i64,
    /// Changes (no sweeps, no bots), distinct people and real fixes (bug fixes and reverts)
    /// in the window.
    pub commits: u32,
    pub authors: u32,
    pub fixes: u32,
    /// Sweeps and bots' commits in the window, counted apart from the changes.
    #[serde(default)]
    pub sweeps: u32,
    #[serde(default)]
    pub bot_commits: u32,
    /// Changes and fixes over the mined history.
    pub commits_all: u32,
    pub fixes_all: u32,
    /// The last significant change: a fix, a feature or a refactoring (no sweep, no bot).
    pub last_change_ms: i64,
    /// The last refactoring, when there was one.
    #[serde(default)]
    pub last_refactor_ms: Option<i64>,
    /// The first commit of the mined history; a module whose first change is that old is
    /// "older than the history", not "in the code since".
    #[serde(default)]
    pub history_start_ms: i64,
    #[serde(default)]
    pub older_than_history: bool,
    /// Changes in the last year and the person who made most of them, with their count.
    #[serde(default)]
    pub year_commits: u32,
    #[serde(default)]
    pub year_top_author: Option<String>,
    #[serde(default)]
    pub year_top_commits: u32,
    /// When its last bug fix landed (over the mined history).
    pub last_fix_ms: Option<i64>,
    /// Its first commit in the mined history (how old it is).
    pub first_change_ms: i64,
    /// Who knows it, most first.
    pub experts: Vec<Expert>,
    /// Modules it usually changes together with, strongest first.
    pub coupled: Vec<CoupledModule>,
}

/// A person who knows a module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Expert {
    pub name: String,
    /// Their share of the module's commits in the window (of all its commits when the
    /// window has none, or when `at_risk`).
    pub share: f32,
    pub commits: u32,
    /// Their last commit to the module.
    pub last_commit_ms: i64,
    /// Their last commit anywhere in the repository.
    #[serde(default)]
    pub last_commit_anywhere_ms: i64,
    /// A top author of the module with no commit anywhere in the repository for
    /// `[history] away_days`: the knowledge may be gone.
    pub at_risk: bool,
}

/// A module changed together with another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CoupledModule {
    pub module: String,
    pub name: String,
    /// Share of this module's commits (the last year, or the window if longer) that also
    /// touch the other, 0–1.
    pub share: f32,
    /// Commits touching both (no sweeps, no bots; at least five), and the newest of them.
    #[serde(default)]
    pub shared: u32,
    #[serde(default)]
    pub commits: Vec<String>,
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
    /// Earlier similar tickets with linked fix commits, most similar first.
    #[serde(default)]
    pub precedents: Vec<Precedent>,
    /// The size of the precedents' fixes, as ranges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footprint: Option<Footprint>,
    /// Why there is no precedent, when a stored ticket got none: mined keys that meet no
    /// stored ticket, no earlier ticket alike, or none of those alike fixed by a mined commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_precedents: Option<String>,
    /// How sure the analysis is that its first module is one the work will touch.
    #[serde(default)]
    pub confidence: Confidence,
    /// Repositories not yet both indexed and mined when this ran: the analysis is analysed
    /// again once they are (`repositories::settle`), and its comment updated once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_history: Vec<String>,
    /// Other open tickets of the same sprint (else release) landing in one of its modules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_plan: Option<SharedPlan>,
}

/// "2 other tickets in Sprint 42 land in `catalina/connector`: TES-1, TES-7".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SharedPlan {
    /// `Sprint 42` (the sprint's own name) or `release 2.4`.
    pub scope: String,
    /// The module's display name.
    pub module: String,
    /// The other tickets' keys, most urgent first.
    pub keys: Vec<String>,
}

/// How sure an analysis is, in words a PM reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ConfidenceLevel {
    Likely,
    Possible,
    #[default]
    Guess,
}

impl ConfidenceLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            ConfidenceLevel::Likely => "likely",
            ConfidenceLevel::Possible => "possible",
            ConfidenceLevel::Guess => "guess",
        }
    }
}

/// The calibrated probability that the first module shown is one the work will touch,
/// its level and the evidence that decided it, in one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Confidence {
    pub level: ConfidenceLevel,
    /// 0–1.
    pub probability: f32,
    /// "the ticket names `PageContextImpl`".
    pub reason: String,
}
