//! Liveness, readiness and Prometheus metrics.

use super::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

/// The process is alive and serving HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers and every migration is applied.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.store.ready().await {
        Ok(()) => HttpResponse::Ok().json(json!({
            "status": "ready",
            "checks": { "database": "ok" }
        })),
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "not ready");
            HttpResponse::ServiceUnavailable().json(json!({
                "status": "not_ready",
                "checks": { "database": "unavailable" }
            }))
        }
    }
}

/// Prometheus text format; job counts are read from the store at scrape time.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    match state.store.job_counts().await {
        Ok(counts) => {
            for (s, n) in counts {
                state.metrics.jobs.with_label_values(&[s.as_str()]).set(n);
            }
        }
        Err(e) => tracing::warn!(error = %e, "failed to count jobs for metrics"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
