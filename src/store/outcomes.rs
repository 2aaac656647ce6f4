//! Live accuracy (`analysis_outcomes`): what each ticket's analysis showed and when, and,
//! once a mined commit made after that analysis names the ticket as its fix, how the
//! analysis did against the fix's files. Read back as shares per repository and project.
//! And the likely duplicates suggested (`duplicate_suggestions`), with what became of them.

use super::Store;
use crate::domain::{
    Accuracy, ChangeKind, DuplicateAccuracy, Judged, PrecedentAccuracy, Predicted,
};
use sqlx::Row;
use std::collections::BTreeMap;

/// A ticket analysed before commits that name it were made: what it showed, and those
/// commits' files, to be judged.
#[derive(Debug, Clone, PartialEq)]
pub struct Unmeasured {
    pub tracker: String,
    pub ticket_id: String,
    pub ticket_key: String,
    pub analysed_at: i64,
    pub predicted: Predicted,
    /// The latest of the commits, the one recorded as the fix.
    pub fix_sha: String,
    /// `(path, created by the fix)`, each path once.
    pub files: Vec<(String, bool)>,
}

/// Tickets judged per read: a refresh after a large first mine measures the rest next time.
const MAX_UNMEASURED: usize = 1_000;

/// What a ticket's analysis is recorded under.
#[derive(Debug, Clone, Copy)]
pub struct AnalysedTicket<'a> {
    pub tracker: &'a str,
    pub ticket_id: &'a str,
    pub ticket_key: &'a str,
    pub project: &'a str,
}

