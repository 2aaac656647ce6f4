//! Live accuracy as the API, the overview page and `/metrics` show it: per repository, the
//! shares over the last fixed tickets and over all of them, per tracker project, and the
//! stored backtest (`ticketlens eval self`) while no live number exists.

use crate::domain::Accuracy;
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
/// last `recent_limit` fixed tickets, each project, and the backtest when one is stored.
#[derive(Debug, Clone, Serialize)]
pub struct RepositoryAccuracy {
    pub repository: String,
    #[serde(flatten)]
    pub all: Accuracy,
    pub recent_limit: i64,
    pub recent: Accuracy,
    pub projects: Vec<ProjectAccuracy>,
}

impl RepositoryAccuracy {
    /// The headline sentence: over the last fixed tickets when more were measured than the
    /// limit, else over all of them; `None` before any fixed ticket is measured.
    pub fn sentence(&self) -> Option<String> {
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
    })
}
