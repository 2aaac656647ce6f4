//! The whole analysis, once, for every front end: find its precedents (similar earlier
//! tickets with linked fixes), locate the ticket's code (modules and files, the precedents'
//! fixes among the evidence), join what history says of them (fragility, owners, changes, last fix, age,
//! coupling), find likely duplicates, and explain those by the modules both tickets land
//! in. The worker, `POST /api/v1/analyze` and `ticketlens analyze` call `Pipeline::enrich`.

use super::history::join_history;
use super::memory::ModuleMemory;
use super::{analyze_for, explain_by_modules, AnalyzeError, TicketText};
use crate::codeindex::{CodeIndex, Reader};
use crate::config::{DuplicateSettings, Settings};
use crate::domain::{
    Audience, DuplicateCandidate, Enrichment, Precedent, SimilarOptions, SimilarQuery, Tracker,
};
use crate::store::Store;
use crate::ticketindex::TicketIndex;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Everything an analysis reads.
pub struct Pipeline {
    pub store: Store,
    pub code: Arc<CodeIndex>,
    pub tickets: Arc<TicketIndex>,
    pub duplicates: DuplicateSettings,
    /// Caps analyses running at once (each holds a blocking thread).
    pub slots: Arc<Semaphore>,
    /// Modules of the tickets this process analysed, to explain later duplicates with.
    pub memory: ModuleMemory,
}

/// What is analysed.
#[derive(Debug, Clone)]
pub struct Request {
    pub title: String,
    pub body: String,
    pub repository: Option<String>,
    /// Modules and files kept.
    pub limit: usize,
    pub subject: Subject,
}

/// A stored ticket (its duplicates are searched in its project, itself excluded), or a
/// draft text (searched across every project).
#[derive(Debug, Clone)]
pub enum Subject {
    Ticket {
        tracker: Tracker,
        id: String,
        key: String,
    },
    Draft,
}

impl Pipeline {
    /// The one wiring of the analysis, for `serve` and `ticketlens analyze` alike (the
    /// localization eval calls its core, `enrich::analyze`, on an index at each record's
    /// commit): at most `[codeindex] max_concurrent_searches` analyses at once.
    pub fn open(
        settings: &Settings,
        store: Store,
        code: Arc<CodeIndex>,
        tickets: Arc<TicketIndex>,
    ) -> Pipeline {
        Pipeline {
            store,
            code,
            tickets,
            duplicates: settings.duplicates.clone(),
            slots: Arc::new(Semaphore::new(
                settings.codeindex.max_concurrent_searches.max(1),
            )),
            memory: Default::default(),
        }
    }

