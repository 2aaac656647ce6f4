//! `POST /api/v1/analyze`: ranked modules (with owners) and files, with evidence, for a
//! ticket's title and body, their fragility, and likely duplicates among known tickets. Runs `enrich::analyze` on the blocking pool, a capped number
//! at a time.

use super::error::ApiError;
use super::AppState;
use crate::domain::{SimilarOptions, SimilarQuery};
use crate::enrich::{analyze as run_analysis, TicketText};
use crate::worker::{explain_by_modules, join_fragility};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnalyzeRequest {
    title: String,
    #[serde(default)]
    body: String,
    repository: Option<String>,
    limit: Option<usize>,
}

/// Analyses ad-hoc text without writing anything anywhere.
#[tracing::instrument(skip_all)]
pub async fn analyze(
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let req: AnalyzeRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("body", format!("invalid analyze request: {e}")))?;
    let limit = req.limit.unwrap_or(10).clamp(1, 50);
    let permit = state
        .search_slots
        .clone()
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    let code = state.code_index.clone();
    let query = SimilarQuery {
        title: req.title.clone(),
        body: req.body.clone(),
        project: None,
        components: Vec::new(),
        created_at: None,
        created_before: None,
        exclude_ids: Vec::new(),
        linked: Vec::new(),
    };
    let mut enrichment = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let ticket = TicketText {
            title: &req.title,
            body: &req.body,
            repository: req.repository.as_deref(),
        };
        // With no repository configured this locates nothing and only duplicates remain.
        run_analysis(code.as_ref(), ticket, limit)
    })
    .await
    .map_err(ApiError::internal)??;
    join_fragility(&state.store, &mut enrichment)
        .await
        .map_err(ApiError::internal)?;
    // Ad-hoc text has no project: search every project.
    let options = SimilarOptions {
        same_project: false,
        ..state.settings.duplicates.options()
    };
    let index = state.ticket_index.clone();
    enrichment.duplicates = tokio::task::spawn_blocking(move || index.similar(&query, &options))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    explain_by_modules(
        &state.store,
        state.code_index.clone(),
        None,
        &mut enrichment,
    )
    .await
    .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(json!({
        "modules": enrichment.modules,
        "files": enrichment.files,
        "duplicates": enrichment.duplicates,
        "estimation_hints": enrichment.estimation_hints,
    })))
}
