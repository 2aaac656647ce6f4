//! `POST /webhooks/{tracker}`: the front door for Jira and Linear (GitHub and GitLab next).

use super::body::read_limited;
use super::error::ApiError;
use super::AppState;
use crate::domain::Tracker;
use actix_web::{web, HttpRequest, HttpResponse};

/// Verifies, parses and durably stores one webhook, then answers 202.
#[tracing::instrument(skip_all, fields(tracker = %tracker))]
pub async fn receive(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    tracker: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let tracker = Tracker::parse(&tracker)
        .ok_or_else(|| ApiError::not_found(format!("no webhook receiver for `{tracker}`")))?;
    let body = read_limited(&req, payload, state.settings.server.max_body_bytes).await?;
    let headers = req.headers();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let ack = state.ingestor.receive(tracker, header, &body).await?;
    Ok(HttpResponse::Accepted().json(ack))
}
