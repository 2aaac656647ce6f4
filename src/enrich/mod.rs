//! The analysis pipeline: a ticket's text → `Enrichment`. `analyze` is the one function the
//! HTTP API, the command line, the worker and the evaluation share. Fragility and duplicate
//! detection join here as their rooms land.

use crate::codeindex::{Locate, LocateError};
use crate::domain::Enrichment;

/// What is analysed: a ticket's title and body, optionally scoped to one repository.
#[derive(Debug, Clone, Copy)]
pub struct TicketText<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub repository: Option<&'a str>,
}

/// Why an analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("title and body are both empty")]
    EmptyText,
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

/// Ranks the files and modules the ticket likely touches, with evidence. Blocking (runs
/// tantivy searches): call it from `spawn_blocking` in async code.
pub fn analyze(
    code: &dyn Locate,
    ticket: TicketText<'_>,
    limit: usize,
) -> Result<Enrichment, AnalyzeError> {
    if ticket.title.trim().is_empty() && ticket.body.trim().is_empty() {
        return Err(AnalyzeError::EmptyText);
    }
    let located = code.locate(ticket.title, ticket.body, ticket.repository, limit.max(1))?;
    Ok(Enrichment {
        modules: located.modules,
        files: located.files,
        ..Enrichment::default()
    })
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
                reasons: vec![],
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
}