impl Store {
    /// Records what a ticket's analysis showed, replacing its earlier analysis, unless the
    /// ticket is measured already (its outcome then stays as it was judged).
    pub async fn record_prediction(
        &self,
        t: AnalysedTicket<'_>,
        predicted: &Predicted,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let body = serde_json::to_string(predicted).unwrap_or_default();
        sqlx::query(
            "INSERT INTO analysis_outcomes (tracker, ticket_id, ticket_key, project, analysed_at, prediction) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (tracker, ticket_id) DO UPDATE SET ticket_key = excluded.ticket_key, \
                 project = excluded.project, analysed_at = excluded.analysed_at, \
                 prediction = excluded.prediction \
             WHERE analysis_outcomes.measured_at IS NULL",
        )
        .bind(t.tracker)
        .bind(t.ticket_id)
        .bind(t.ticket_key)
        .bind(t.project)
        .bind(now_ms)
        .bind(body)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Tickets not measured yet that commits of `repository` name, made after the ticket's
    /// analysis, with those commits' files (at most `MAX_UNMEASURED` tickets).
    #[tracing::instrument(skip_all, fields(repository))]
    pub async fn unmeasured_fixes(&self, repository: &str) -> Result<Vec<Unmeasured>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT o.tracker, o.ticket_id, o.ticket_key, o.analysed_at, o.prediction, \
                 c.sha, c.time_ms, h.path, h.kind \
             FROM analysis_outcomes o \
             JOIN history_links l ON l.ticket_key = o.ticket_key AND l.repository = $1 \
             JOIN history_commits c ON c.repository = l.repository AND c.sha = l.sha \
             LEFT JOIN history_changes h ON h.repository = c.repository AND h.sha = c.sha \
             WHERE o.measured_at IS NULL AND c.time_ms > o.analysed_at \
             ORDER BY o.tracker, o.ticket_id, c.time_ms, c.sha",
        )
        .bind(repository)
        .fetch_all(&self.pool)
        .await?;
        let mut by: BTreeMap<(String, String), Unmeasured> = BTreeMap::new();
        for r in rows {
            let key = (r.try_get("tracker")?, r.try_get("ticket_id")?);
            if !by.contains_key(&key) && by.len() >= MAX_UNMEASURED {
                continue;
            }
            let sha: String = r.try_get("sha")?;
            let u = match by.entry(key.clone()) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    let prediction: String = r.try_get("prediction")?;
                    e.insert(Unmeasured {
                        tracker: key.0,
                        ticket_id: key.1,
                        ticket_key: r.try_get("ticket_key")?,
                        analysed_at: r.try_get("analysed_at")?,
                        predicted: serde_json::from_str(&prediction).unwrap_or_default(),
                        fix_sha: sha.clone(),
                        files: Vec::new(),
                    })
                }
            };
            u.fix_sha = sha;
            if let Some(path) = r.try_get::<Option<String>, _>("path")? {
                let kind: Option<String> = r.try_get("kind")?;
                let created = kind.as_deref().map(ChangeKind::parse) == Some(ChangeKind::Added);
                match u.files.iter_mut().find(|f| f.0 == path) {
                    // created by one of the fix's commits, then changed by another: created
                    Some(f) => f.1 |= created,
                    None => u.files.push((path, created)),
                }
            }
        }
        Ok(by.into_values().collect())
    }

    /// Records a ticket's outcome against its fix in `repository`; `None` when the fix only
    /// created files (measured, but counted in no share).
    pub async fn save_outcome(
        &self,
        u: &Unmeasured,
        repository: &str,
        judged: Option<Judged>,
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let flag = |f: fn(&Judged) -> bool| judged.as_ref().map(|j| i64::from(f(j)));
        sqlx::query(
            "UPDATE analysis_outcomes SET measured_at = $1, repository = $2, fix_sha = $3, \
                 first_module_right = $4, any_module_right = $5, any_file_right = $6, \
                 precedent_right = $9 \
             WHERE tracker = $7 AND ticket_id = $8 AND measured_at IS NULL",
        )
        .bind(now_ms)
        .bind(repository)
        .bind(&u.fix_sha)
        .bind(flag(|j| j.first_module_right))
        .bind(flag(|j| j.any_module_right))
        .bind(flag(|j| j.any_file_right))
        .bind(&u.tracker)
        .bind(&u.ticket_id)
        .bind(judged.and_then(|j| j.precedent_right).map(i64::from))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// How the named precedents did over the measured tickets of `repository` that were
    /// shown some, all time.
    pub async fn precedent_accuracy(
        &self,
        repository: &str,
    ) -> Result<PrecedentAccuracy, sqlx::Error> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(precedent_right), 0) AS BIGINT) AS r \
             FROM analysis_outcomes WHERE repository = $1 AND measured_at IS NOT NULL \
             AND precedent_right IS NOT NULL",
        )
        .bind(repository)
        .fetch_one(&self.pool)
        .await?;
        Ok(PrecedentAccuracy::of(r.try_get("n")?, r.try_get("r")?))
    }

    /// Records the likely duplicates an analysis suggested; a pair suggested before keeps
    /// its first time.
    pub async fn record_duplicate_suggestions(
        &self,
        t: AnalysedTicket<'_>,
        candidates: &[(&str, &str)],
        now_ms: i64,
    ) -> Result<(), sqlx::Error> {
        for (candidate_id, candidate_key) in candidates {
            sqlx::query(
                "INSERT INTO duplicate_suggestions (tracker, ticket_id, ticket_key, project, \
                     candidate_id, candidate_key, suggested_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (tracker, ticket_id, candidate_key) DO NOTHING",
            )
            .bind(t.tracker)
            .bind(t.ticket_id)
            .bind(t.ticket_key)
            .bind(t.project)
            .bind(candidate_id)
            .bind(candidate_key)
            .bind(now_ms)
            .execute(&self.writer)
            .await?;
        }
        Ok(())
    }

    /// What became of the suggested likely duplicates, per tracker project: confirmed when
    /// the pair was linked as duplicates (either way) after the suggestion or a triager's
    /// latest verdict says duplicate; refused when that verdict says not, and no link came.
    pub async fn duplicate_accuracy(&self) -> Result<Vec<DuplicateAccuracy>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT project, COUNT(*) AS n, \
                 CAST(COALESCE(SUM(CASE WHEN linked = 1 OR verdict = 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS c, \
                 CAST(COALESCE(SUM(CASE WHEN linked = 0 AND verdict = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS r \
             FROM (SELECT s.project, \
                 CASE WHEN EXISTS (SELECT 1 FROM ticket_links l WHERE l.tracker = s.tracker \
                     AND l.kind = 'duplicate' AND l.linked_at >= s.suggested_at \
                     AND ((l.ticket_id = s.ticket_id AND l.linked_key = s.candidate_key) \
                       OR (l.ticket_id = s.candidate_id AND l.linked_key = s.ticket_key))) \
                     THEN 1 ELSE 0 END AS linked, \
                 (SELECT f.duplicate FROM duplicate_feedback f WHERE f.tracker = s.tracker \
                     AND f.ticket_id = s.ticket_id AND f.candidate_key = s.candidate_key) AS verdict \
                 FROM duplicate_suggestions s) AS judged \
             GROUP BY project ORDER BY project",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DuplicateAccuracy::of(
                    r.try_get("project")?,
                    r.try_get("n")?,
                    r.try_get("c")?,
                    r.try_get("r")?,
                ))
            })
            .collect()
    }

    /// The shares over the measured tickets of `repository` (of one tracker project when
    /// given), the `last` most recently measured when given, else all of them.
    pub async fn accuracy(
        &self,
        repository: &str,
        project: Option<&str>,
        last: Option<i64>,
    ) -> Result<Accuracy, sqlx::Error> {
        let project_filter = if project.is_some() {
            "AND project = $2"
        } else {
            ""
        };
        let limit = last.map_or(String::new(), |n| format!("LIMIT {}", n.max(0)));
        let sql = format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(f), 0) AS BIGINT) AS f, \
                 CAST(COALESCE(SUM(m), 0) AS BIGINT) AS m, CAST(COALESCE(SUM(p), 0) AS BIGINT) AS p \
             FROM (SELECT first_module_right AS f, any_module_right AS m, any_file_right AS p \
                   FROM analysis_outcomes WHERE repository = $1 AND measured_at IS NOT NULL \
                   AND first_module_right IS NOT NULL {project_filter} \
                   ORDER BY measured_at DESC, ticket_id {limit}) AS recent"
        );
        let mut q = sqlx::query(&sql).bind(repository);
        if let Some(p) = project {
            q = q.bind(p);
        }
        let r = q.fetch_one(&self.pool).await?;
        Ok(Accuracy::of(
            r.try_get("n")?,
            r.try_get("f")?,
            r.try_get("m")?,
            r.try_get("p")?,
        ))
    }

    /// The tracker projects with measured tickets in `repository`, by name.
    pub async fn accuracy_projects(&self, repository: &str) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT DISTINCT project FROM analysis_outcomes WHERE repository = $1 \
             AND measured_at IS NOT NULL AND first_module_right IS NOT NULL ORDER BY project",
        )
        .bind(repository)
        .fetch_all(&self.pool)
        .await
    }
}
