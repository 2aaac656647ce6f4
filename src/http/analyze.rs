//! `POST /api/v1/analyze`: ranked modules (with fragility, owners and history) and files,
//! with evidence, for a ticket's title and body, and likely duplicates among known tickets:
//! `enrich::Pipeline::enrich` for a draft.

use super::error::ApiError;
use super::AppState;
use crate::enrich::{Request, Subject};
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
    let enrichment = state
        .pipeline
        .enrich(Request {
            title: req.title,
            body: req.body,
            repository: req.repository,
            limit: req.limit.unwrap_or(10).clamp(1, 50),
            subject: Subject::Draft,
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "modules": enrichment.modules,
        "files": enrichment.files,
        "duplicates": enrichment.duplicates,
        "estimation_hints": enrichment.estimation_hints,
    })))
}
