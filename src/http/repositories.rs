//! `GET /api/v1/repositories`: per configured repository, what the code index holds and how
//! far its history is mined; `GET /api/v1/repositories/{name}/overview`: a repository at a
//! glance (`moduleview::repository_overview`); `GET /api/v1/repositories/{name}/accuracy`:
//! how its analyses did once their tickets' fixes landed (`accuracy::of_repository`).

use crate::app::error::ApiError;
use crate::app::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

/// Indexed commit, mined commit, last refresh, state (`ready` only once both indexed and
/// mined; `mining` between) and last error of each repository.
#[tracing::instrument(skip_all)]
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut out = Vec::new();
    for s in state.code_index.statuses() {
        let mined = state
            .store
            .history_state(&s.name)
            .await
            .map_err(ApiError::internal)?;
        let mut v = serde_json::to_value(&s).map_err(ApiError::internal)?;
        // ready means indexed AND mined: analyses before that lack the history facts
        if s.state == "ready" && mined.is_none() {
            v["state"] = json!("mining");
        }
        // once mined: whether the keys its commits name meet the stored tickets', in words
        if mined.is_some() {
            let keys = state
                .store
                .key_match(Some(&s.name))
                .await
                .map_err(ApiError::internal)?;
            v["links"] = json!({
                "keys_mined": keys.keys_mined,
                "keys_matched": keys.keys_matched,
                "summary": keys.summary(),
                "problem": keys.problem(),
            });
        }
        v["mined_commit"] = json!(mined.map(|m| m.tip));
        out.push(v);
    }
    Ok(HttpResponse::Ok().json(json!({ "repositories": out })))
}

/// A repository's modules, activity per month and recent changes; 404 for a repository
/// with nothing scored.
#[tracing::instrument(skip_all, fields(repository = %name))]
pub async fn overview(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let body = crate::moduleview::repository_overview(&state.store, &name)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("nothing is scored for repository `{name}`")))?;
    Ok(HttpResponse::Ok().json(body))
}

/// A configured repository's live accuracy; 404 for a repository not configured.
#[tracing::instrument(skip_all, fields(repository = %name))]
pub async fn accuracy(
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if !state.code_index.statuses().iter().any(|s| s.name == *name) {
        return Err(ApiError::not_found(format!(
            "no repository `{name}` is configured"
        )));
    }
    let recent = state.settings.accuracy.recent_tickets;
    let body = crate::accuracy::of_repository(&state.store, &name, recent)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(body))
}
