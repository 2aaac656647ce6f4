//! Live accuracy as the API, the overview page and `/metrics` show it: per repository, the
//! shares over the last fixed tickets and over all of them, per tracker project, and how the
//! similar past work named did; per tracker project, what became of the likely duplicates
//! suggested.

use crate::domain::{Accuracy, Backtest, DuplicateAccuracy, PrecedentAccuracy};
use crate::store::Store;
use serde::Serialize;

/// One tracker project's shares in a repository.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectAccuracy {
    pub project: String,
    pub recent: Accuracy,
    pub all: Accuracy,
}

/// A repository's accuracy: all time at the top level (`tickets` and the three shares), the
/// last `recent_limit` fixed tickets, and each project.
#[derive(Debug, Clone, Serialize)]
pub struct RepositoryAccuracy {
    pub repository: String,
    #[serde(flatten)]
    pub all: Accuracy,
    pub recent_limit: i64,
    pub recent: Accuracy,
    pub projects: Vec<ProjectAccuracy>,
    /// The similar past work the comments named, against the fixes, all time.
    pub precedents: PrecedentAccuracy,
    /// The latest backtest (`ticketlens eval self`), if one ran: what to expect before live
    /// numbers exist.
    pub backtest: Option<Backtest>,
}

/// Fixed tickets needed before a share is shown to a person (below it, the counts are).
pub const MIN_FOR_SHARE: i64 = 10;

impl RepositoryAccuracy {
    /// Whether enough fixed tickets are measured for the page to show shares.
    pub fn enough(&self) -> bool {
        self.recent.tickets >= MIN_FOR_SHARE
    }

    /// The headline sentence: over the last fixed tickets when more were measured than the
    /// limit, else over all of them; with fewer than `MIN_FOR_SHARE` tickets the counts
    /// instead of shares; `None` before any fixed ticket is measured.
    pub fn sentence(&self) -> Option<String> {
        if self.all.tickets > 0 && !self.enough() {
            let n = self.all.tickets;
            let of = |s: Option<f64>| (s.unwrap_or(0.0) * n as f64).round() as i64;
            return Some(format!(
                "{n} fixed {} measured so far, too few for a share (it takes {MIN_FOR_SHARE}): \
                 the first module named was right on {}, one of the modules shown on {}, one \
                 of the files shown on {}",
                if n == 1 { "ticket" } else { "tickets" },
                of(self.all.first_module_right),
                of(self.all.any_module_right),
                of(self.all.any_file_right),
            ));
        }
        let scope = if self.all.tickets > self.recent.tickets {
            format!("the last {} fixed tickets", self.recent.tickets)
        } else if self.all.tickets == 1 {
            "the one fixed ticket measured".to_string()
        } else {
            format!("the {} fixed tickets measured", self.all.tickets)
        };
        self.recent.sentence(&scope)
    }
}

/// A repository's accuracy as stored.
pub async fn of_repository(
    store: &Store,
    repository: &str,
    recent_limit: i64,
) -> anyhow::Result<RepositoryAccuracy> {
    let all = store.accuracy(repository, None, None).await?;
    let recent = store.accuracy(repository, None, Some(recent_limit)).await?;
    let mut projects = Vec::new();
    for project in store.accuracy_projects(repository).await? {
        projects.push(ProjectAccuracy {
            recent: store
                .accuracy(repository, Some(&project), Some(recent_limit))
                .await?,
            all: store.accuracy(repository, Some(&project), None).await?,
            project,
        });
    }
    Ok(RepositoryAccuracy {
        repository: repository.to_string(),
        all,
        recent_limit,
        recent,
        projects,
        precedents: store.precedent_accuracy(repository).await?,
        backtest: store.backtest(repository).await?,
    })
}

/// What became of the likely duplicates suggested, per tracker project.
pub async fn of_duplicates(store: &Store) -> anyhow::Result<Vec<DuplicateAccuracy>> {
    Ok(store.duplicate_accuracy().await?)
}
