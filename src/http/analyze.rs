//! `POST /api/v1/analyze`: ranked modules (with fragility, owners and history) and files,
//! with evidence, for a ticket's title and body, and likely duplicates among known tickets:
//! `enrich::Pipeline::enrich` for a draft.

use crate::app::error::ApiError;
use crate::app::AppState;
use crate::enrich::{Request, Subject};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnalyzeRequest {
    title: String,
    #[serde(default)]
    body: String,
    repository: Option<String>,
    /// Any non-negative JSON integer, however large (clamped to 1–50 below).
    limit: Option<serde_json::Number>,
}

/// Results per list: 10 by default, clamped to 1–50; an integer too large for `u64` (JSON
/// allows it) is simply large.
fn results_limit(limit: Option<&serde_json::Number>) -> Result<usize, ApiError> {
    let Some(n) = limit else { return Ok(10) };
    let whole = n.as_u64().map(|v| v as f64).or_else(|| {
        n.as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0)
    });
    match whole {
        Some(v) => Ok(v.clamp(1.0, 50.0) as usize),
        None => Err(ApiError::bad_request(
            "limit",
            "limit must be a non-negative integer",
        )),
    }
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
    let limit = results_limit(req.limit.as_ref())?;
    let enrichment = state
        .pipeline
        .enrich(Request {
            title: req.title,
            body: req.body,
            repository: req.repository,
            limit,
            subject: Subject::Draft,
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "modules": enrichment.modules,
        "files": enrichment.files,
        "duplicates": enrichment.duplicates,
        "estimation_hints": enrichment.estimation_hints,
        "precedents": enrichment.precedents,
        "footprint": enrichment.footprint,
        "confidence": enrichment.confidence,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(json: &str) -> Result<usize, u16> {
        let n: Option<serde_json::Number> = serde_json::from_str(json).unwrap();
        results_limit(n.as_ref()).map_err(|e| e.status().as_u16())
    }

    #[test]
    fn any_non_negative_integer_is_a_limit_clamped_to_fifty() {
        assert_eq!(limit("null"), Ok(10));
        assert_eq!(limit("0"), Ok(1));
        assert_eq!(limit("7"), Ok(7));
        assert_eq!(limit("311706000511154303335923712"), Ok(50));
        assert_eq!(limit("-1"), Err(400));
        assert_eq!(limit("2.5"), Err(400));
    }
}
