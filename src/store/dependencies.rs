//! Each repository's module graph (`domain::DependencyGraph`), one row per repository,
//! replaced whole when its code index moves to another commit.

use super::Store;
use crate::domain::DependencyGraph;
use sqlx::Row;

impl Store {
    /// The commit the stored graph of `repository` describes, if one is stored.
    pub async fn dependencies_commit(
        &self,
        repository: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query("SELECT commit_sha FROM dependency_graphs WHERE repository = $1")
            .bind(repository)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get("commit_sha"))
            .transpose()
    }

    /// Stores the graph of `repository`, replacing the one before.
    #[tracing::instrument(skip_all, fields(repository, modules = graph.modules.len()))]
    pub async fn save_dependencies(
        &self,
        repository: &str,
        graph: &DependencyGraph,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let json = serde_json::to_string(graph).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "INSERT INTO dependency_graphs (repository, commit_sha, graph, built_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (repository) DO UPDATE SET \
             commit_sha = excluded.commit_sha, graph = excluded.graph, built_at = excluded.built_at",
        )
        .bind(repository)
        .bind(&graph.commit)
        .bind(json)
        .bind(now_ms)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The stored graphs, of one repository or all, by repository name.
    pub async fn dependencies(
        &self,
        repository: Option<&str>,
    ) -> Result<Vec<(String, DependencyGraph)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT repository, graph FROM dependency_graphs \
             WHERE ($1 = '' OR repository = $1) ORDER BY repository",
        )
        .bind(repository.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let name: String = r.try_get("repository")?;
                let text: String = r.try_get("graph")?;
                let graph =
                    serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                Ok((name, graph))
            })
            .collect()
    }
}
