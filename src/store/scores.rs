//! Computed fragility per module and file: replaced whole after each mining run, listed and
//! sorted for the modules API.

use super::placeholders;
use super::Store;
use crate::domain::{FileHistory, Fragility, ModuleHistory};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, Row};
use std::collections::HashMap;

/// A scored module or file as stored; `detail` is the full metrics document (JSON).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScoreRow {
    pub id: String,
    pub repository: String,
    /// `module` or `file`.
    pub kind: String,
    pub name: String,
    pub module: String,
    pub score: f64,
    pub level: String,
    pub commits: i64,
    pub fixes: i64,
    pub churn: i64,
    pub authors: i64,
    pub last_change_ms: i64,
    pub size_lines: i64,
    #[serde(skip)]
    pub detail: String,
}

/// Columns the modules list may sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreSort {
    Score,
    Commits,
    Fixes,
    Churn,
    Authors,
    LastChange,
    Size,
    Name,
}

impl ScoreSort {
    fn column(self) -> &'static str {
        match self {
            ScoreSort::Score => "score",
            ScoreSort::Commits => "commits",
            ScoreSort::Fixes => "fixes",
            ScoreSort::Churn => "churn",
            ScoreSort::Authors => "authors",
            ScoreSort::LastChange => "last_change_ms",
            ScoreSort::Size => "size_lines",
            ScoreSort::Name => "name",
        }
    }
}

/// A stable, URL-safe id for a module or file of a repository.
pub fn score_id(repository: &str, kind: &str, name: &str) -> String {
    let mut h = Sha256::new();
    for part in [repository, kind, name] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..8])
}

const COLUMNS: &str = "id, repository, kind, name, module, score, level, commits, fixes, churn, \
                       authors, last_change_ms, size_lines, detail";

impl Store {
    /// Replaces every score of a repository in one transaction (ids are recomputed from names).
    pub async fn replace_scores(
        &self,
        repository: &str,
        rows: &[ScoreRow],
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM history_scores WHERE repository = $1")
            .bind(repository)
            .execute(&mut *tx)
            .await?;
        for chunk in rows.chunks(400) {
            let sql = format!(
                "INSERT INTO history_scores ({COLUMNS}, computed_at) VALUES {}",
                placeholders(chunk.len(), 15)
            );
            let mut q = sqlx::query_with::<Any, AnyArguments>(&sql, AnyArguments::default());
            for r in chunk {
                q = q
                    .bind(score_id(repository, &r.kind, &r.name))
                    .bind(repository)
                    .bind(&r.kind)
                    .bind(&r.name)
                    .bind(&r.module)
                    .bind(r.score)
                    .bind(&r.level)
                    .bind(r.commits)
                    .bind(r.fixes)
                    .bind(r.churn)
                    .bind(r.authors)
                    .bind(r.last_change_ms)
                    .bind(r.size_lines)
                    .bind(&r.detail)
                    .bind(now_ms);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// Lists scored modules (or files), optionally of one repository, sorted.
    pub async fn list_scores(
        &self,
        kind: &str,
        repository: Option<&str>,
        sort: ScoreSort,
        descending: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ScoreRow>, sqlx::Error> {
        let order = if descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {COLUMNS} FROM history_scores WHERE kind = $1 AND ($2 = '' OR repository = $2) \
             ORDER BY {} {order}, repository, name LIMIT $3 OFFSET $4",
            sort.column()
        );
        let rows = sqlx::query(&sql)
            .bind(kind)
            .bind(repository.unwrap_or(""))
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(score_row).collect()
    }

    /// Fetches one scored module or file by id.
    pub async fn score_by_id(&self, id: &str) -> Result<Option<ScoreRow>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM history_scores WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(score_row).transpose()
    }

    /// The fragility and history of every module of a repository, by module id: what the
    /// analysis joins into `ModuleHit`.
    pub async fn module_facts(
        &self,
        repository: &str,
    ) -> Result<HashMap<String, ModuleFacts>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT name, detail FROM history_scores WHERE repository = $1 AND kind = 'module'",
        )
        .bind(repository)
        .fetch_all(&self.pool)
        .await?;
        let mut out = HashMap::with_capacity(rows.len());
        for r in rows {
            let detail: String = r.try_get("detail")?;
            if let Ok(d) = serde_json::from_str::<ModuleFacts>(&detail) {
                out.insert(r.try_get("name")?, d);
            }
        }
        Ok(out)
    }

    /// The window history of the given files of a repository, by path.
    pub async fn file_facts(
        &self,
        repository: &str,
        paths: &[&str],
    ) -> Result<HashMap<String, FileHistory>, sqlx::Error> {
        let mut out = HashMap::with_capacity(paths.len());
        if paths.is_empty() {
            return Ok(out);
        }
        let ids: Vec<String> = paths
            .iter()
            .map(|p| score_id(repository, "file", p))
            .collect();
        let sql = format!(
            "SELECT name, detail FROM history_scores WHERE id IN ({})",
            (1..=ids.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in &ids {
            q = q.bind(id);
        }
        for r in q.fetch_all(&self.pool).await? {
            let detail: String = r.try_get("detail")?;
            if let Ok(FileFacts { history: Some(h) }) = serde_json::from_str(&detail) {
                out.insert(r.try_get("name")?, h);
            }
        }
        Ok(out)
    }
}

/// The part of a module score's `detail` document the analysis reads back.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ModuleFacts {
    pub fragility: Fragility,
    #[serde(default)]
    pub history: Option<ModuleHistory>,
}

/// The part of a file score's `detail` document the analysis reads back.
#[derive(serde::Deserialize)]
struct FileFacts {
    #[serde(default)]
    history: Option<FileHistory>,
}

fn score_row(r: &AnyRow) -> Result<ScoreRow, sqlx::Error> {
    Ok(ScoreRow {
        id: r.try_get("id")?,
        repository: r.try_get("repository")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        module: r.try_get("module")?,
        score: r.try_get("score")?,
        level: r.try_get("level")?,
        commits: r.try_get("commits")?,
        fixes: r.try_get("fixes")?,
        churn: r.try_get("churn")?,
        authors: r.try_get("authors")?,
        last_change_ms: r.try_get("last_change_ms")?,
        size_lines: r.try_get("size_lines")?,
        detail: r.try_get("detail")?,
    })
}
