//! The analysis: a ticket's text → `Enrichment`. `Pipeline::enrich` is the whole of it, the
//! one function the worker, `POST /api/v1/analyze` and `ticketlens analyze` call; `analyze`
//! is its code step (files and modules), which the localization evaluation calls alone;
//! `confidence` says how sure the code step is; `mark_shared_modules` explains duplicates by the code both tickets land in.

pub mod confidence;
mod duplicates;
mod explain;
mod history;
mod memory;
mod pipeline;
pub mod precedents;

pub use duplicates::duplicates_of;
pub use explain::explain_by_modules;
pub use history::join_history;
pub use memory::ModuleMemory;
pub use pipeline::{unsettled, Pipeline, Request, Subject};

use crate::codeindex::{Locate, LocateError, Reader};
use crate::domain::{DuplicateCandidate, Enrichment, Footprint, ModuleHit, Precedent};
use std::collections::HashSet;

/// What is analysed: a ticket's title and body, optionally scoped to one repository.
#[derive(Debug, Clone, Copy)]
pub struct TicketText<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub repository: Option<&'a str>,
    /// Similar earlier tickets with their fixes: evidence for the files (may be empty).
    pub precedents: &'a [Precedent],
}

/// Longest draft title accepted, in characters (Jira caps summaries at 255; a longer
/// "title" is a body pasted in the wrong field, and the analysis weighs title words most).
pub const MAX_TITLE_CHARS: usize = 1_000;

/// Why an analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("title and body are both empty")]
    EmptyText,
    #[error("title is longer than {MAX_TITLE_CHARS} characters; put long text in body")]
    TitleTooLong,
    #[error("the code index is still being built")]
    NotReady,
    #[error("unknown repository `{0}`")]
    UnknownRepository(String),
    #[error("analysis failed")]
    Internal(#[source] anyhow::Error),
}

impl From<LocateError> for AnalyzeError {
    fn from(e: LocateError) -> Self {
        match e {
            LocateError::NotReady => AnalyzeError::NotReady,
            LocateError::UnknownRepository(r) => AnalyzeError::UnknownRepository(r),
            LocateError::Index(e) => AnalyzeError::Internal(e),
        }
    }
}

/// Ranks the files and modules the ticket likely touches, with evidence (the precedents'
/// fixes among it), and carries the precedents and their footprint into the enrichment. Blocking (runs
/// tantivy searches): call it from `spawn_blocking` in async code.
pub fn analyze(
    code: &dyn Locate,
    ticket: TicketText<'_>,
    limit: usize,
) -> Result<Enrichment, AnalyzeError> {
    analyze_for(code, ticket, limit, &Reader::default())
}

/// `analyze` for `reader`: the past tickets' words it may use leave out its own ticket and
/// those its audience may not be quoted (the pipeline's call).
pub fn analyze_for(
    code: &dyn Locate,
    ticket: TicketText<'_>,
    limit: usize,
    reader: &Reader,
) -> Result<Enrichment, AnalyzeError> {
    if ticket.title.trim().is_empty() && ticket.body.trim().is_empty() {
        return Err(AnalyzeError::EmptyText);
    }
    let located = code.locate_for(
        ticket.title,
        ticket.body,
        ticket.repository,
        limit.max(1),
        ticket.precedents,
        reader,
    )?;
    let mut e = Enrichment {
        modules: located.modules,
        files: located.files,
        precedents: ticket.precedents.to_vec(),
        footprint: Footprint::of(ticket.precedents),
        ..Enrichment::default()
    };
    e.confidence = confidence::assess(&e);
    Ok(e)
}

/// What is known of a duplicate candidate's code modules: those its own analysis found
/// (stored with its comment), or only its text, to locate now.
#[derive(Debug, Clone)]
pub enum CandidateModules {
    Known(Vec<ModuleHit>),
    Text { title: String, body: String },
}

