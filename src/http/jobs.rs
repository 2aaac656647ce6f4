//! Operators' view of the job queue: list jobs by state, retry a dead one or many at once.

use crate::app::auth::{require, Role};
use crate::app::error::{ApiError, ErrorCode};
use crate::app::AppState;
use crate::store::{JobState, RetryFilter};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    state: Option<String>,
    limit: Option<i64>,
    /// Only jobs with ids below this (the previous page's `next_before`).
    before: Option<i64>,
    /// Include each job's payload (the whole ticket event); by default only its size.
    payload: Option<bool>,
}

/// `GET /api/v1/jobs?state=dead&limit=50[&before=ID][&payload=true]`: jobs in a state,
/// newest first, a page at a time (`next_before` names the next page). Payloads — whole
/// ticket events — are left out unless asked for, so a page stays small.
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let wanted = query.state.as_deref().unwrap_or("dead");
    let job_state = JobState::parse(wanted).ok_or_else(|| ApiError {
        field: Some("state".into()),
        ..ApiError::new(
            ErrorCode::BadRequest,
            format!("unknown job state `{wanted}` (queued, running, done, dead)"),
        )
    })?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError {
            field: Some("limit".into()),
            ..ApiError::new(ErrorCode::BadRequest, "limit must be 1 to 500")
        });
    }
    let jobs = state
        .store
        .list_jobs_page(job_state, limit, query.before)
        .await
        .map_err(ApiError::internal)?;
    let next_before = (jobs.len() as i64 == limit)
        .then(|| jobs.last().map(|j| j.id))
        .flatten();
    let with_payload = query.payload.unwrap_or(false);
    let jobs: Vec<serde_json::Value> = jobs
        .into_iter()
        .map(|j| {
            let bytes = j.payload.len();
            let mut v = serde_json::to_value(&j).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                if !with_payload {
                    o.remove("payload");
                }
                o.insert("payload_bytes".into(), json!(bytes));
            }
            v
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "jobs": jobs, "next_before": next_before })))
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
        .retry_dead(id, state.store.now())
        .await
        .map_err(ApiError::internal)?
    {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("job {id} is {}, not dead", job.state.as_str()),
        ));
    }
    state.wake.notify_waiters();
    Ok(HttpResponse::Accepted().json(json!({ "id": id, "state": "queued" })))
}

/// The body of a bulk retry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryMatching {
    /// `dead` (queued again with fresh attempts) or `queued` (due now, its wait dropped).
    state: String,
    /// Only jobs whose last error contains this text (case-insensitive); all when absent.
    error_contains: Option<String>,
}

/// `POST /api/v1/jobs/retry` `{"state": "dead", "error_contains": "401"}`: queues every
/// matching job again at once — after an operator fixed a token or a tracker outage, one
/// call instead of one per job.
pub async fn retry_matching(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RetryMatching>,
) -> Result<HttpResponse, ApiError> {
    require(&req, Role::Operator)?;
    let bad = |field: &str, message: String| ApiError {
        field: Some(field.into()),
        ..ApiError::new(ErrorCode::BadRequest, message)
    };
    let job_state = match JobState::parse(&body.state) {
        Some(s @ (JobState::Dead | JobState::Queued)) => s,
        _ => {
            return Err(bad(
                "state",
                format!("state must be dead or queued, not `{}`", body.state),
            ))
        }
    };
    let error_contains = body.error_contains.clone().unwrap_or_default();
    if error_contains.chars().count() > 500 {
        return Err(bad(
            "error_contains",
            "error_contains is at most 500 characters".into(),
        ));
    }
    let filter = RetryFilter {
        state: job_state,
        error_contains,
    };
    let queued = state
        .store
        .retry_matching(&filter, state.store.now())
        .await
        .map_err(ApiError::internal)?;
    if queued > 0 {
        state.wake.notify_waiters();
    }
    Ok(HttpResponse::Accepted().json(json!({ "queued": queued })))
}
