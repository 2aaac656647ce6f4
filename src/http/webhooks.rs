//! `POST /webhooks/<tracker>`: the front door for Jira, Linear, GitHub and GitLab.

use super::body::read_limited;
use crate::app::error::ApiError;
use crate::app::AppState;
use crate::domain::Tracker;
use actix_web::{web, HttpRequest, HttpResponse};

/// `POST /webhooks/jira`.
pub async fn jira(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    receive(Tracker::Jira, req, payload, state).await
}

/// `POST /webhooks/linear`.
pub async fn linear(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    receive(Tracker::Linear, req, payload, state).await
}

/// `POST /webhooks/github`.
pub async fn github(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    receive(Tracker::Github, req, payload, state).await
}

/// `POST /webhooks/gitlab`.
pub async fn gitlab(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    receive(Tracker::Gitlab, req, payload, state).await
}

/// Verifies, parses and durably stores one webhook, then answers 202.
#[tracing::instrument(skip_all, fields(tracker = %tracker))]
async fn receive(
    tracker: Tracker,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = read_limited(&req, payload, &state.settings.server).await?;
    let headers = req.headers();
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let ack = state.ingestor.receive(tracker, header, &body).await?;
    Ok(HttpResponse::Accepted().json(ack))
}