/// Adds to each duplicate candidate the code modules both tickets land in (the top three of
/// each), from `sources` (in candidate order). Blocking when a candidate's text must be
/// located.
pub fn mark_shared_modules(
    code: &dyn Locate,
    ours: &[ModuleHit],
    candidates: &mut [DuplicateCandidate],
    sources: &[CandidateModules],
) {
    let mine: HashSet<(&str, &str)> = ours
        .iter()
        .take(3)
        .map(|m| (m.repository.as_str(), m.module.as_str()))
        .collect();
    if mine.is_empty() {
        return;
    }
    for (c, source) in candidates.iter_mut().zip(sources) {
        let located;
        let theirs: &[ModuleHit] = match source {
            CandidateModules::Known(modules) => modules,
            CandidateModules::Text { title, body } => match code.locate(title, body, None, 3) {
                Ok(l) => {
                    located = l.modules;
                    &located
                }
                Err(_) => continue,
            },
        };
        for m in theirs.iter().take(3) {
            let shared = mine.contains(&(m.repository.as_str(), m.module.as_str()));
            if shared && !c.shared_modules.contains(&m.module) {
                c.shared_modules.push(m.module.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codeindex::Located;
    use crate::domain::FileHit;

    struct Fixed;

    impl Locate for Fixed {
        fn locate(
            &self,
            _: &str,
            _: &str,
            repo: Option<&str>,
            limit: usize,
        ) -> Result<Located, LocateError> {
            if repo == Some("nope") {
                return Err(LocateError::UnknownRepository("nope".into()));
            }
            let hit = FileHit {
                repository: "r".into(),
                path: "a.rs".into(),
                module: ".".into(),
                score: 1.0,
                matched_terms: vec!["a".into()],
                ..FileHit::default()
            };
            Ok(Located {
                files: vec![hit; limit.min(2)],
                modules: vec![],
            })
        }
    }

    #[test]
    fn empty_text_is_refused_and_locator_errors_are_mapped() {
        let t = |title, repository| TicketText {
            title,
            body: "",
            repository,
            precedents: &[],
        };
        assert!(matches!(
            analyze(&Fixed, t(" ", None), 5),
            Err(AnalyzeError::EmptyText)
        ));
        assert!(matches!(
            analyze(&Fixed, t("x", Some("nope")), 5),
            Err(AnalyzeError::UnknownRepository(_))
        ));
        assert_eq!(analyze(&Fixed, t("x", None), 5).unwrap().files.len(), 2);
    }

    /// Maps a text to the module named by its first word.
    struct ByFirstWord;

    impl Locate for ByFirstWord {
        fn locate(
            &self,
            title: &str,
            _: &str,
            _: Option<&str>,
            _: usize,
        ) -> Result<Located, LocateError> {
            let module = title.split_whitespace().next().unwrap_or(".").to_string();
            let hit = ModuleHit {
                repository: "r".into(),
                module,
                score: 1.0,
                ..ModuleHit::default()
            };
            Ok(Located {
                files: vec![],
                modules: vec![hit],
            })
        }
    }

    #[test]
    fn duplicates_are_explained_by_the_modules_both_tickets_land_in() {
        let ours = ByFirstWord
            .locate("auth login fails", "", None, 3)
            .unwrap()
            .modules;
        let candidate = |key: &str| DuplicateCandidate {
            tracker: crate::domain::Tracker::Jira,
            id: key.into(),
            key: key.into(),
            title: String::new(),
            status: None,
            url: None,
            similarity: 0.5,
            tier: crate::domain::DuplicateTier::Related,
            shared_terms: vec![],
            shared_modules: vec![],
        };
        let mut cands = vec![candidate("A-1"), candidate("A-2")];
        let text = |t: &str| CandidateModules::Text {
            title: t.into(),
            body: String::new(),
        };
        let mut billing = ours.clone();
        billing[0].module = "billing".into();
        let sources = vec![
            text("auth token expired"),
            text("billing invoice wrong"),
            CandidateModules::Known(ours.clone()),
            CandidateModules::Known(billing),
        ];
        cands.extend([candidate("A-3"), candidate("A-4")]);
        mark_shared_modules(&ByFirstWord, &ours, &mut cands, &sources);
        assert_eq!(cands[0].shared_modules, vec!["auth".to_string()]);
        assert!(cands[1].shared_modules.is_empty());
        // known modules are used as they are, without locating the text again
        assert_eq!(cands[2].shared_modules, vec!["auth".to_string()]);
        assert!(cands[3].shared_modules.is_empty());
    }
}
