//! `POST /api/v1/tickets/{tracker}/{key}/duplicates/feedback` (a triager marks a suggestion
//! right or wrong), `GET /api/v1/duplicates/models` (which model each project is on) and
//! `GET /api/v1/duplicates/accuracy` (what became of the likely duplicates suggested).

use crate::app::error::ApiError;
use crate::app::AppState;
use crate::domain::{TicketKey, Tracker};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedbackRequest {
    /// The suggested ticket's key.
    candidate: String,
    /// `true`: it is a duplicate (the suggestion was right); `false`: it is not.
    duplicate: bool,
}

/// Records a verdict; the learner learns it with its next round. 404 for an unknown ticket
/// or candidate, 400 naming the field for a malformed body.
#[tracing::instrument(skip_all, fields(tracker = %path.0, key = %path.1))]
pub async fn feedback(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (tracker, key) = path.into_inner();
    let tracker = Tracker::parse(&tracker).ok_or_else(|| ApiError::not_found("no such tracker"))?;
    let key = TicketKey::parse(&key).map_err(ApiError::not_found)?;
    let body = super::body::read_limited(&req, payload, &state.settings.server).await?;
    let verdict: FeedbackRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("body", format!("invalid feedback: {e}")))?;
    let candidate = TicketKey::parse(&verdict.candidate)
        .map_err(|e| ApiError::bad_request("candidate", format!("candidate: {e}")))?;
    let recorded = crate::ticketview::record_feedback(
        &state.store,
        tracker,
        key.as_str(),
        candidate.as_str(),
        verdict.duplicate,
    )
    .await
    .map_err(ApiError::internal)?;
    match recorded {
        crate::ticketview::Feedback::Recorded { project } => {
            Ok(HttpResponse::Accepted().json(json!({ "recorded": true, "project": project })))
        }
        crate::ticketview::Feedback::NoTicket => Err(ApiError::not_found("no such ticket")),
        crate::ticketview::Feedback::Itself => Err(ApiError::bad_request(
            "candidate",
            "candidate must be another ticket than the one the feedback is about",
        )),
        crate::ticketview::Feedback::NoCandidate => {
            Err(ApiError::not_found("no such candidate ticket"))
        }
    }
}

/// Every project that learned from its own labels, with its model, threshold and counts.
#[tracing::instrument(skip_all)]
pub async fn models(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(json!({
        "shipped": crate::ticketindex::Logistic::shipped(),
        "configured_likely_threshold": state.settings.duplicates.likely_threshold,
        "projects": state.learner.models(),
    })))
}

/// Per tracker project: the likely duplicates suggested, and how many were later linked or
/// confirmed, refused, or not decided yet.
pub async fn accuracy(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let projects = crate::accuracy::of_duplicates(&state.store)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(json!({ "projects": projects })))
}