    /// The one analysis. A stored ticket with no text gets an empty enrichment (the comment
    /// says so); a draft with no text is refused. One slot of `slots` is held for the whole
    /// analysis, not only its first step: the duplicate search and the explanations that
    /// follow are as heavy, and a cap that lets them pile up caps nothing.
    pub async fn enrich(&self, req: Request) -> Result<Enrichment, AnalyzeError> {
        let draft = matches!(req.subject, Subject::Draft);
        if req.title.trim().is_empty() && req.body.trim().is_empty() {
            return if draft {
                Err(AnalyzeError::EmptyText)
            } else {
                Ok(Enrichment::default())
            };
        }
        if draft && req.title.chars().count() > super::MAX_TITLE_CHARS {
            return Err(AnalyzeError::TitleTooLong);
        }
        let _permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| AnalyzeError::Internal(e.into()))?;
        let (exclude, audience) = match &req.subject {
            Subject::Ticket { tracker, id, key } => {
                (Some(id.as_str()), Some(self.audience(*tracker, key).await?))
            }
            Subject::Draft => (None, None),
        };
        let (mut precedents, similar) = super::precedents::find(
            &self.store,
            self.tickets.clone(),
            &self.code,
            &req.title,
            &req.body,
            exclude,
            audience.clone(),
        )
        .await
        .map_err(AnalyzeError::Internal)?;
        let keys = precedents
            .iter()
            .filter_map(|p| p.tracker.map(|t| (t, p.key.clone())))
            .collect();
        let own = self
            .itself(&req, keys)
            .await
            .map_err(AnalyzeError::Internal)?;
        precedents.retain(|p| !p.tracker.is_some_and(|t| own.contains(&(t, p.key.clone()))));
        let reader = Reader { audience, own };
        let mut e = self.locate(&req, precedents, reader).await?;
        if let Subject::Ticket { tracker, id, .. } = &req.subject {
            self.memory.remember(*tracker, id, &e.modules);
            if e.precedents.is_empty() {
                e.no_precedents = Some(
                    super::precedents::why_none(&self.store, similar)
                        .await
                        .map_err(AnalyzeError::Internal)?,
                );
            }
        }
        join_history(&self.store, &mut e)
            .await
            .map_err(AnalyzeError::Internal)?;
        e.pending_history = unsettled(&self.store, &self.code)
            .await
            .map_err(AnalyzeError::Internal)?;
        e.duplicates = self.duplicates(&req).await?;
        explain_by_modules(&self.store, self.code.clone(), Some(&self.memory), &mut e)
            .await
            .map_err(AnalyzeError::Internal)?;
        Ok(e)
    }

    /// Likely duplicates: a stored ticket's (searched in its project, itself excluded), or
    /// a draft's (searched across every project); never the text's own ticket.
    async fn duplicates(&self, req: &Request) -> Result<Vec<DuplicateCandidate>, AnalyzeError> {
        let mut duplicates = match &req.subject {
            Subject::Ticket { tracker, key, .. } => super::duplicates_of(
                &self.store,
                self.tickets.clone(),
                &self.duplicates,
                *tracker,
                key,
            )
            .await
            .map_err(AnalyzeError::Internal)?
            .map(|(_, d)| d)
            .unwrap_or_default(),
            Subject::Draft => {
                let query = SimilarQuery {
                    title: req.title.clone(),
                    body: req.body.clone(),
                    project: None,
                    components: Vec::new(),
                    created_at: None,
                    created_before: None,
                    exclude_ids: Vec::new(),
                    linked: Vec::new(),
                    audience: None,
                };
                // a draft has no project: search every project
                let options = SimilarOptions {
                    same_project: false,
                    ..self.duplicates.options()
                };
                let index = self.tickets.clone();
                tokio::task::spawn_blocking(move || index.similar(&query, &options))
                    .await
                    .map_err(|e| AnalyzeError::Internal(e.into()))?
                    .map_err(|e| AnalyzeError::Internal(e.into()))?
            }
        };
        let keys = duplicates
            .iter()
            .map(|d| (d.tracker, d.key.clone()))
            .collect();
        let own = self
            .itself(req, keys)
            .await
            .map_err(AnalyzeError::Internal)?;
        duplicates.retain(|d| {
            !own.contains(&(d.tracker, d.id.clone())) && !own.contains(&(d.tracker, d.key.clone()))
        });
        Ok(duplicates)
    }

    /// Who reads a stored ticket's comment: its tracker, project and visibility as stored
    /// (a ticket not stored yet reads as private and without a project: it quotes nothing).
    async fn audience(&self, tracker: Tracker, key: &str) -> Result<Audience, AnalyzeError> {
        let stored = self
            .store
            .ticket_by_key(tracker.as_str(), key)
            .await
            .map_err(|e| AnalyzeError::Internal(e.into()))?;
        let (project, visibility) = stored
            .map(|t| (t.project, t.visibility))
            .unwrap_or_default();
        Ok(self.duplicates.audience_of(tracker, project, visibility))
    }

    /// A ticket is never its own duplicate, related ticket or precedent: a stored ticket's
    /// own id and key, and for a draft any stored ticket among `candidates` whose title and
    /// body are the draft's text (the ticket pasted into `analyze`).
    async fn itself(
        &self,
        req: &Request,
        candidates: Vec<(Tracker, String)>,
    ) -> anyhow::Result<HashSet<(Tracker, String)>> {
        let mut own = HashSet::new();
        if let Subject::Ticket { tracker, id, key } = &req.subject {
            own.insert((*tracker, id.clone()));
            own.insert((*tracker, key.clone()));
            return Ok(own);
        }
        let text = (normalized(&req.title), normalized(&req.body));
        let mut seen = HashSet::new();
        for (tracker, key) in candidates {
            if !seen.insert((tracker, key.clone())) {
                continue;
            }
            if let Some(t) = self.store.ticket_by_key(tracker.as_str(), &key).await? {
                if (normalized(&t.title), normalized(&t.body)) == text {
                    own.insert((tracker, t.id));
                    own.insert((tracker, key));
                }
            }
        }
        Ok(own)
    }
}

/// The configured repositories not yet both indexed and mined.
pub async fn unsettled(store: &Store, code: &CodeIndex) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for s in code.statuses() {
        if s.indexed_commit.is_none() || store.history_state(&s.name).await?.is_none() {
            out.push(s.name);
        }
    }
    Ok(out)
}

/// Text on one line, ends trimmed: how titles are stored (`domain::one_line`, as the parsers
/// fold them).
fn normalized(s: &str) -> String {
    crate::domain::one_line(s).trim().to_string()
}

impl Pipeline {
    /// Files and modules from the code index (with the precedents as evidence), on the blocking pool (under the caller's slot).
    async fn locate(
        &self,
        req: &Request,
        precedents: Vec<Precedent>,
        reader: Reader,
    ) -> Result<Enrichment, AnalyzeError> {
        let (code, req) = (self.code.clone(), req.clone());
        tokio::task::spawn_blocking(move || {
            let text = TicketText {
                title: &req.title,
                body: &req.body,
                repository: req.repository.as_deref(),
                precedents: &precedents,
            };
            analyze_for(code.as_ref(), text, req.limit, &reader)
        })
        .await
        .map_err(|e| AnalyzeError::Internal(e.into()))?
    }
}
