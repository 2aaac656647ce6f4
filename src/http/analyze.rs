//! `POST /api/v1/analyze`: ranked modules (with fragility, owners and history) and files,
//! with evidence, for a ticket's title and body, and likely duplicates among known tickets:
//! `enrich::Pipeline::enrich` for a draft.

use super::error::ApiError;
use super::AppState;
use crate::enrich::{Request, Subject};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

/// Longest title accepted, in characters (Jira caps summaries at 255; a longer "title" is
/// a body pasted in the wrong field, and the analysis weighs title words most).
pub const MAX_TITLE_CHARS: usize = 1_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnalyzeRequest {
    title: String,
    #[serde(default)]
    body: String,
    repository: Option<String>,
    limit: Option<usize>,
}

/// Analyses ad-hoc text without writing anything anywhere. The body is read under
/// `[server] max_body_bytes`, like a webhook's.
#[tracing::instrument(skip_all)]
pub async fn analyze(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = super::body::read_limited(&req, payload, &state.settings.server).await?;
    let req: AnalyzeRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("body", format!("invalid analyze request: {e}")))?;
    if req.title.chars().count() > MAX_TITLE_CHARS {
        return Err(ApiError::bad_request(
            "title",
            format!("title is longer than {MAX_TITLE_CHARS} characters; put long text in body"),
        ));
    }
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
