//! Operators' view of the job queue: list jobs by state, retry a dead one.

use super::auth::{require, Role};
use super::error::ApiError;
use super::AppState;
use crate::store::{now_ms, JobState};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    state: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/v1/jobs?state=dead&limit=50`: jobs in a state, newest first.
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let wanted = query.state.as_deref().unwrap_or("dead");
    let job_state = JobState::parse(wanted).ok_or_else(|| ApiError {
        field: Some("state".into()),
        ..ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("unknown job state `{wanted}` (queued, running, done, dead)"),
        )
    })?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError {
            field: Some("limit".into()),
            ..ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "limit must be 1 to 500",
            )
        });
    }
    let jobs = state
        .store
        .list_jobs(job_state, limit)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(json!({ "jobs": jobs })))
}

/// `POST /api/v1/jobs/{id}/retry`: queues a dead job again with fresh attempts.
pub async fn retry(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    require(&req, Role::Operator)?;
    let id = id.into_inner();
    let job = state.store.job(id).await.map_err(ApiError::internal)?;
    let Some(job) = job else {
        return Err(ApiError::not_found(format!("no job {id}")));
    };
    if !state
        .store
        .retry_dead(id, now_ms())
        .await
        .map_err(ApiError::internal)?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("job {id} is {}, not dead", job.state.as_str()),
        ));
    }
    state.wake.notify_waiters();
    Ok(HttpResponse::Accepted().json(json!({ "id": id, "state": "queued" })))
}
