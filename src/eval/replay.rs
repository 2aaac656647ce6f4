//! The time-faithful setting both replays share, `eval localization` over a dataset and
//! `eval self` over the store's linked tickets: a corpus indexed at every ticket's commit,
//! past tickets' words known from the later of their report and their fix, and precedents
//! only from fixes older than the report. `Replay::at` gives a ticket's view: the tree at
//! its commit, no commit or past ticket later than its report, and its precedents.

use crate::codeindex::{CommitView, Corpus, Params};
use crate::domain::Precedent;
use crate::eval::precedents::{PastFix, PrecedentPool};
use crate::modules::ModuleMap;

/// A repository's corpus and its pool of earlier fixes, replayed in report order.
pub struct Replay {
    pub corpus: Corpus,
    pool: PrecedentPool,
}

/// A ticket as a replay sees it; `reported_ms` is 0 when its report time is unknown (then
/// every commit is visible and it gets no precedent).
#[derive(Debug, Clone, Copy)]
pub struct TicketAt<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub reported_ms: i64,
}

impl Replay {
    /// Adds the past fixes' texts to `corpus` (as texts describing the files they changed)
    /// and pools them as precedents.
    pub fn new(mut corpus: Corpus, fixes: Vec<PastFix>) -> anyhow::Result<Replay> {
        corpus.add_ticket_texts(fixes.iter().map(|f| {
            (
                f.id.clone(),
                f.fix_ms.max(f.reported_ms).div_euclid(1000),
                format!("{}\n{}", f.title, f.body),
                f.files.clone(),
            )
        }));
        Ok(Replay {
            corpus,
            pool: PrecedentPool::new(fixes)?,
        })
    }

    /// The repository at `commit` as of the ticket's report, and the ticket's precedents.
    /// Calls must come in report order (the pool admits fixes as time moves on).
    pub fn at(
        &mut self,
        commit: &str,
        params: Params,
        t: TicketAt<'_>,
    ) -> anyhow::Result<(CommitView<'_>, Vec<Precedent>)> {
        let Replay { corpus, pool } = self;
        let ticket_time = (t.reported_ms != 0).then(|| t.reported_ms.div_euclid(1000));
        let view = corpus.view_at(commit, params, ticket_time)?;
        let precedents = {
            let cut = view.cut();
            let module_of = |_: &str, p: &str| Some(cut.module_of(p));
            match t.reported_ms {
                0 => Vec::new(),
                ms => pool.precedents_for(t.id, t.title, t.body, ms, &module_of)?,
            }
        };
        Ok((view, precedents))
    }
}
